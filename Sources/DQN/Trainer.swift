// DQN on one environment, frame by frame: act, store, update, episode bookkeeping and evaluation.
import WorkbenchCore
import WorkbenchRun

/// Runs DQN on one environment, frame by frame: the experiment gives the shared TrainingLoop one
/// `step()` per frame; the tests call `train(frames:)`.
public final class DQNTrainer {
    public let preset: DQNPreset
    public let agent: DQNAgent
    public let env: any Environment
    public internal(set) var frame = 0
    public internal(set) var episodeReturns: [Double] = []
    var observation: [Float] = []
    var episodeReturn = 0.0
    /// The current episode as a replayable record (for resuming): the environment's random state
    /// and inherited state just before its reset, and the actions taken since.
    var episodeStart: (random: Generator, inherited: Int) = (Generator(seed: 0), 0)
    var episodeActions: [Int] = []
    let seed: UInt64

    public init(_ preset: DQNPreset, seed: UInt64) {
        self.preset = preset
        self.seed = seed
        agent = DQNAgent(preset.agent, seed: seed, binaryObservations: preset.environment.binaryObservations)
        env = preset.environment.make(seed: seed &+ 1)
        startEpisode()
    }

    /// Resets the environment for a new episode, first setting its random and inherited state
    /// when given (a resume), and records them.
    func startEpisode(random: Generator? = nil, inherited: Int? = nil) {
        guard let draws = env.random as? GeneratorDraws else {
            preconditionFailure("DQNTrainer: the environment must draw from a Generator (EnvironmentSpec.make does)")
        }
        if let random { draws.generator = random }
        if let inherited { env.inheritedState = inherited }
        episodeStart = (draws.generator, env.inheritedState)
        episodeActions.removeAll(keepingCapacity: true)
        episodeReturn = 0
        observation = env.reset()
    }

    public var epsilon: Double { preset.agent.exploration.value(at: frame) }

    /// Runs `frames` environment frames; returns the losses of the updates made.
    @discardableResult
    public func train(frames: Int) -> [Float] {
        (0..<frames).compactMap { _ in step() }
    }

    /// One environment frame: act, store the transition, update when due; returns the update's loss.
    public func step() -> Float? {
        let a = preset.agent
        frame += 1
        let action = agent.times.measure("acting") { agent.act(observation, epsilon: epsilon) }
        let step = agent.times.measure("environment") { env.step(action) }
        episodeActions.append(action)
        agent.times.measure("data") {
            agent.remember(state: observation, action: action, reward: step.reward, nextState: step.observation,
                           terminated: step.terminated)
        }
        episodeReturn += step.reward
        var loss: Float?
        if frame > a.replayStart && agent.replay.count >= a.batchSize && frame % a.trainFrequency == 0 {
            loss = agent.update()
        }
        if step.terminated || step.truncated {
            episodeReturns.append(episodeReturn)
            startEpisode()
        } else {
            observation = step.observation
        }
        return loss
    }

    /// Mean of the last `n` training-episode returns (the MinAtar paper's curve), nil before any.
    public func recentReturn(_ n: Int = 100) -> Double? {
        guard !episodeReturns.isEmpty else { return nil }
        let tail = episodeReturns.suffix(n)
        return tail.reduce(0, +) / Double(tail.count)
    }

    /// Evaluation episodes with ε = `preset.agent.evalEpsilon` on a separate environment whose
    /// seed depends only on (seed, frame), so evaluation never disturbs training.
    public func evaluate(episodes: Int) -> [Double] {
        agent.times.measure("evaluation") { DQNTrainer.evaluate(agent.online, environment: preset.environment, episodes: episodes,
                            epsilon: preset.agent.evalEpsilon, maxSteps: preset.evalMaxSteps,
                            seed: seed &* 1_000_003 &+ UInt64(frame)) }
    }

    /// Plays `episodes` with ε-greedy on `network`; `onStep` sees the environment after each step
    /// (environment, action, return so far, episode over).
    public static func evaluate(_ network: QNetwork, environment spec: EnvironmentSpec, episodes: Int, epsilon: Double,
                                maxSteps: Int, seed: UInt64, onStep: ((any Environment, Int, Double, Bool) -> Void)? = nil) -> [Double] {
        let env = spec.make(seed: seed, maxEpisodeSteps: maxSteps)
        var g = Generator(seed: seed &+ 17)
        let shape = [1] + network.config.inputShape
        var returns: [Double] = []
        for _ in 0..<episodes {
            var obs = env.reset()
            var total = 0.0
            while true {
                let q = withNoGrad { network(Tensor(shape: shape, data: obs)).data }
                let action = epsilonGreedy(qValues: q, epsilon: epsilon, generator: &g)
                let step = env.step(action)
                total += step.reward
                onStep?(env, action, total, step.terminated || step.truncated)
                if step.terminated || step.truncated { break }
                obs = step.observation
            }
            returns.append(total)
        }
        return returns
    }
}
