// `workbench eval` and `workbench predict`: use a trained run's checkpoint (image-classifier papers;
// eval also measures an AlphaGo Zero network).
import ArgumentParser
import Foundation
import AlphaGoZero
import WorkbenchRun

/// The paper of a run directory, as an image classifier.
func classifierPaper(_ id: String) throws -> any ImageClassifierPaper.Type {
    let paper = try Papers.find(id)
    guard let classifier = paper as? any ImageClassifierPaper.Type else {
        throw RunError.invalid("\(id) is not an image classifier: eval and predict do not apply")
    }
    return classifier
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Test accuracy of a run's best (else last) checkpoint; for alphago-zero, its play and optimal moves.",
        discussion: """
            workbench eval inception RUN: accuracy (and per class) on the test set.
            workbench eval alphago-zero RUN [--simulations N] [--games N]: win rates against a random \
            player and against pure MCTS, and the share of solved positions where the network's move, \
            alone and with search, is optimal; the run's evaluation settings unless given.
            """)

    @Argument(help: "Paper id, e.g. inception.") var paper: String
    @Argument(help: "The model: \(RunCheckpoint.rule).") var runDirectory: String
    @Option(help: "Directory holding datasets (overrides WORKBENCH_DATA).") var dataDir: String?
    @Option(parsing: .unconditional, help: "alphago-zero: simulations per move of the agent's search.") var simulations: Int?
    @Option(parsing: .unconditional, help: "alphago-zero: games against random and against pure MCTS, each.") var games: Int?
    @Option(parsing: .unconditional, help: "alphago-zero: seed of the games and searches.") var seed: UInt64 = 0

    func validate() throws {
        if paper != AlphaGoZeroExperiment.id && (simulations != nil || games != nil) {
            throw ValidationError("--simulations and --games apply to alphago-zero only")
        }
        if let simulations, simulations < 1 { throw ValidationError("--simulations must be at least 1, got \(simulations)") }
        if let games, games < 1 { throw ValidationError("--games must be at least 1, got \(games)") }
    }

    func run() throws {
        // Errors go to stderr with a non-zero exit, as in every other command.
        let metrics = paper == AlphaGoZeroExperiment.id
            ? try AlphaGoZeroExperiment.evaluate(checkpoint: runDirectory, simulations: simulations, games: games, seed: seed,
                                                 dataDirectory: dataDir)
            : try classifierPaper(paper).evaluate(runDirectory: runDirectory, dataDirectory: dataDir)
        for (key, value) in metrics.sorted(by: { $0.key < $1.key }) { print("\(key): \(RunReportFormat.value(value))") }
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Classify one PNG image with a run's best (else last) checkpoint.")

    @Argument(help: "Paper id, e.g. inception.") var paper: String
    @Argument(help: "The model: \(RunCheckpoint.rule).") var runDirectory: String
    @Argument(help: "A PNG image (any size, grey or colour).") var image: String
    @Option(parsing: .unconditional, help: "How many classes to show.") var top: Int = 3

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
    }

    func run() throws {
        let ranked = try classifierPaper(paper).predict(runDirectory: runDirectory, imagePath: image, top: top)
        for (label, p) in ranked { print(String(format: "%6.2f%%  %@", p * 100, label)) }
    }
}
