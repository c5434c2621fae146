// Timing helper: median wall time of repeated runs after warm-up.
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
