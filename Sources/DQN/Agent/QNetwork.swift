// The Q-networks: MinAtar's (conv 16 3x3, FC 128), the Nature network (84x84x4) and an MLP for CartPole.
import WorkbenchCore
import WorkbenchNN
import WorkbenchRun

/// Which Q-network, with the sizes that the fixture `config` names (see papers/dqn/README.md).
public struct QNetworkConfig: ModelConfig, Equatable {
    public enum Kind: String, Sendable { case minatar, nature, mlp }
    public var kind: Kind
    /// Input channels (minatar, nature) or input features (mlp).
    public var inChannels: Int
    public var numActions: Int
    /// Hidden widths: minatar [128], nature [512], mlp e.g. [120, 84].
    public var hidden: [Int]
    /// Input height = width (minatar 10, nature 84; fixtures may use a smaller nature input).
    public var inputSize: Int

    public init(kind: Kind, inChannels: Int, numActions: Int, hidden: [Int]? = nil, inputSize: Int? = nil) {
        self.kind = kind
        self.inChannels = inChannels
        self.numActions = numActions
        switch kind {
        case .minatar: self.hidden = hidden ?? [128]; self.inputSize = inputSize ?? 10
        case .nature: self.hidden = hidden ?? [512]; self.inputSize = inputSize ?? 84
        case .mlp: self.hidden = hidden ?? [120, 84]; self.inputSize = inputSize ?? 1
        }
        precondition(kind == .mlp ? self.hidden.count >= 1 : self.hidden.count == 1,
                     "QNetworkConfig: \(kind) takes \(kind == .mlp ? "one or more" : "one") hidden width, got \(self.hidden)")
    }

    public static func minAtar(channels: Int, actions: Int = 6) -> QNetworkConfig {
        QNetworkConfig(kind: .minatar, inChannels: channels, numActions: actions)
    }
    public static func nature(actions: Int) -> QNetworkConfig {
        QNetworkConfig(kind: .nature, inChannels: 4, numActions: actions)
    }
    public static func mlp(features: Int, actions: Int, hidden: [Int] = [120, 84]) -> QNetworkConfig {
        QNetworkConfig(kind: .mlp, inChannels: features, numActions: actions, hidden: hidden)
    }

    /// Shape of one input: [C, H, W] or [features].
    public var inputShape: [Int] { kind == .mlp ? [inChannels] : [inChannels, inputSize, inputSize] }

    public var json: [String: JSONValue] {
        var o: [String: JSONValue] = ["network": .string(kind.rawValue), "in_channels": .int(inChannels),
                                      "num_actions": .int(numActions), "hidden": .array(hidden.map { .int($0) })]
        if kind != .mlp { o["input_size"] = .int(inputSize) }
        return o
    }

    /// Reads `network` (minatar | nature | mlp), `in_channels`, `num_actions`, optional `hidden`
    /// (a width, or a list for mlp) and `input_size`; unknown fields are an error.
    public init(_ c: FixtureConfig) throws(FixtureError) {
        try c.expectOnly(["network", "in_channels", "num_actions", "hidden", "input_size"])
        let name = try c.string("network", default: "")
        guard let kind = Kind(rawValue: name) else { throw FixtureError("config.network '\(name)' is not one of minatar, nature, mlp") }
        let hidden = try c.floatList("hidden").map { $0.map { Int($0) } }
        let inChannels = try c.int("in_channels"), actions = try c.int("num_actions")
        let inputSize = try c.optionalInt("input_size")
        try require(inChannels > 0 && actions > 0 && (hidden ?? [1]).allSatisfy { $0 > 0 },
                    "config: in_channels, num_actions and hidden must be positive")
        try require(kind == .mlp ? (hidden?.count ?? 1) >= 1 : (hidden?.count ?? 1) == 1,
                    "config.hidden: \(kind.rawValue) takes \(kind == .mlp ? "a list of widths" : "one width")")
        if kind == .nature, let s = inputSize { try require(s >= 36, "config.input_size must be at least 36 for the Nature network") }
        if kind == .minatar, let s = inputSize { try require(s >= 3, "config.input_size must be at least 3") }
        self.init(kind: kind, inChannels: inChannels, numActions: actions, hidden: hidden, inputSize: inputSize)
    }
}

/// A Q-network: observations in, one Q-value per action out. An `nn.Sequential` called `net`, so
/// that state-dict names are `net.<i>.weight` (indices count the ReLU and Flatten modules too), as
/// in papers/dqn/reference/model.py.
public final class QNetwork: Module, Layer {
    public let config: QNetworkConfig
    public let net: Sequential

    /// PyTorch's default initialisation (Kaiming-uniform weights, fan-in-bounded biases), layer by layer.
    public init(_ config: QNetworkConfig, generator g: inout Generator) {
        self.config = config
        let c = config
        var layers: [any Layer] = []
        switch c.kind {
        case .minatar:
            let size = c.inputSize - 2
            layers.append(Conv2d(c.inChannels, 16, kernelSize: 3, generator: &g))
            layers += [ReLU(), Flatten()]
            layers.append(Linear(16 * size * size, c.hidden[0], generator: &g))
            layers.append(ReLU())
            layers.append(Linear(c.hidden[0], c.numActions, generator: &g))
        case .nature:
            let size = ((c.inputSize - 8) / 4 + 1 - 4) / 2 + 1 - 2
            layers.append(Conv2d(c.inChannels, 32, kernelSize: 8, stride: 4, generator: &g))
            layers.append(ReLU())
            layers.append(Conv2d(32, 64, kernelSize: 4, stride: 2, generator: &g))
            layers.append(ReLU())
            layers.append(Conv2d(64, 64, kernelSize: 3, generator: &g))
            layers += [ReLU(), Flatten()]
            layers.append(Linear(64 * size * size, c.hidden[0], generator: &g))
            layers.append(ReLU())
            layers.append(Linear(c.hidden[0], c.numActions, generator: &g))
        case .mlp:
            for (fanIn, width) in zip([c.inChannels] + c.hidden, c.hidden) {
                layers.append(Linear(fanIn, width, generator: &g))
                layers.append(ReLU())
            }
            layers.append(Linear(c.hidden.last!, c.numActions, generator: &g))
        }
        net = Sequential(layers)
    }

    override public var namedChildren: [(String, Module)] { [("net", net)] }

    /// [N, *inputShape] -> [N, numActions]
    public func forward(_ x: Tensor) -> Tensor { net(x) }

    /// Copies every parameter of `other` into this network (the target network's hard update).
    public func copyParameters(from other: QNetwork) {
        for (mine, theirs) in zip(parameters(), other.parameters()) { mine.data = theirs.data }
    }
}
