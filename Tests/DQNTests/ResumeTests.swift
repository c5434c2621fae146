// A DQN run end to end on CartPole: its files, a stopped-then-resumed run that ends bit-identical
// to an uninterrupted one (the stop lands mid-epoch, in a logging window, with the replay memory
// and an episode in progress), the refused resume of a finished run, and the trainer's own
// continuation on MinAtar (binary replay memory that wraps around).
import Foundation
import Testing
import DQN
import WorkbenchNN
import WorkbenchRun
import WorkbenchTesting

@Suite struct ResumeTests {
    @Test func quickRunWritesItsDirectory() throws {
        let dir = TemporaryDirectory("dqn-run")
        let run = try ExperimentRun(paper: DQNExperiment.id, preset: "quick", seed: 2, epochs: 1, dataDirectory: nil,
                                    root: dir.file("runs"))
        let summary = try run.writeSummary(try DQNExperiment.run(run))
        #expect(summary["epochs"] == 1 && summary["frames"] == 5_000 && summary["steps"] == 5_000)
        #expect(summary["eval_return_mean"] != nil && summary["best_eval_return_mean"] == summary["eval_return_mean"])
        for file in ["config.json", "metrics.jsonl", "summary.json", "plots/returns.png", "plots/train_steps.png",
                     "checkpoints/best.safetensors", "checkpoints/last.safetensors", "checkpoints/trainer.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(run.directory)/\(file)"), "\(file)")
        }
        let epoch = try #require(run.records.last)
        for key in ["frames", "episodes", "eval_return_mean", "eval_return_min", "epsilon", "updates", "loss",
                    "train_return_avg100", "frames_per_second", "updates_per_second"] {
            #expect(epoch[key] != nil, "\(key)")
        }
        #expect(epoch["updates"] == 4_000 && epoch["step"] == 5_000)
        let hyperparameters = try #require(RunReport.config(of: run.directory)["hyperparameters"])
        #expect(hyperparameters["environment"] == .string("CartPole-v1") && hyperparameters["frames_per_epoch"] == .int(5_000))
        // Nothing left to do: a resume of the finished run is refused and keeps its summary.
        run.close()
        do {
            _ = try DQNExperiment.run(try ExperimentRun(resuming: run.directory))
            Issue.record("a finished run was resumed")
        } catch let error as RunError {
            #expect(error.description.contains("nothing left to do"), "\(error)")
        }
    }

    @Test func resumeIsBitIdentical() throws {
        let dir = TemporaryDirectory("dqn-resume")
        // 5,000 frames per epoch, one step per frame: frame 7,500 is mid-epoch and mid-window.
        let differences = try resumeDifferences(DQNExperiment.self, preset: "cartpole", epochs: 2, stopAfterStep: 7_500,
                                                root: dir.file("runs"))
        #expect(differences.isEmpty, "\(differences)")
    }

    /// Small replay (it wraps around before the stop), early and sparse updates, frequent target copies.
    static func preset(_ name: String) throws -> DQNPreset {
        var p = try DQNPreset.preset(name)
        p.agent.replayCapacity = 300
        p.agent.replayStart = 100
        p.agent.trainFrequency = 4
        p.agent.targetUpdateInterval = 20
        p.agent.exploration = LinearSchedule(start: 1, end: 0.1, begin: 100, duration: 500)
        return p
    }

    @Test(arguments: ["minatar-breakout", "minatar-seaquest"])
    func trainerContinuationIsIdentical(_ name: String) throws {
        let preset = try Self.preset(name)
        let dir = TemporaryDirectory("dqn-trainer-resume")
        let a = DQNTrainer(preset, seed: 3)
        a.train(frames: 733)
        let updates = Double(a.agent.updates)
        func modules(_ t: DQNTrainer) -> [String: Module] { ["online": t.agent.online, "target": t.agent.target] }
        try Checkpoint.save(modules: modules(a), optimizers: ["optimizer": a.agent.optimizer],
                            metadata: ["agent": a.agent.generator.serialized], to: dir.file("last.safetensors"))
        try a.saveState(to: dir.file("trainer.safetensors"))
        let lossesA = a.train(frames: 500)

        let b = DQNTrainer(preset, seed: 3)
        let (_, metadata) = try Checkpoint.load(from: dir.file("last.safetensors"), modules: modules(b),
                                               optimizers: ["optimizer": b.agent.optimizer])
        try b.resume(from: dir.file("trainer.safetensors"), step: 733, generators: ["agent": Generator(serialized: metadata["agent"]!)!],
                     extra: ["updates": updates])
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
        let dir = TemporaryDirectory("dqn-resume-other")
        let a = DQNTrainer(try Self.preset("minatar-breakout"), seed: 0)
        a.train(frames: 50)
        try a.saveState(to: dir.file("trainer.safetensors"))
        let other = DQNTrainer(try Self.preset("minatar-seaquest"), seed: 0)
        #expect(throws: RunError.self) { try other.restoreState(from: dir.file("trainer.safetensors")) }
        #expect(throws: (any Error).self) { try other.restoreState(from: dir.file("missing.safetensors")) }
        // The state of another frame than the checkpoint's.
        let same = DQNTrainer(try Self.preset("minatar-breakout"), seed: 0)
        #expect(throws: RunError.self) {
            try same.resume(from: dir.file("trainer.safetensors"), step: 49, generators: ["agent": Generator(seed: 0)],
                            extra: ["updates": 0])
        }
    }
}
