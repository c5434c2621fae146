// `workbench run` and `workbench resume`: a paper's reference experiment in a run directory.
import ArgumentParser
import Foundation
import WorkbenchRun

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a paper's reference experiment.",
        discussion: "Writes runs/<paper>-<preset>-<time>/ with config.json, metrics.jsonl, checkpoints/, plots/ and summary.json."
    )

    @Argument(help: "Paper id (see `workbench list`).")
    var paper: String

    @Option(help: "Preset (see `workbench list`); default: the paper's.")
    var preset: String?

    @Option(parsing: .unconditional, help: "Number of epochs (default: the preset's).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Random seed; the same seed gives the same run.")
    var seed: UInt64 = 0

    @Option(help: "Parent directory of run directories.")
    var out: String = "runs"

    @Option(help: "Directory holding datasets (overrides WORKBENCH_DATA).")
    var dataDir: String?

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        // config.json records the seed as a JSON integer (Int64).
        if seed > UInt64(Int64.max) { throw ValidationError("--seed must be in 0...\(Int64.max), got \(seed)") }
        if out.isEmpty { throw ValidationError("--out must name a directory (default: runs)") }
    }

    func run() throws {
        let (paper, preset) = try Papers.find(self.paper, preset: self.preset)
        let run = try ExperimentRun(paper: paper.id, preset: preset, seed: seed, epochs: epochs,
                                    dataDirectory: dataDir, root: out)
        try execute(paper, run)
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Continue a stopped run from its last checkpoint.")

    @Argument(help: "The run directory.")
    var runDirectory: String

    func run() throws {
        let run = try ExperimentRun(resuming: runDirectory)
        let paper = try Papers.find(run.paper)
        try execute(paper, run)
    }
}

/// Runs the experiment, then writes and prints the summary; a stop or a divergence is reported.
func execute(_ paper: any PaperExperiment.Type, _ run: ExperimentRun) throws {
    lineBufferStandardOutput()
    if run.parallel.worldSize > 1 && !paper.supportsDataParallel {
        if run.isMain { print("error: \(paper.id) does not train data-parallel yet; run it with workbench") }
        throw ExitCode.failure
    }
    configureAllocatorForTensors()
    Interrupt.install()
    // Under workbench-mpi only rank 0 talks; the others train silently.
    let say: (String) -> Void = { if run.isMain { print($0) } }
    say("\(run.isResumed ? "Resuming" : "Running") \(paper.id) (preset \(run.preset), seed \(run.seed)) in \(run.directory)"
        + (run.parallel.worldSize > 1 ? " on \(run.parallel.worldSize) processes" : ""))
    let metrics: [String: Double]
    do {
        metrics = try paper.run(run)
    } catch let error as RunError {
        print("error: \(error.description)")  // every rank: the error may be one rank's
        throw ExitCode.failure
    }
    if Interrupt.isRequested {
        say("Stopped. Continue with: workbench resume \(run.directory)")
        throw ExitCode(130)
    }
    let summary = try run.writeSummary(metrics)
    guard run.isMain else { return }
    print("Summary (\(run.directory)/summary.json):")
    for (key, value) in summary.sorted(by: { $0.key < $1.key }) { print("  \(key): \(RunReportFormat.value(value))") }
    if !run.times.seconds.isEmpty { print("Time: " + run.times.breakdown(total: run.processSeconds)) }
    print("Plots: \(run.plotsDirectory)   report: workbench report \(run.directory)")
}

enum RunReportFormat {
    static func value(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : String(format: "%.4f", v)
    }
}
