// Running the package's executables (built by `swift build --build-tests` next to the test
// bundle) from tests.
import Foundation
import Testing
import WorkbenchTesting

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var crashed: Bool
}

/// Runs the built executable `name` with `arguments` and extra `environment` variables; nil (and a
/// recorded issue) when it is found neither next to the test bundle nor in .build/release.
func runBuiltExecutable(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult? {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    guard let executable = [besideTests, repositoryRoot + "/.build/release/" + name].first(where: {
        FileManager.default.isExecutableFile(atPath: $0)
    }) else {
        Issue.record("the \(name) executable was not found next to the tests (\(CommandLine.arguments[0])) or in .build/release")
        return nil
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read before waiting so a full pipe cannot block the child.
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self), crashed: process.terminationReason == .uncaughtSignal)
}

/// A started executable whose output is collected by `wait()`.
final class StartedProcess {
    let process: Process
    let out = Pipe(), err = Pipe()

    init(_ process: Process) throws {
        self.process = process
        process.standardOutput = out
        process.standardError = err
        try process.run()
    }

    func wait() -> ProcessResult {
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: stderr, as: UTF8.self), crashed: process.terminationReason == .uncaughtSignal)
    }
}

/// Starts the built executable `name` without waiting for it (see `runBuiltExecutable`).
func startBuiltExecutable(_ name: String, _ arguments: [String]) throws -> StartedProcess {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    let executable = try #require([besideTests, repositoryRoot + "/.build/release/" + name].first {
        FileManager.default.isExecutableFile(atPath: $0)
    })
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    return try StartedProcess(process)
}
