// Timing helpers: median wall time of repeated runs after warm-up, and peak RSS.
import Foundation

/// Median milliseconds per call of `body` over `iterations` timed runs after `warmup` untimed ones.
func medianMilliseconds(warmup: Int = 3, iterations: Int, _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    var times: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        let d = clock.measure(body)
        times.append(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15)
    }
    times.sort()
    return times[times.count / 2]
}

/// Peak resident set size of this process in MiB (VmHWM from /proc).
func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}
