// CartPole-v1 with gymnasium's exact dynamics: float64 state, explicit Euler, 500-step truncation.
import Foundation

/// gymnasium `CartPole-v1`: action 0 pushes left (−10 N), 1 pushes right (+10 N); reward 1 every
/// step including the failing one; terminated when |x| > 2.4 or |θ| > 12°; truncated after 500 steps.
/// The state is float64 in gymnasium's operation order (trajectories are chaotic, so float32 or a
/// reordered formula would drift from the original within a few dozen steps); observations are its
/// float32 cast.
public final class CartPole: Environment {
    public static let gravity = 9.8, massCart = 1.0, massPole = 0.1
    public static let totalMass = massPole + massCart
    public static let length = 0.5                       // half the pole's length
    public static let poleMassLength = massPole * length
    public static let forceMag = 10.0, tau = 0.02
    public static let thetaThreshold = 12 * 2 * Double.pi / 360
    public static let xThreshold = 2.4
    public let maxEpisodeSteps: Int

    /// (x, ẋ, θ, θ̇); settable so traces can start from the Python original's state.
    public var state: (Double, Double, Double, Double) = (0, 0, 0, 0)
    public private(set) var elapsedSteps = 0
    public let random: RandomDraws

    public var actionCount: Int { 2 }
    /// Nothing carries over between CartPole episodes.
    public var inheritedState: Int { get { 0 } set {} }
    public var observationShape: [Int] { [4] }

    public init(seed: UInt64 = 0, maxEpisodeSteps: Int = 500, random: RandomDraws? = nil) {
        self.maxEpisodeSteps = maxEpisodeSteps
        self.random = random ?? GeneratorDraws(seed: seed)
    }

    /// Each state component uniform in [−0.05, 0.05) (gymnasium's reset range).
    public func reset(seed: UInt64?) -> [Float] {
        if let seed { random.reseed(seed) }
        func u() -> Double { -0.05 + 0.1 * random.uniform() }
        state = (u(), u(), u(), u())
        elapsedSteps = 0
        return observation()
    }

    /// Starts an episode from a given state (trace tests).
    public func reset(state s: (Double, Double, Double, Double)) {
        state = s
        elapsedSteps = 0
    }

    public func step(_ action: Int) -> StepResult {
        precondition(action == 0 || action == 1, "CartPole action must be 0 or 1, got \(action)")
        typealias C = CartPole
        var (x, xDot, theta, thetaDot) = state
        let force = action == 1 ? C.forceMag : -C.forceMag
        let cosTheta = cos(theta), sinTheta = sin(theta)
        let temp = (force + C.poleMassLength * (thetaDot * thetaDot) * sinTheta) / C.totalMass
        let thetaAcc = (C.gravity * sinTheta - cosTheta * temp)
            / (C.length * (4.0 / 3.0 - C.massPole * (cosTheta * cosTheta) / C.totalMass))
        let xAcc = temp - C.poleMassLength * thetaAcc * cosTheta / C.totalMass
        x = x + C.tau * xDot
        xDot = xDot + C.tau * xAcc
        theta = theta + C.tau * thetaDot
        thetaDot = thetaDot + C.tau * thetaAcc
        state = (x, xDot, theta, thetaDot)
        elapsedSteps += 1
        let terminated = x < -C.xThreshold || x > C.xThreshold || theta < -C.thetaThreshold || theta > C.thetaThreshold
        return StepResult(observation: observation(), reward: 1, terminated: terminated,
                          truncated: elapsedSteps >= maxEpisodeSteps)
    }

    public func writeObservation(into buffer: UnsafeMutablePointer<Float>) {
        buffer[0] = Float(state.0); buffer[1] = Float(state.1)
        buffer[2] = Float(state.2); buffer[3] = Float(state.3)
    }

    /// One text line: "x +0.012  ẋ -0.200  θ +0.031  θ̇ +0.410".
    public func render() -> String {
        func f(_ v: Double) -> String { String(format: "%+.3f", v) }
        return "x \(f(state.0))  ẋ \(f(state.1))  θ \(f(state.2))  θ̇ \(f(state.3))  step \(elapsedSteps)"
    }
}
