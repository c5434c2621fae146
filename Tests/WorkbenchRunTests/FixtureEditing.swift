// Copies of real fixtures with one thing changed, written to a temporary directory, and the
// check that such a copy fails.
import Foundation
import Testing
import WorkbenchTesting

/// A committed fixture by its path under Tests/Fixtures, e.g. `ops/conv2d_k3_p1`.
func committedFixture(_ name: String) -> String {
    "\(repositoryRoot)/Tests/Fixtures/\(name).safetensors"
}

/// Writes the fixture `name` after `edit` changed it; returns the new file's path.
func editedFixture(_ name: String, in dir: TemporaryDirectory, as newName: String? = nil,
                   _ edit: (inout SafeTensorsFile) throws -> Void) throws -> String {
    var file = try SafeTensorsFile(contentsOf: committedFixture(name))
    try edit(&file)
    let path = dir.file((newName ?? name.split(separator: "/").last.map(String.init)!) + ".safetensors")
    try file.write(to: path)
    return path
}

extension SafeTensorsFile {
    /// Replaces the float tensor `key` with `change` applied to its values (shape kept unless given).
    mutating func modify(_ key: String, shape: [Int]? = nil, _ change: (inout [Float]) -> Void) throws {
        let t = try tensor(key)
        var values = t.data
        change(&values)
        set(key, Tensor(shape: shape ?? t.shape, data: values))
    }
}

/// The verdict on `path`, which must fail with a problem containing every string in `needles`.
func expectFailure(_ path: String, mentioning needles: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    let report = FixtureVerifier.verify(path: path)
    #expect(!report.passed, "a perturbed fixture passed: \(report.line)", sourceLocation: sourceLocation)
    #expect(report.line.hasPrefix("FAIL "), sourceLocation: sourceLocation)
    for needle in needles {
        #expect(report.problems.contains { $0.contains(needle) }, "no problem mentions '\(needle)': \(report.line)",
                sourceLocation: sourceLocation)
    }
}
