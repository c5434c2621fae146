// Where a run's time goes: wall seconds per phase (data, forward, backward, optimizer, ...),
// measured by the training loops and reported in summary.json and at the end of a run.
import Foundation

/// Accumulates wall time per named phase. The loops use the standard names where they apply:
/// `data` (batches: loading, shuffling, augmentation), `forward`, `backward`, `optimizer`
/// (zero_grad, clipping and the step), `evaluation`; papers add their own (e.g. `environment`).
public final class PhaseTimes {
    public private(set) var seconds: [String: Double] = [:]

    public init() {}

    /// Runs `body` and adds its wall time to `phase`.
    @inline(__always)
    public func measure<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { seconds[phase, default: 0] += (ContinuousClock.now - start).inSeconds }
        return try body()
    }

    /// `sequence` with the time spent producing each element counted as `phase`:
    /// `for (x, y) in times.timed(batches) { ... }`.
    public func timed<S: Sequence>(_ sequence: S, as phase: String = "data") -> TimedSequence<S> {
        TimedSequence(base: sequence, times: self, phase: phase)
    }

    /// One line such as "data 2.1 s (1 %), forward 61.0 s (38 %), ...", largest first, with the
    /// rest of `total` as "other".
    public func breakdown(total: Double) -> String {
        var parts = seconds.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
        let other = total - seconds.values.reduce(0, +)
        if other > 0.05 { parts.append(("other", other)) }
        return parts.map { String(format: "%@ %.1f s (%.0f %%)", $0.0, $0.1, 100 * $0.1 / max(total, 1e-9)) }
            .joined(separator: ", ")
    }
}

public struct TimedSequence<Base: Sequence>: Sequence {
    let base: Base
    let times: PhaseTimes
    let phase: String

    public struct Iterator: IteratorProtocol {
        var base: Base.Iterator
        let times: PhaseTimes
        let phase: String

        public mutating func next() -> Base.Element? {
            times.measure(phase) { base.next() }
        }
    }

    public func makeIterator() -> Iterator { Iterator(base: base.makeIterator(), times: times, phase: phase) }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
