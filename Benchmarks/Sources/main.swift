// workbench-bench: release-mode benchmarks. `core` times the compute core's kernels.
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let suite = arguments.first ?? "core"
guard suite == "core" else {
    FileHandle.standardError.write("usage: workbench-bench [core]\n".data(using: .utf8)!)
    exit(2)
}
print("Core benchmarks (release build, median of timed runs; OpenBLAS threads: \(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "default"))")
var rows: [BenchmarkRow] = []
rows += CoreBenchmarks.sgemm(size: 256, iterations: 200)
rows += CoreBenchmarks.sgemm(size: 1024, iterations: 30)
rows += CoreBenchmarks.conv(iterations: 10)
let nameWidth = rows.map(\.name.count).max()!
print("\("workload".padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \("ms".leftPad(9))  \("GFLOP/s".leftPad(8))  note")
for r in rows {
    print("\(r.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(String(format: "%9.3f", r.milliseconds))  \(r.gflops.map { String(format: "%8.1f", $0) } ?? "       -")  \(r.note)")
}
print(String(format: "peak RSS %.0f MiB", peakRSSMegabytes()))

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: " ", count: max(0, n - count)) + self }
}
