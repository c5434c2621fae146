// workbench-bench: release-mode benchmarks.
//   workbench-bench core                 kernel table: matmul vs raw cblas_sgemm, conv2d fwd/bwd,
//                                        the sgemm products of one seq2seq step
//   workbench-bench WORKLOAD [--json]    one workload of docs/BENCHMARKS.md (median ms per step)
//   workbench-bench --list               workload names
//   workbench-bench machine              the CPU and OpenBLAS kernel every output names
//   workbench-bench convs                conv2d fwd+bwd for the papers' layer shapes on the path each
//                                        takes (WORKBENCH_CONV=im2col|onednn forces one)
// Times and float results depend on the CPU and the OpenBLAS kernel, so each output names them.
import Foundation

import WorkbenchCore
import WorkbenchRun

configureAllocatorForTensors()
var arguments = Array(CommandLine.arguments.dropFirst())
let json = arguments.contains("--json")
arguments.removeAll { $0 == "--json" }
var iterations = 20
if let i = arguments.firstIndex(of: "--iterations"), i + 1 < arguments.count, let n = Int(arguments[i + 1]), n > 0 {
    iterations = n
    arguments.removeSubrange(i...(i + 1))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

switch arguments.first {
case "--list":
    print(Workloads.names.joined(separator: "\n"))
case "machine":
    print(machineLine())
case "convs":
    print(machineLine())
    for row in CoreBenchmarks.convShapes(iterations: iterations) { print(row) }
case nil, "core":
    printCoreTable()
case let name? where arguments.count == 1:
    guard let w = Workloads.make(name) else {
        fail("unknown workload '\(name)'; workloads: \(Workloads.names.joined(separator: ", ")); or core, machine")
    }
    let ms = medianMilliseconds(iterations: iterations, w.step)
    let samplesPerSecond = Double(w.samples) / ms * 1e3
    let gflops = w.flops.map { $0 / ms / 1e6 }
    if json {
        let g = gflops.map { String(format: "%.2f", $0) } ?? "null"
        let machine = JSONValue.object(Machine.description).jsonText
        print(#"{"workload": "\#(name)", "ms": \#(ms), "samples_per_s": \#(samplesPerSecond), "gflops": \#(g), "peak_rss_mb": \#(Machine.peakRSSMegabytes()), "machine": \#(machine)}"#)
    } else {
        print(machineLine())
        print(String(format: "%@: %.3f ms/step, %.1f samples/s%@, peak RSS %.0f MiB", name, ms, samplesPerSecond,
                     gflops.map { String(format: ", %.1f GFLOP/s", $0) } ?? "", Machine.peakRSSMegabytes()))
    }
default:
    fail("usage: workbench-bench [core | machine | --list | WORKLOAD [--json] [--iterations N]]")
}

/// One line: CPU model, cores and the OpenBLAS kernel with its build configuration.
func machineLine() -> String {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    return "machine: \(Machine.cpuModel), \(cores) cores, OpenBLAS kernel \(BLASKernel.coreName) (\(BLASKernel.config)), \(ConvBackend.description)"
}

func printCoreTable() {
    print("Core benchmarks (release build, median of timed runs; OPENBLAS_NUM_THREADS=\(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "default"))")
    print(machineLine())
    var rows: [BenchmarkRow] = []
    rows += CoreBenchmarks.sgemm(size: 256, iterations: 200)
    rows += CoreBenchmarks.sgemm(size: 1024, iterations: 30)
    rows += CoreBenchmarks.conv(iterations: 10)
    rows += CoreBenchmarks.seq2seqProducts(iterations: 10)
    let width = rows.map(\.name.count).max()!
    func pad(_ s: String) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
    print("\(pad("workload"))         ms   GFLOP/s  note")
    for r in rows {
        print("\(pad(r.name))  \(String(format: "%9.3f", r.milliseconds))  \(r.gflops.map { String(format: "%8.1f", $0) } ?? "       -")  \(r.note)")
    }
    print(String(format: "peak RSS %.0f MiB", Machine.peakRSSMegabytes()))
}
