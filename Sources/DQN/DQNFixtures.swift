// The fixture ids `dqn.qnetwork` (a Q-network's forward) and `dqn.update` (the DQN loss with a target network).
import WorkbenchRun
import WorkbenchNN

public enum DQNFixtures {
    /// Makes both ids runnable by `workbench verify`.
    public static func register() {
        FixtureRegistry.register(model: "dqn.qnetwork") { call in
            let config = try QNetworkConfig(call.config)
            let network = try call.module { () -> QNetwork in
                var g = Generator(seed: 0)
                return QNetwork(config, generator: &g)
            }
            let x = try call.input("x")
            try require(Array(x.shape.dropFirst()) == config.inputShape,
                        "dqn.qnetwork: input.x has shape \(x.shape), the network takes [N] + \(config.inputShape)")
            return ["y": network(x)]
        }
        // Inputs: state, action (I64), reward, next_state, done; the online network in param.*,
        // the target network in buffer.target.*. Outputs: loss (`loss: self`), q = Q(s, a), target.
        FixtureRegistry.register(model: "dqn.update") { call in
            try call.config.expectOnly(["network", "in_channels", "num_actions", "hidden", "input_size", "gamma", "double"])
            let config = try QNetworkConfig(FixtureConfig(call.config.values.filter { $0.key != "gamma" && $0.key != "double" }))
            let networks = try call.module { () -> OnlineAndTarget in
                var g = Generator(seed: 0)
                return OnlineAndTarget(online: QNetwork(config, generator: &g), target: QNetwork(config, generator: &g))
            }
            let state = try call.input("state"), next = try call.input("next_state")
            let action = try call.indexInput("action")
            let reward = try call.input("reward"), done = try call.input("done")
            let b = state.shape.first ?? 0
            try require(Array(state.shape.dropFirst()) == config.inputShape && next.shape == state.shape,
                        "dqn.update: state \(state.shape) / next_state \(next.shape) do not fit input \(config.inputShape)")
            try require(action.shape == [b] && reward.shape == [b] && done.shape == [b],
                        "dqn.update: action \(action.shape), reward \(reward.shape), done \(done.shape) must be [\(b)]")
            try require(action.data.allSatisfy { $0 >= 0 && $0 < config.numActions }, "dqn.update: action out of range")
            let r = TDLoss.compute(online: { networks.online($0) }, target: { networks.target($0) },
                                   states: state, actions: action, rewards: reward, nextStates: next, dones: done,
                                   gamma: try call.config.float("gamma", default: 0.99),
                                   double: try call.config.bool("double", default: false))
            return ["loss": r.loss, "q": r.q, "target": r.target]
        }
    }
}

/// A `dqn.update` fixture's networks as one module: the online network's parameters (`net.*`)
/// and the target network's, which no optimizer steps, as buffers (`target.net.*`).
final class OnlineAndTarget: Module {
    let online: QNetwork, target: QNetwork

    init(online: QNetwork, target: QNetwork) {
        self.online = online
        self.target = target
    }

    override var namedChildren: [(String, Module)] { online.namedChildren }
    override var namedLocalBuffers: [(String, Tensor)] { target.namedParameters().map { ("target." + $0.0, $0.1) } }
}
