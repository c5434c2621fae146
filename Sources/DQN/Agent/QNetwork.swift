// The Q-networks: MinAtar's (conv 16 3x3, FC 128), the Nature network (84x84x4) and an MLP for CartPole.
import WorkbenchCore
import WorkbenchNN

/// Which Q-network, with the sizes that the fixture `config` names (see papers/dqn/README.md).
public struct QNetworkConfig: Sendable, Equatable {
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

    /// The layers as PyTorch's `nn.Sequential` would name them: (index, layer). Conv: (out, kernel,
    /// stride); linear: out features. Indices count the ReLU/Flatten modules too, so state-dict names
    /// are `net.<index>.weight` as in papers/dqn/reference/model.py.
    enum LayerSpec { case conv(out: Int, kernel: Int, stride: Int), linear(out: Int), relu, flatten }

    var layers: [LayerSpec] {
        switch kind {
        case .minatar:
            return [.conv(out: 16, kernel: 3, stride: 1), .relu, .flatten, .linear(out: hidden[0]), .relu, .linear(out: numActions)]
        case .nature:
            return [.conv(out: 32, kernel: 8, stride: 4), .relu, .conv(out: 64, kernel: 4, stride: 2), .relu,
                    .conv(out: 64, kernel: 3, stride: 1), .relu, .flatten, .linear(out: hidden[0]), .relu, .linear(out: numActions)]
        case .mlp:
            return hidden.flatMap { [LayerSpec.linear(out: $0), .relu] } + [.linear(out: numActions)]
        }
    }

    /// Parameter names and shapes in registration order.
    public var parameterShapes: [(String, [Int])] {
        var out: [(String, [Int])] = []
        var channels = inChannels, size = inputSize, features = kind == .mlp ? inChannels : 0
        for (i, layer) in layers.enumerated() {
            switch layer {
            case let .conv(o, k, s):
                out += [("net.\(i).weight", [o, channels, k, k]), ("net.\(i).bias", [o])]
                channels = o
                size = (size - k) / s + 1
            case .flatten:
                features = channels * size * size
            case let .linear(o):
                out += [("net.\(i).weight", [o, features]), ("net.\(i).bias", [o])]
                features = o
            case .relu: break
            }
        }
        return out
    }

    /// The forward pass on named parameters (shared by the module and the fixture handler).
    /// [N, C, H, W] or [N, features] -> [N, numActions]
    public func apply(_ x: Tensor, _ p: (String) -> Tensor) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            switch layer {
            case let .conv(_, _, s):
                h = F.conv2d(h, weight: p("net.\(i).weight"), bias: p("net.\(i).bias"), stride: (s, s))
            case .linear:
                h = F.linear(h, weight: p("net.\(i).weight"), bias: p("net.\(i).bias"))
            case .relu:
                h = F.relu(h)
            case .flatten:
                h = h.flatten(startDim: 1)
            }
        }
        return h
    }
}

/// A Q-network: observations in, one Q-value per action out. State-dict names `net.<i>.weight`
/// match papers/dqn/reference/model.py (an `nn.Sequential` called `net`).
public final class QNetwork: Module, Layer {
    public let config: QNetworkConfig
    let named: [(String, Tensor)]
    let byName: [String: Tensor]

    /// PyTorch's default initialisation (Kaiming-uniform weights, fan-in-bounded biases), in order.
    public init(_ config: QNetworkConfig, generator g: inout Generator) {
        self.config = config
        var named: [(String, Tensor)] = []
        var lastWeightShape: [Int] = []
        for (name, shape) in config.parameterShapes {
            if name.hasSuffix(".weight") {
                named.append((name, Init.kaimingUniform(shape, generator: &g).requiringGrad()))
                lastWeightShape = shape
            } else {
                named.append((name, Init.defaultBias(shape[0], weightShape: lastWeightShape, generator: &g).requiringGrad()))
            }
        }
        self.named = named
        byName = Dictionary(uniqueKeysWithValues: named)
    }

    override public var namedLocalParameters: [(String, Tensor)] { named }

    /// [N, *inputShape] -> [N, numActions]
    public func forward(_ x: Tensor) -> Tensor {
        config.apply(x) { byName[$0]! }
    }

    /// Copies every parameter of `other` into this network (the target network's hard update).
    public func copyParameters(from other: QNetwork) {
        for ((_, mine), (_, theirs)) in zip(named, other.named) { mine.data = theirs.data }
    }
}
