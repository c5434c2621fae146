// The exploration schedule and ε-greedy action selection.
import WorkbenchCore

/// ε as a function of the frame count: `start` until `begin`, then linear to `end` over `duration`
/// frames, then `end`. MinAtar: begin = replay start (5,000), duration 100,000; Nature: begin 0,
/// duration 1,000,000.
public struct LinearSchedule: Codable, Sendable, Equatable {
    public var start: Double, end: Double
    public var begin: Int, duration: Int

    public init(start: Double, end: Double, begin: Int = 0, duration: Int) {
        precondition(duration > 0, "LinearSchedule: duration must be positive, got \(duration)")
        (self.start, self.end, self.begin, self.duration) = (start, end, begin, duration)
    }

    public func value(at frame: Int) -> Double {
        if frame <= begin { return start }
        let fraction = min(Double(frame - begin) / Double(duration), 1)
        return start + fraction * (end - start)
    }
}

/// Uniform random action with probability ε, else the greedy one (ties: the lowest index, as argmax).
public func epsilonGreedy(qValues: [Float], epsilon: Double, generator g: inout Generator) -> Int {
    if Double(g.uniform()) < epsilon { return g.integer(below: qValues.count) }
    var best = 0
    for i in 1..<qValues.count where qValues[i] > qValues[best] { best = i }
    return best
}
