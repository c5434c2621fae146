// A stopped DQN run resumes exactly: networks, optimizer, replay memory, counters and the
// interrupted episode are restored, so the continuation equals an uninterrupted run.
import Foundation
import Testing
import DQN
import WorkbenchNN
import WorkbenchRun

@Suite struct ResumeTests {
    /// Small replay (it wraps around before the stop), early and sparse updates, frequent target copies.
    static func preset(_ base: DQNPreset) -> DQNPreset {
        var p = base
        p.agent.replayCapacity = 300
        p.agent.replayStart = 100
        p.agent.trainFrequency = 4
        p.agent.targetUpdateInterval = 20
        p.agent.exploration = LinearSchedule(start: 1, end: 0.1, begin: 100, duration: 500)
        return p
    }

    @Test(arguments: ["minatar-breakout", "minatar-seaquest", "cartpole"])
    func continuationIsIdentical(_ name: String) throws {
        let preset = Self.preset(DQNPreset.named(name)!)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dqn-resume-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let a = DQNTrainer(preset, seed: 3)
        a.train(frames: 733)
        func modules(_ t: DQNTrainer) -> [String: Module] { ["online": t.agent.online, "target": t.agent.target] }
        try Checkpoint.save(modules: modules(a), optimizers: ["optimizer": a.agent.optimizer],
                            metadata: ["agent": a.agent.generator.serialized, "updates": String(a.agent.updates)],
                            to: dir + "/last.safetensors")
        try a.saveState(to: dir + "/trainer.safetensors")
        let lossesA = a.train(frames: 500)

        let b = DQNTrainer(preset, seed: 3)
        let (_, metadata) = try Checkpoint.load(from: dir + "/last.safetensors", modules: modules(b),
                                               optimizers: ["optimizer": b.agent.optimizer])
        b.agent.generator = Generator(serialized: metadata["agent"]!)!
        b.agent.setUpdates(Int(metadata["updates"]!)!)
        try b.restoreState(from: dir + "/trainer.safetensors")
        #expect(b.frame == 733 && b.agent.replay.count == 300)
        let lossesB = b.train(frames: 500)

        let sameLosses = lossesA == lossesB
        #expect(!lossesA.isEmpty && sameLosses)
        #expect(a.episodeReturns == b.episodeReturns && a.episodeReturns.count > 2)
        #expect(a.agent.updates == b.agent.updates && a.agent.replay.position == b.agent.replay.position)
        for ((name, p), (_, q)) in zip(a.agent.online.namedParameters(), b.agent.online.namedParameters()) {
            let same = p.data == q.data   // a Bool: #expect on two large arrays would diff them on failure
            #expect(same, "\(name)")
        }
        #expect(a.evaluate(episodes: 2) == b.evaluate(episodes: 2))
    }

    @Test func stateOfAnotherGameIsRejected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dqn-resume-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = DQNTrainer(Self.preset(DQNPreset.named("minatar-breakout")!), seed: 0)
        a.train(frames: 50)
        try a.saveState(to: dir + "/trainer.safetensors")
        let other = DQNTrainer(Self.preset(DQNPreset.named("minatar-seaquest")!), seed: 0)
        #expect(throws: RunError.self) { try other.restoreState(from: dir + "/trainer.safetensors") }
        #expect(throws: (any Error).self) { try other.restoreState(from: dir + "/missing.safetensors") }
    }
}
