// Random command lines and random config.json edits through the built `workbench`: whatever the
// input, the process ends with exit 0 or one error message and a non-zero exit, never a crash.
// Only inputs that fail before any training starts are run (no data set, no checkpoint).
import Foundation
import Testing
import WorkbenchRun
import WorkbenchTesting

@Suite struct CLIFuzzTests {
    static let values = ["-1", "0", "1", "-0", "3.5", "1e9", "9223372036854775808", "-9223372036854775809", "", " ",
                         "abc", "--", "-", "é", "\u{0}x", "nan", "inf", "/dev/null", "/nonexistent", "/etc/hostname",
                         String(repeating: "9", count: 40)]
    static let options = ["--preset", "--epochs", "--seed", "--out", "--data-dir", "--n", "--top", "--episodes", "--beam",
                          "--compare", "--render", "--help", "--frames-out", "--title", "--arxiv", "--kind", "--bogus", "-x"]
    static let commands = ["run", "resume", "report", "verify", "eval", "predict", "sample", "play", "translate", "bleu",
                           "list", "new", "nothing", ""]
    static let papers = ["lenet", "inception", "dcgan", "dqn", "seq2seq", "LeNet", "none", ""]

    func pick<T>(_ list: [T], _ g: inout Generator) -> T { list[g.integer(below: list.count)] }

    @Test func randomCommandLinesNeverCrash() throws {
        let dir = TemporaryDirectory("cli-fuzz")
        var g = Generator(seed: 7)
        for trial in 0..<120 {
            var arguments = [pick(Self.commands, &g)]
            for _ in 0..<g.integer(below: 6) {
                switch g.integer(below: 3) {
                case 0: arguments.append(pick(Self.papers, &g))
                case 1: arguments += [pick(Self.options, &g), pick(Self.values, &g)]
                default: arguments.append(pick(Self.values, &g))
                }
            }
            // Nothing may train or write outside the test's directory: no data, runs under dir.
            if arguments[0] == "run" || arguments[0] == "new" { arguments += ["--data-dir", dir.file("no-data"), "--out", dir.file("runs")] }
            if arguments[0] == "run" && (arguments.contains("dqn") || arguments.contains("seq2seq")) { continue }
            if arguments[0] == "new" { continue }  // would add a paper to this checkout's Package.swift
            let r = try #require(try runBuiltExecutable("workbench", arguments))
            #expect(!r.crashed, "trial \(trial): \(arguments) crashed: \(r.stderr)")
            #expect(r.status == 0 || !r.stderr.isEmpty, "trial \(trial): \(arguments) failed silently")
        }
    }

    @Test func randomConfigEditsNeverCrashResume() throws {
        let dir = TemporaryDirectory("config-fuzz")
        let fields: [(String, [String])] = [
            ("paper", ["\"lenet\"", "\"inception\"", "\"dcgan\"", "\"nothing\"", "1", "null", "[]"]),
            ("preset", ["\"quick\"", "\"fashion\"", "\"none\"", "0", "{}", "null"]),
            ("seed", ["0", "-1", "1.5", "9223372036854775807", "1e30", "\"3\"", "null", "true"]),
            ("epochs_override", ["1", "0", "-4", "2.5", "1e12", "\"x\"", "null"]),
            ("data_dir", ["\"\(dir.file("no-data"))\"", "\"\"", "5", "null"]),
        ]
        var g = Generator(seed: 11)
        for trial in 0..<60 {
            var entries: [String] = []
            for (key, choices) in fields where g.integer(below: 5) > 0 { entries.append("\"\(key)\": \(pick(choices, &g))") }
            let run = dir.file("run\(trial)")
            try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
            let text = g.integer(below: 10) == 0 ? "{\"run\": [" : "{\"run\": {\(entries.joined(separator: ", "))}, \"hyperparameters\": {}}"
            try text.write(toFile: run + "/config.json", atomically: true, encoding: .utf8)
            // A config that names a paper may start it only without data: it must fail at the data.
            let startsAPaper = ["lenet", "inception", "dcgan"].contains { text.contains("\"paper\": \"\($0)\"") }
            if startsAPaper && !text.contains("no-data") { continue }
            let r = try #require(try runBuiltExecutable("workbench", ["resume", run]))
            #expect(!r.crashed, "trial \(trial): \(text) crashed: \(r.stderr)")
            #expect(r.status != 0 && !r.stderr.isEmpty, "trial \(trial): \(text) gave \(r.status) \(r.stdout)")
        }
    }
}
