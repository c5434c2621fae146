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
