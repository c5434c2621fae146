// End-to-end checks of a paper's run on tiny data: a synthetic Fashion-MNIST in IDX format, and
// the resume check every paper passes (an interrupted and resumed run ends bit-identical to an
// uninterrupted one).
import Foundation
import WorkbenchCore
import WorkbenchData
import WorkbenchRun

/// Writes `train` and `test` random 28x28 images with labels 0...9 in turn, as the four
/// Fashion-MNIST IDX files, into `directory` (for `--data-dir`).
public func writeSyntheticFashionMNIST(to directory: String, train: Int, test: Int, seed: UInt64 = 1) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var g = Generator(seed: seed)
    for (split, count) in [("train", train), ("t10k", test)] {
        let pixels = (0..<(count * 784)).map { _ in UInt8(g.integer(below: 256)) }
        try IDX.write(IDXArray(dataType: .uint8, shape: [count, 28, 28], bytes: pixels),
                      to: "\(directory)/\(split)-images-idx3-ubyte")
        try IDX.write(IDXArray(dataType: .uint8, shape: [count], bytes: (0..<count).map { UInt8($0 % 10) }),
                      to: "\(directory)/\(split)-labels-idx1-ubyte")
    }
}

/// What differs between a run of `paper` that is stopped after `stopAfterStep` steps and then
/// resumed (as `workbench resume` does) and the same run uninterrupted: every tensor of every
/// checkpoint file, metrics.jsonl and the summary, less wall times. Empty when the resume is exact.
/// Throws when the stop did not happen (a step count past the end of the run).
public func resumeDifferences<Paper: PaperExperiment>(_ paper: Paper.Type, preset: String, seed: UInt64 = 1,
                                                      epochs: Int? = nil, dataDirectory: String? = nil,
                                                      stopAfterStep: Int, root: String) throws -> [String] {
    let whole = try ExperimentRun(paper: Paper.id, preset: preset, seed: seed, epochs: epochs,
                                  dataDirectory: dataDirectory, root: root + "/whole")
    let wholeSummary = try whole.writeSummary(try Paper.run(whole))

    let first = try ExperimentRun(paper: Paper.id, preset: preset, seed: seed, epochs: epochs,
                                  dataDirectory: dataDirectory, root: root + "/stopped")
    first.stopAfterStep = stopAfterStep
    _ = try Paper.run(first)
    guard first.stopRequested else { throw RunError.invalid("the run ended before step \(stopAfterStep): no stop happened") }
    first.close()
    let resumed = try ExperimentRun(resuming: first.directory)
    let resumedSummary = try resumed.writeSummary(try Paper.run(resumed))

    var differences: [String] = []
    let timing: (String) -> Bool = { $0 == "time" || $0 == "wall_seconds" || $0 == "peak_rss_mb" || $0 == "ms_per_step"
        || $0.hasPrefix("time_") || $0.hasSuffix("_per_second") || $0.hasSuffix("_seconds") }
    func compare(_ a: [String: Double], _ b: [String: Double], _ what: String) {
        for key in Set(a.keys).union(b.keys).sorted() where !timing(key) {
            let x = a[key], y = b[key]
            if x != y && !(x?.isNaN == true && y?.isNaN == true) {
                differences.append("\(what) \(key): \(x.map { "\($0)" } ?? "missing") vs \(y.map { "\($0)" } ?? "missing")")
            }
        }
    }
    compare(wholeSummary, resumedSummary, "summary")
    let a = try metricsRecords(whole.directory), b = try metricsRecords(resumed.directory)
    if a.count != b.count { differences.append("metrics.jsonl: \(a.count) records vs \(b.count)") }
    for (i, (x, y)) in zip(a, b).enumerated() { compare(x, y, "metrics.jsonl record \(i + 1)") }

    let names = try FileManager.default.contentsOfDirectory(atPath: whole.checkpointsDirectory).sorted()
    let resumedNames = try FileManager.default.contentsOfDirectory(atPath: resumed.checkpointsDirectory).sorted()
    if names != resumedNames { differences.append("checkpoints/: \(names) vs \(resumedNames)") }
    for name in names where resumedNames.contains(name) {
        let x = try SafeTensorsFile(contentsOf: whole.checkpointsDirectory + "/" + name)
        let y = try SafeTensorsFile(contentsOf: resumed.checkpointsDirectory + "/" + name)
        if x.names != y.names { differences.append("\(name): tensors \(x.names) vs \(y.names)"); continue }
        for key in x.names where x[key]?.bytes != y[key]?.bytes || x[key]?.shape != y[key]?.shape { differences.append("\(name): \(key) differs") }
        for (key, value) in x.metadata where key != "state" && y.metadata[key] != value {
            differences.append("\(name): metadata \(key) differs")
        }
    }
    return differences
}

/// metrics.jsonl as records (null values as NaN).
func metricsRecords(_ directory: String) throws -> [[String: Double]] {
    let text = try String(contentsOfFile: directory + "/metrics.jsonl", encoding: .utf8)
    return text.split(separator: "\n").map { line in
        guard case .object(let o)? = JSONValue.parse(String(line)) else { return [:] }
        return o.compactMapValues { $0.doubleValue ?? ($0 == .null ? Double.nan : nil) }
    }
}
