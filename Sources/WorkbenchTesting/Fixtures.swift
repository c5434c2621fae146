// Locating and running the committed PyTorch fixtures from tests.
import Foundation
@_exported import WorkbenchRun

/// The repository root, found from this source file's location (tests run from any directory).
public let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }   // Sources/WorkbenchTesting/Fixtures.swift
    return url.path
}()

/// Sorted paths of the `.safetensors` files in `directory` (relative to the repository root).
public func fixtureFiles(in directory: String) -> [String] {
    let dir = repositoryRoot + "/" + directory
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { $0.hasSuffix(".safetensors") }.sorted().map { dir + "/" + $0 }
}

/// A test-only fixture of Tests/Fixtures/literals/, written by Tests/Fixtures/make_test_fixtures.py
/// for a configuration `workbench verify` has no id for (ids `test.*`). The test computes what the
/// file describes from its `input.*` tensors and compares each `expect.*` tensor with `mismatch`,
/// under the file's tolerances, as the verifier would.
public struct LiteralFixture {
    public let fixture: Fixture

    /// Loads Tests/Fixtures/literals/`name`.safetensors.
    public init(_ name: String) throws(FixtureError) {
        fixture = try Fixture(path: repositoryRoot + "/Tests/Fixtures/literals/\(name).safetensors")
    }

    /// A float tensor of the file (`input.x`, `upstream.y`, ...).
    public func tensor(_ key: String) throws(FixtureError) -> Tensor { try fixture.tensor(key) }

    /// An integer tensor of the file (`input.target`).
    public func indices(_ key: String) throws(FixtureError) -> IndexTensor { try fixture.indexTensor(key) }

    /// nil when `actual` matches the file's `key` in shape and values (|a - b| <= atol + rtol * |b|,
    /// with `grad_rtol` for `expect.grad.*`), else one line saying what differs.
    public func mismatch(_ key: String, _ actual: Tensor) throws(FixtureError) -> String? {
        let rtol = key.hasPrefix("expect.grad.") ? fixture.gradRtol : fixture.rtol
        return WorkbenchTesting.mismatch(key, actual, try fixture.tensor(key), atol: fixture.atol, rtol: rtol)
    }
}
