// `workbench verify`: runs PyTorch-written fixture files and reports each against its tolerances.
import ArgumentParser
import Foundation
import WorkbenchRun

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check fixtures written by a PyTorch reference script (workbench-fixture/1).",
        discussion: """
        Each FILE is a .safetensors fixture; a DIR is searched recursively for them. One line per \
        fixture names the worst-matching tensor; the last line is `N passed, N failed`. The exit \
        status is 0 only when every fixture passes.
        """
    )

    @Argument(help: "Fixture files or directories.")
    var paths: [String] = []

    @Flag(help: "Print every op and model id that fixtures may name, then exit.")
    var list = false

    func validate() throws {
        if !list && paths.isEmpty { throw ValidationError("give fixture files or directories, or --list") }
    }

    func run() throws {
        Papers.registerFixtures()
        if list {
            print("ops (kind: op):")
            for id in FixtureRegistry.opIds { print("  \(id)") }
            print("models (kind: model):")
            let models = FixtureRegistry.modelIds
            if models.isEmpty { print("  (none registered yet)") }
            for id in models { print("  \(id)") }
            return
        }
        let files = try collect(paths)
        guard !files.isEmpty else { throw ValidationError("no .safetensors files found in \(paths.joined(separator: " "))") }
        var passed = 0, failed = 0
        for file in files {
            let report = FixtureVerifier.verify(path: file)
            print(report.line)
            if report.passed { passed += 1 } else { failed += 1 }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode.failure }
    }

    /// Files as given, directories expanded to their .safetensors files (sorted).
    func collect(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw ValidationError("no such file or directory: \(path)")
            }
            if isDir.boolValue {
                let found = (fm.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".safetensors") }.sorted()
                out += found.map { (path as NSString).appendingPathComponent($0) }
            } else {
                out.append(path)
            }
        }
        return out
    }
}
