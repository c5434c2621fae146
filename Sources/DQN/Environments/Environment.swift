// The environment protocol the agent sees, and the replaceable random source environments draw from.
import WorkbenchCore

/// One environment step's outcome, as gymnasium's `step` returns it (without `info`).
public struct StepResult {
    public var observation: [Float]
    public var reward: Double
    public var terminated: Bool
    public var truncated: Bool
}

/// A reinforcement-learning environment with discrete actions (gymnasium's `Env` in miniature).
public protocol Environment: AnyObject {
    /// Number of discrete actions; actions are 0..<actionCount.
    var actionCount: Int { get }
    /// Shape of one observation, e.g. [4] (CartPole) or [C, 10, 10] (MinAtar, channel-first).
    var observationShape: [Int] { get }
    /// Starts a new episode; a seed reseeds the environment's random source first.
    func reset(seed: UInt64?) -> [Float]
    /// Advances one step with `action`.
    func step(_ action: Int) -> StepResult
    /// Writes the current observation into `buffer` (observationShape.product floats) without allocating.
    func writeObservation(into buffer: UnsafeMutablePointer<Float>)
    /// The random source every draw of the environment comes from.
    var random: RandomDraws { get }
    /// What an episode inherits from the one before apart from the random source (MinAtar: the
    /// last executed action, which the first sticky-action draw may repeat; CartPole: nothing).
    /// With the random state it makes an episode replayable, which is how a run resumes.
    var inheritedState: Int { get set }
}

extension Environment {
    public var observationCount: Int { observationShape.reduce(1, *) }
    public func reset() -> [Float] { reset(seed: nil) }

    /// The current observation as a new array.
    public func observation() -> [Float] {
        var out = [Float](repeating: 0, count: observationCount)
        out.withUnsafeMutableBufferPointer { writeObservation(into: $0.baseAddress!) }
        return out
    }
}

/// Where an environment's randomness comes from. The two calls mirror numpy's `RandomState.rand()`
/// and `randint(low, high)`, the only draws the Python originals make, so a trace of the Python
/// draws can be replayed exactly (`ReplayedDraws`).
public protocol RandomDraws: AnyObject {
    /// Uniform in [0, 1).
    func uniform() -> Double
    /// Uniform integer in low..<high.
    func integer(_ low: Int, _ high: Int) -> Int
    /// Restarts the stream from `seed`.
    func reseed(_ seed: UInt64)
}

/// Draws from a seeded `Generator` (training and evaluation).
public final class GeneratorDraws: RandomDraws {
    public var generator: Generator
    public init(seed: UInt64) { generator = Generator(seed: seed) }
    public func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
    public func integer(_ low: Int, _ high: Int) -> Int {
        precondition(high > low, "integer(\(low), \(high)): empty range")
        return low + generator.integer(below: high - low)
    }
    public func reseed(_ seed: UInt64) { generator = Generator(seed: seed) }
}

/// Replays a logged sequence of draws (trace tests). A draw of the wrong kind or range, or one
/// past the end, is recorded in `mismatch` (and a harmless value returned), so a port that draws
/// differently fails its test instead of crashing the test process.
public final class ReplayedDraws: RandomDraws {
    public enum Draw: Equatable, Sendable {
        case uniform(Double)
        case integer(low: Int, high: Int, value: Int)
    }
    public private(set) var draws: [Draw]
    public private(set) var position = 0
    /// The first disagreement between the draws made and the log.
    public private(set) var mismatch: String?

    public init(_ draws: [Draw] = []) { self.draws = draws }

    /// Replaces the pending draws (the trace gives each operation its own list).
    public func load(_ next: [Draw]) {
        draws = next
        position = 0
    }

    public var remaining: Int { draws.count - position }

    public func uniform() -> Double {
        guard position < draws.count, case .uniform(let v) = draws[position] else {
            fail("uniform()")
            return 0.5
        }
        position += 1
        return v
    }

    public func integer(_ low: Int, _ high: Int) -> Int {
        guard position < draws.count, case .integer(low, high, let v) = draws[position] else {
            fail("integer(\(low), \(high))")
            return low
        }
        position += 1
        return v
    }

    public func reseed(_ seed: UInt64) {}

    private func fail(_ what: String) {
        if mismatch != nil { return }
        mismatch = position < draws.count ? "drew \(what) where the log has \(draws[position]) (draw \(position))"
                                          : "drew \(what) after the log's \(draws.count) draws"
    }
}
