// AlphaGo Zero's run end to end on the quick preset (2 generations, a dozen solved positions given
// with --data-dir): the run directory, `eval` of its network, a game through `play`, training
// longer by raising the run's epochs, a stopped-then-resumed run that ends bit-identical to an
// uninterrupted one, and `workbench import`.
import AlphaGoZero
import Foundation
import Testing
import WorkbenchNN
import WorkbenchRun
import WorkbenchTesting

@Suite struct AlphaGoZeroRunTests {
    /// A data directory holding 12 solved positions 26-36 stones deep (fast to solve).
    static func dataDirectory(_ dir: TemporaryDirectory) throws -> String {
        let positions = TestPositions.build(count: 12, seed: 3, minStones: 26)
        let path = dir.file("data")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try positions.map(\.line).joined(separator: "\n").write(toFile: path + "/connect4-positions.txt", atomically: true, encoding: .utf8)
        #expect(try TestPositions.load(path + "/connect4-positions.txt") == positions)
        return path
    }

    @Test func quickRunWritesItsDirectoryAndPlays() throws {
        let dir = TemporaryDirectory("alphago-zero-run")
        let data = try Self.dataDirectory(dir)
        let run = try ExperimentRun(paper: AlphaGoZeroExperiment.id, preset: "quick", seed: 2, epochs: 2,
                                    dataDirectory: data, root: dir.file("runs"))
        let summary = try run.writeSummary(try AlphaGoZeroExperiment.run(run))
        #expect(summary["epochs"] == 2)
        for file in ["config.json", "metrics.jsonl", "summary.json", "plots/play.png", "plots/solver.png", "plots/elo.png",
                     "checkpoints/best.safetensors", "checkpoints/last.safetensors", "checkpoints/window.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(run.directory)/\(file)"), "\(file)")
        }
        let epochs = run.records.filter { $0["epoch"] != nil }
        #expect(epochs.count == 2)
        for key in ["win_rate_vs_random", "score_vs_best", "optimal_moves_network", "optimal_moves_mcts", "elo", "self_play_games_per_second"] {
            #expect(epochs.allSatisfy { $0[key] != nil }, "\(key) missing")
        }
        // `workbench eval` on the last checkpoint: the network alone is deterministic, so it must pick
        // the optimal moves the run measured after its last generation; the rest is seeded.
        let evaluate = { try AlphaGoZeroExperiment.evaluate(checkpoint: run.directory + "/checkpoints/last.safetensors", simulations: 10,
                                                            games: 4, seed: 5, dataDirectory: data) }
        let evaluation = try evaluate()
        #expect(evaluation["optimal_moves_network"] == epochs.last?["optimal_moves_network"])
        for key in ["win_rate_vs_random", "network_win_rate_vs_random", "win_rate_vs_mcts", "optimal_moves_mcts"] {
            #expect(evaluation[key].map { (0...1).contains($0) } == true, "\(key)")
        }
        #expect(evaluation["losses_as_first_vs_mcts"].map { (0...2).contains($0) } == true)
        #expect(try evaluate() == evaluation)
        // A game typed in: the person types columns 1, 2, ..., 7, 1, 2, ... until the game ends, whatever
        // the agent plays; "9" and a full column are refused, and the next input is asked for.
        var typed = ["9"] + (0..<42).flatMap { _ in (1...7).map(String.init) }
        let result = try AlphaGoZeroExperiment.play(checkpoint: run.directory, humanFirst: true, simulations: 10, seed: 0) {
            typed.isEmpty ? "q" : typed.removeFirst()
        }
        #expect(result.map { [.win, .loss, .draw].contains($0) } == true)
        // q stops the game without an error; input that ends mid-game is one.
        #expect(try AlphaGoZeroExperiment.play(checkpoint: run.directory, humanFirst: false, simulations: 10, seed: 0) { "q" } == nil)
        #expect(throws: RunError.self) {
            try AlphaGoZeroExperiment.play(checkpoint: run.directory, humanFirst: false, simulations: 10, seed: 0) { nil }
        }
        // Training longer: raising run.epochs_override in config.json and resuming adds a generation.
        let configPath = run.directory + "/config.json"
        let config = try String(contentsOfFile: configPath, encoding: .utf8)
        #expect(config.contains("\"epochs_override\" : 2"))
        try config.replacingOccurrences(of: "\"epochs_override\" : 2", with: "\"epochs_override\" : 3")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        run.close()
        let longer = try ExperimentRun(resuming: run.directory)
        defer { longer.close() }
        _ = try longer.writeSummary(try AlphaGoZeroExperiment.run(longer))
        #expect(longer.records.compactMap { $0["epoch"] } == [1, 2, 3])
    }

    @Test func resumeIsBitIdentical() throws {
        let dir = TemporaryDirectory("alphago-zero-resume")
        // quick: 40 training steps per generation; stop in the middle of generation 2.
        let differences = try resumeDifferences(AlphaGoZeroExperiment.self, preset: "quick", epochs: 2,
                                                dataDirectory: try Self.dataDirectory(dir), stopAfterStep: 55, root: dir.file("runs"))
        #expect(differences.isEmpty, "\(differences)")
    }

    /// `workbench import` takes a state dict of the network back as a new run directory.
    @Test func importedWeightsMakeARun() throws {
        let dir = TemporaryDirectory("alphago-zero-import")
        let recipe = try AlphaGoZeroRecipe.named("quick", in: AlphaGoZeroRecipe.all, paper: AlphaGoZeroExperiment.id)
        var g = Generator(seed: 1)
        let net = AlphaGoZeroNet(recipe.model, generator: &g)
        try Checkpoint.save(modules: ["": net], to: dir.file("state_dict.safetensors"))
        let run = try RunImport.make(AlphaGoZeroExperiment.self, stateDict: dir.file("state_dict.safetensors"), preset: "quick",
                                     modelConfig: nil, root: dir.file("runs"))
        let loaded = try AlphaGoZeroExperiment.loadNetwork(run.lastCheckpointPath)
        #expect(loaded.stateDict().map(\.1.data) == net.stateDict().map(\.1.data))
    }
}
