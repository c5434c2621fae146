// `workbench run` / `resume` refuse out-of-range arguments and config values with one message and
// a non-zero exit, where they used to stop on a trap (seed above Int64.max, a negative seed or
// epochs_override in config.json) or write the run into `/` (`--out ""`).
import Foundation
import Testing
import WorkbenchTesting

struct RunArgumentTests {
    @Test(arguments: [(["--seed", "9223372036854775808"], "--seed must be in 0...9223372036854775807"),
                      (["--out", ""], "--out must name a directory")])
    func runRefusesOutOfRangeArguments(_ extra: [String], _ message: String) throws {
        let r = try #require(try runBuiltExecutable("workbench", ["run", "lenet", "--preset", "quick"] + extra))
        #expect(!r.crashed && r.status != 0, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test(arguments: [("\"seed\":-1", "run.seed must be at least 0, got -1"),
                      ("\"epochs_override\":0", "run.epochs_override must be at least 1, got 0")])
    func resumeRefusesOutOfRangeConfigValues(_ field: String, _ message: String) throws {
        let dir = TemporaryDirectory("resume-config")
        let seed = field.hasPrefix("\"seed\"") ? field : "\"seed\":0, " + field
        try "{\"run\": {\"paper\": \"lenet\", \"preset\": \"quick\", \(seed)}}\n"
            .write(toFile: dir.path + "/config.json", atomically: true, encoding: .utf8)
        let r = try #require(try runBuiltExecutable("workbench", ["resume", dir.path]))
        #expect(!r.crashed && r.status != 0, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    /// eval and predict used to print their errors on stdout.
    @Test(arguments: [["eval", "lenet"], ["predict", "lenet"]])
    func evalAndPredictErrorsGoToStderr(_ command: [String]) throws {
        let dir = TemporaryDirectory("no-run")
        let r = try #require(try runBuiltExecutable("workbench", command + [dir.path + "/absent"] + (command[0] == "predict" ? ["x.png"] : [])))
        #expect(!r.crashed && r.status != 0)
        #expect(r.stdout.isEmpty && r.stderr.contains("absent"), "stdout: \(r.stdout) stderr: \(r.stderr)")
    }

    /// The commit comes from the checkout the binary was built from, wherever it is run.
    @Test func versionNamesTheSourceCommit() throws {
        let r = try #require(try runBuiltExecutable("workbench", ["--version"]))
        #expect(r.status == 0 && r.stdout.hasPrefix("workbench, commit "), "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains(repositoryRoot) && !r.stdout.contains("unknown"), "\(r.stdout)")
        // The commit recorded at build time is one of this repository's.
        let commit = r.stdout.dropFirst("workbench, commit ".count).prefix(12)
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", repositoryRoot, "cat-file", "-e", String(commit) + "^{commit}"]
        try git.run()
        git.waitUntilExit()
        #expect(commit.count == 12 && git.terminationStatus == 0, "\(commit) is not a commit of \(repositoryRoot)")
    }
}
