// `workbench report`: a run's summary, plots and an HTML page; or several runs compared.
import ArgumentParser
import Foundation
import WorkbenchRun

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a run (writes report.html into it), or compare several runs' curves.")

    @Argument(help: "Run directories.")
    var runs: [String]

    @Flag(help: "Plot the runs' shared metrics together.")
    var compare = false

    @Option(help: "Where --compare writes its plots.")
    var out: String = "runs/compare"

    func validate() throws {
        if runs.isEmpty { throw ValidationError("give a run directory") }
        if compare && runs.count < 2 { throw ValidationError("--compare needs at least two run directories") }
        if !compare && runs.count > 1 { throw ValidationError("give one run directory, or use --compare") }
    }

    func run() throws {
        if compare {
            for dir in runs { _ = try RunReport.config(of: dir) }
            let plots = try RunReport.compare(runs, into: out)
            guard !plots.isEmpty else {
                throw RunError.invalid("the runs share no logged metric (\(runs.joined(separator: ", "))): nothing to compare")
            }
            print("Wrote:\n" + plots.map { "  " + $0 }.joined(separator: "\n"))
            return
        }
        let dir = runs[0]
        _ = try RunReport.config(of: dir)
        let summary = RunReport.summary(of: dir)
        if summary.isEmpty { print("\(dir): no summary.json yet (the run has not finished).") }
        for (key, value) in summary.sorted(by: { $0.key < $1.key }) { print("  \(key): \(RunReportFormat.value(value))") }
        for image in RunReport.images(of: dir) { print("  image: \(image)") }
        print("Wrote \(try RunReport.writeHTML(for: dir))")
    }
}
