// The machine facts that say which float rounding a run or benchmark had: the CPU model, the
// OpenBLAS kernel and oneDNN's instruction set, in config.json's machine block and in
// workbench-bench's output.
import Foundation
import Testing
import WorkbenchTesting

@Suite struct MachineTests {
    @Test func machineBlockNamesTheCPUAndTheOpenBLASKernel() throws {
        let machine = Machine.description
        #expect(machine["blas_core"] == .string(BLASKernel.coreName) && !BLASKernel.coreName.isEmpty, "\(machine)")
        #expect(machine["blas_config"] == .string(BLASKernel.config) && BLASKernel.config.hasPrefix("OpenBLAS "), "\(machine)")
        #expect(machine["conv_backend"] == .string(ConvBackend.description) && ConvBackend.description.hasPrefix("oneDNN 2."),
                "\(machine)")
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        if let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
            #expect(machine["cpu"] == .string(Machine.cpuModel) && line.hasSuffix(": " + Machine.cpuModel), "\(line)")
        } else {
            #expect(machine["cpu"] == .string("unknown"))
        }
    }

    /// The kernel is the one OpenBLAS chose when the process started, which OPENBLAS_CORETYPE
    /// overrides in a DYNAMIC_ARCH build (Debian's): the benchmark must report that one.
    @Test func benchmarkReportsTheKernelOpenBLASRuns() throws {
        guard let plain = try runBuiltExecutable("workbench-bench", ["machine"]) else { return }
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout == "machine: \(Machine.cpuModel), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
                + "OpenBLAS kernel \(BLASKernel.coreName) (\(BLASKernel.config)), \(ConvBackend.description)\n")
        #if arch(x86_64)
        guard BLASKernel.config.contains("DYNAMIC_ARCH") else { return }
        guard let forced = try runBuiltExecutable("workbench-bench", ["machine"], environment: ["OPENBLAS_CORETYPE": "Sandybridge"]) else { return }
        #expect(forced.stdout.contains("OpenBLAS kernel Sandybridge ("), "\(forced.stdout)")
        #endif
        // oneDNN's instruction set, lowered by ONEDNN_MAX_CPU_ISA, and a forced convolution path.
        let isa = ["ONEDNN_MAX_CPU_ISA": "AVX2", "WORKBENCH_CONV": "im2col"]
        guard let lowered = try runBuiltExecutable("workbench-bench", ["machine"], environment: isa) else { return }
        #expect(lowered.stdout.hasSuffix(", ISA avx2 (WORKBENCH_CONV=im2col)\n"), "\(lowered.stdout)")
    }
}
