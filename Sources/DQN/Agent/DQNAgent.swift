// The DQN agent: online and target networks, replay memory, ε-greedy acting and the update step.
import WorkbenchCore
import WorkbenchNN
import WorkbenchRun

/// Hyperparameters of the agent (the presets in DQNPresets.swift fill them from the papers).
public struct DQNConfig: Codable, Sendable {
    public enum OptimizerKind: Codable, Sendable, Equatable {
        /// torch.optim.RMSprop arguments; MinAtar: lr 0.00025, alpha 0.95, eps 0.01, centered.
        case rmsprop(lr: Float, alpha: Float, eps: Float, centered: Bool)
        case adam(lr: Float, eps: Float)
    }
    public var network: QNetworkConfig
    public var gamma: Float = 0.99
    public var batchSize = 32
    public var replayCapacity = 100_000
    /// Frames of uniform-random acting before the first update.
    public var replayStart = 5_000
    /// Environment frames between updates (MinAtar 1, Nature 4).
    public var trainFrequency = 1
    /// Updates between hard target-network copies (MinAtar: 1,000 updates).
    public var targetUpdateInterval = 1_000
    public var exploration = LinearSchedule(start: 1, end: 0.1, begin: 5_000, duration: 100_000)
    public var evalEpsilon = 0.0
    public var optimizer = OptimizerKind.rmsprop(lr: 0.00025, alpha: 0.95, eps: 0.01, centered: true)
    /// Clip rewards to [−1, 1] (Nature); MinAtar's DQN does not.
    public var clipRewards = false
    public var double = false
    /// Optional gradient-norm clipping (off in the papers).
    public var maxGradNorm: Float? = nil

    public init(network: QNetworkConfig) { self.network = network }
}

public final class DQNAgent {
    public let config: DQNConfig
    public let online: QNetwork
    public let target: QNetwork
    public let optimizer: Optimizer
    public let replay: ReplayBuffer
    /// Exploration and minibatch sampling.
    public var generator: Generator
    public private(set) var updates = 0
    /// Seconds of minibatch sampling ("data") and of the update's forward, backward and optimizer.
    public var times = PhaseTimes()
    var batch = ReplayBuffer.emptyBatch()
    let inputShape: [Int]

    public init(_ config: DQNConfig, seed: UInt64, binaryObservations: Bool) {
        self.config = config
        var g = Generator(seed: seed)
        online = QNetwork(config.network, generator: &g)
        target = QNetwork(config.network, generator: &g)
        target.copyParameters(from: online)
        switch config.optimizer {
        case let .rmsprop(lr, alpha, eps, centered):
            optimizer = RMSprop(online.parameters(), lr: lr, alpha: alpha, eps: eps, centered: centered)
        case let .adam(lr, eps):
            optimizer = Adam(online.parameters(), lr: lr, eps: eps)
        }
        inputShape = config.network.inputShape
        replay = ReplayBuffer(capacity: config.replayCapacity, observationCount: inputShape.reduce(1, *),
                              binary: binaryObservations)
        generator = Generator(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
    }

    /// Q-values of one observation (no gradient).
    public func qValues(_ observation: [Float]) -> [Float] {
        withNoGrad { online(Tensor(shape: [1] + inputShape, data: observation)).data }
    }

    /// ε-greedy action for one observation.
    public func act(_ observation: [Float], epsilon: Double) -> Int {
        if Double(generator.uniform()) < epsilon { return generator.integer(below: config.network.numActions) }
        return epsilonGreedy(qValues: qValues(observation), epsilon: 0, generator: &generator)
    }

    /// Stores a transition (reward clipped if configured).
    public func remember(state: [Float], action: Int, reward: Double, nextState: [Float], terminated: Bool) {
        let r = config.clipRewards ? min(max(reward, -1), 1) : reward
        replay.add(state: state, action: action, reward: Float(r), nextState: nextState, done: terminated)
    }

    /// One gradient step on a sampled minibatch; copies the online network into the target every
    /// `targetUpdateInterval` updates. Returns the loss.
    @discardableResult
    public func update() -> Float {
        times.measure("data") { replay.sample(config.batchSize, generator: &generator, into: &batch) }
        return update(on: batch)
    }

    /// One gradient step on a given batch (tests and fixtures use fixed batches).
    @discardableResult
    public func update(on batch: ReplayBuffer.Batch) -> Float {
        let b = batch.actions.count
        let shape = [b] + inputShape
        let (loss, _, _) = times.measure("forward") { TDLoss.compute(
            online: { self.online($0) }, target: { self.target($0) },
            states: Tensor(shape: shape, data: batch.states), actions: IndexTensor(shape: [b], data: batch.actions),
            rewards: Tensor(shape: [b], data: batch.rewards), nextStates: Tensor(shape: shape, data: batch.nextStates),
            dones: Tensor(shape: [b], data: batch.dones), gamma: config.gamma, double: config.double) }
        times.measure("optimizer") { optimizer.zeroGrad() }
        times.measure("backward") { loss.backward() }
        times.measure("optimizer") {
            if let maxNorm = config.maxGradNorm { _ = clipGradNorm(online.parameters(), maxNorm: maxNorm) }
            optimizer.step()
        }
        updates += 1
        if updates % config.targetUpdateInterval == 0 { target.copyParameters(from: online) }
        return loss.item()
    }

    /// Restores the update counter after loading a checkpoint.
    public func setUpdates(_ n: Int) { updates = n }
}
