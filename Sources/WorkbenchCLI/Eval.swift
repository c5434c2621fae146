// `workbench eval` and `workbench predict`: use a trained run's checkpoint (image-classifier papers).
import ArgumentParser
import Foundation
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
    static let configuration = CommandConfiguration(abstract: "Test accuracy of a run's best (else last) checkpoint.")

    @Argument(help: "Paper id, e.g. inception.") var paper: String
    @Argument(help: "The model: \(RunCheckpoint.rule).") var runDirectory: String
    @Option(help: "Directory holding datasets (overrides WORKBENCH_DATA).") var dataDir: String?

    func run() throws {
        // Errors go to stderr with a non-zero exit, as in every other command.
        let metrics = try classifierPaper(paper).evaluate(runDirectory: runDirectory, dataDirectory: dataDir)
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
