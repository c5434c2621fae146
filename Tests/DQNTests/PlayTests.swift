// `play` on a checkpoint written the way the experiment writes it, with PNG frames.
import Foundation
import Testing
import DQN
import WorkbenchNN
import WorkbenchData
import WorkbenchTesting

@Suite struct PlayTests {
    @Test func playsCheckpointAndWritesFrames() throws {
        let dir = NSTemporaryDirectory() + "dqn-play-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir + "/checkpoints", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var g = Generator(seed: 1)
        let net = QNetwork(DQNPreset.named("minatar-breakout")!.agent.network, generator: &g)
        try Checkpoint.save(modules: ["online": net], metadata: ["preset": "minatar-breakout"],
                            to: dir + "/checkpoints/last.safetensors")
        let returns = try DQNExperiment.play(checkpoint: dir, episodes: 2, seed: 3, render: false, framesOut: dir + "/frames")
        #expect(returns.count == 2)
        let frames = try FileManager.default.contentsOfDirectory(atPath: dir + "/frames").filter { $0.hasSuffix(".png") }
        #expect(frames.contains("episode000_frame00000.png") && frames.contains { $0.hasPrefix("episode001_") })
        let bitmap = try Bitmap.readPNG(dir + "/frames/episode000_frame00000.png")
        #expect(bitmap.width == 160 && bitmap.height == 160)
    }
}
