// The fixture ids `dqn.qnetwork` (a Q-network's forward) and `dqn.update` (the DQN loss with a target network).
import WorkbenchRun
import WorkbenchNN

public enum DQNFixtures {
    /// Makes both ids runnable by `workbench verify`.
    public static func register() {
        FixtureRegistry.register(model: "dqn.qnetwork") { call in
            let config = try networkConfig(call.config, extra: [])
            let x = try call.input("x")
            try require(Array(x.shape.dropFirst()) == config.inputShape,
                        "dqn.qnetwork: input.x has shape \(x.shape), the network takes [N] + \(config.inputShape)")
            let params = try parameters(call, config, prefix: "", from: call.params)
            return ["y": config.apply(x) { params[$0]! }]
        }
        // Inputs: state, action (I64), reward, next_state, done; the online network in param.*,
        // the target network in buffer.target.*. Outputs: loss (`loss: self`), q = Q(s, a), target.
        FixtureRegistry.register(model: "dqn.update") { call in
            let config = try networkConfig(call.config, extra: ["gamma", "double"])
            let online = try parameters(call, config, prefix: "", from: call.params)
            let target = try parameters(call, config, prefix: "target.", from: call.buffers)
            let state = try call.input("state"), next = try call.input("next_state")
            let action = try call.indexInput("action")
            let reward = try call.input("reward"), done = try call.input("done")
            let b = state.shape.first ?? 0
            try require(Array(state.shape.dropFirst()) == config.inputShape && next.shape == state.shape,
                        "dqn.update: state \(state.shape) / next_state \(next.shape) do not fit input \(config.inputShape)")
            try require(action.shape == [b] && reward.shape == [b] && done.shape == [b],
                        "dqn.update: action \(action.shape), reward \(reward.shape), done \(done.shape) must be [\(b)]")
            try require(action.data.allSatisfy { $0 >= 0 && $0 < config.numActions }, "dqn.update: action out of range")
            let r = TDLoss.compute(online: { x in config.apply(x) { online[$0]! } },
                                   target: { x in config.apply(x) { target[$0]! } },
                                   states: state, actions: action, rewards: reward, nextStates: next, dones: done,
                                   gamma: try call.config.float("gamma", default: 0.99),
                                   double: try call.config.bool("double", default: false))
            return ["loss": r.loss, "q": r.q, "target": r.target]
        }
    }

    /// Config fields: network (minatar | nature | mlp), in_channels, num_actions, hidden (int or
    /// list), input_size.
    static func networkConfig(_ c: FixtureConfig, extra: Set<String>) throws(FixtureError) -> QNetworkConfig {
        try c.expectOnly(Set(["network", "in_channels", "num_actions", "hidden", "input_size"]).union(extra))
        let name = try c.string("network", default: "")
        guard let kind = QNetworkConfig.Kind(rawValue: name) else {
            throw FixtureError("config.network '\(name)' is not one of minatar, nature, mlp")
        }
        let hidden = try c.floatList("hidden").map { $0.map { Int($0) } }
        let inChannels = try c.int("in_channels"), actions = try c.int("num_actions")
        let inputSize = try c.optionalInt("input_size")
        try require(inChannels > 0 && actions > 0, "config: in_channels and num_actions must be positive")
        try require(kind == .mlp ? (hidden?.count ?? 1) >= 1 : (hidden?.count ?? 1) == 1,
                    "config.hidden: \(kind.rawValue) takes \(kind == .mlp ? "a list of widths" : "one width")")
        if kind == .nature, let s = inputSize { try require(s >= 36, "config.input_size must be at least 36 for the Nature network") }
        if kind == .minatar, let s = inputSize { try require(s >= 3, "config.input_size must be at least 3") }
        return QNetworkConfig(kind: kind, inChannels: inChannels, numActions: actions, hidden: hidden, inputSize: inputSize)
    }

    /// The network's parameters by name, each checked for shape.
    static func parameters(_ call: FixtureCall, _ config: QNetworkConfig, prefix: String,
                           from source: [String: Tensor]) throws(FixtureError) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        let kind = prefix.isEmpty ? "param" : "buffer"
        for (name, shape) in config.parameterShapes {
            let t = prefix.isEmpty ? try call.param(name) : try call.buffer(prefix + name)
            try require(t.shape == shape, "\(kind).\(prefix)\(name) has shape \(t.shape), the network needs \(shape)")
            out[name] = t
        }
        return out
    }
}
