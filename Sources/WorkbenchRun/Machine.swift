// Facts about the machine and the source tree recorded in config.json and summary.json.
import Foundation
import WorkbenchCore

public enum Machine {
    /// The checkout this binary was compiled from: the compiler records each source file's path,
    /// and this file is <checkout>/Sources/WorkbenchRun/Machine.swift.
    public static let sourceDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The commit the binary was built from, recorded at build time (Plugins/BuildInfo), with
    /// `-dirty` for uncommitted changes, or "unknown" when it was not built from a git checkout.
    public static let gitCommit = buildCommit

    /// `workbench --version`: the source commit and where the binary was built from.
    public static var version: String { "workbench, commit \(gitCommit) of \(sourceDirectory)" }

    /// The machine block of config.json. `cpu`, `blas_core`, `blas_config` and `conv_backend` say
    /// which float rounding a run had: a rerun is bit-identical only under the same OpenBLAS kernel
    /// and oneDNN instruction set (README, "Same seed, same run").
    public static var description: [String: JSONValue] {
        let info = ProcessInfo.processInfo
        return [
            "host": .string(info.hostName),
            "cores": .int(info.activeProcessorCount),
            "memory_gib": .double((Double(info.physicalMemory) / 1_073_741_824 * 10).rounded() / 10),
            "os": .string(info.operatingSystemVersionString),
            "cpu": .string(cpuModel),
            "blas_core": .string(BLASKernel.coreName),
            "blas_config": .string(BLASKernel.config),
            "conv_backend": .string(ConvBackend.description),
        ]
    }

    /// The first `model name` of /proc/cpuinfo, e.g. `AMD EPYC 7B13`, or "unknown" (no such file
    /// or line, as on some ARM kernels).
    public static var cpuModel: String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown" }
        let model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return model.isEmpty ? "unknown" : model
    }

    /// Peak resident set size of this process in MiB (VmHWM).
    public static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return (kb / 1024 * 10).rounded() / 10
    }
}
