// `play` on a checkpoint written the way the experiment writes it, with PNG frames, and a
// `--frames-out` that cannot hold frames.
import Foundation
import Testing
import DQN
import WorkbenchNN
import WorkbenchData
import WorkbenchRun
import WorkbenchTesting

@Suite struct PlayTests {
    /// A run directory holding an untrained Breakout network as its last checkpoint.
    static func runDirectory(_ dir: TemporaryDirectory) throws -> String {
        try FileManager.default.createDirectory(atPath: dir.file("run/checkpoints"), withIntermediateDirectories: true)
        var g = Generator(seed: 1)
        let net = QNetwork(try DQNPreset.preset("minatar-breakout").agent.network, generator: &g)
        try Checkpoint.save(modules: ["online": net], metadata: ["preset": "minatar-breakout"],
                            to: dir.file("run/checkpoints/last.safetensors"))
        return dir.file("run")
    }

    @Test func playsCheckpointAndWritesFrames() throws {
        let dir = TemporaryDirectory("dqn-play")
        let run = try Self.runDirectory(dir)
        let returns = try DQNExperiment.play(checkpoint: run, episodes: 2, seed: 3, render: false, framesOut: dir.file("frames"))
        #expect(returns.count == 2)
        let frames = try FileManager.default.contentsOfDirectory(atPath: dir.file("frames")).filter { $0.hasSuffix(".png") }
        #expect(frames.contains("episode000_frame00000.png") && frames.contains { $0.hasPrefix("episode001_") })
        let bitmap = try Bitmap.readPNG(dir.file("frames/episode000_frame00000.png"))
        #expect(bitmap.width == 160 && bitmap.height == 160)
    }

    /// A file as the directory, or a directory under a file: one message naming the path and the reason.
    @Test func framesOutOnABadPathIsOneClearError() throws {
        let dir = TemporaryDirectory("dqn-play-bad")
        let run = try Self.runDirectory(dir)
        let file = dir.write("a-file", [1])
        for (path, reason) in [(file, "is a file, not a directory"), (file + "/frames", "cannot create \(file)/frames: Not a directory")] {
            do {
                _ = try DQNExperiment.play(checkpoint: run, episodes: 1, seed: 0, render: false, framesOut: path)
                Issue.record("frames were written to \(path)")
            } catch let error as RunError {
                #expect(error.description.hasPrefix("--frames-out \(path): ") && error.description.contains(reason), "\(error)")
            }
        }
    }

    /// `workbench import dqn`: a plain online-network state dict plays as the same network, and the
    /// target network starts as its copy.
    @Test func importedStateDictPlaysAsItself() throws {
        let dir = TemporaryDirectory("dqn-import")
        let run = try Self.runDirectory(dir)
        let checkpoint = try SafeTensorsFile(contentsOf: run + "/checkpoints/last.safetensors")
        var bare = SafeTensorsFile()
        for name in checkpoint.names { bare.set(String(name.dropFirst("online.".count)), checkpoint[name]!) }
        try bare.write(to: dir.file("online.safetensors"))
        let imported = try RunImport.make(DQNExperiment.self, stateDict: dir.file("online.safetensors"), preset: "minatar-breakout",
                                          modelConfig: nil, root: dir.file("runs"))
        let played = try DQNExperiment.play(checkpoint: imported.directory, episodes: 2, seed: 3, render: false)
        #expect(played == (try DQNExperiment.play(checkpoint: run, episodes: 2, seed: 3, render: false)))
        let file = try SafeTensorsFile(contentsOf: imported.lastCheckpointPath)
        for name in checkpoint.names {
            #expect(file[name]?.bytes == checkpoint[name]?.bytes && file["target." + name.dropFirst("online.".count)]?.bytes == checkpoint[name]?.bytes)
        }
    }
}
