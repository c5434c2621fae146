// LeNet-5's configuration: the paper's network (Fig. 2, 32x32 input) as the defaults, every
// departure from the paper as a named field (papers/lenet/README.md lists them), and the
// training recipe of each preset (`workbench run lenet --preset NAME`).
import WorkbenchData
import WorkbenchRun

/// The network's sizes and choices. The snake_case names of `json` are used in run configs
/// (config.json) and in fixture configs (papers/lenet/reference/model.py reads the same names).
public struct LeNetConfig: ModelConfig, Equatable {
    /// Nonlinearity after C1, C3, C5 and F6: the paper's `scaled_tanh` (1.7159 tanh(2x/3),
    /// Appendix A), plain `tanh`, or `relu` (the usual modern port).
    public enum Activation: String, Sendable, CaseIterable, Codable { case scaledTanh = "scaled_tanh", tanh, relu }
    /// S2 and S4: 2x2 average or max pooling. The paper's subsampling layers also multiply each
    /// map by a trainable coefficient and add a trainable bias; that is not modelled.
    public enum Pool: String, Sendable, CaseIterable, Codable { case avg, max }

    public var inChannels = 1
    public var numClasses = 10
    /// Input height and width: 32x32 in the paper (28x28 digits centred in a 32x32 field).
    public var imageSize = [32, 32]
    /// Zero padding of C1: 0 in the paper; 2 makes a 28x28 input give C1 the paper's 28x28 maps.
    public var c1Padding = 0
    public var c1Channels = 6
    public var c3Channels = 16
    public var c5Channels = 120
    public var f6Features = 84
    public var activation = Activation.scaledTanh
    public var pool = Pool.avg
    /// C3 sees only the S2 maps of the paper's Table I (60 of the 96 pairs); false: every map.
    /// Needs c1_channels 6 and c3_channels 16.
    public var c3Table = true

    public init() {}

    /// The paper's network as far as it is modelled (see `Activation`, `Pool`; the output layer is
    /// linear, not the paper's RBF units).
    public static let paper = LeNetConfig()

    /// Fashion-MNIST, 28x28 with C1 padding 2, ReLU and max-pooling (the common modern port),
    /// Table I kept.
    public static let fashionMNIST: LeNetConfig = {
        var c = LeNetConfig()
        c.imageSize = [28, 28]
        c.c1Padding = 2
        c.activation = .relu
        c.pool = .max
        return c
    }()

    /// Height and width of C5's output (1x1 for the paper's geometry).
    public var c5Size: (height: Int, width: Int) {
        func through(_ n: Int) -> Int { ((n + 2 * c1Padding - 4) / 2 - 4) / 2 - 4 }
        return (through(imageSize[0]), through(imageSize[1]))
    }

    /// Features entering F6: C5's channels times its output positions.
    public var f6Inputs: Int { c5Channels * c5Size.height * c5Size.width }

    public var json: [String: JSONValue] {
        [
            "in_channels": .int(inChannels), "num_classes": .int(numClasses),
            "image_size": .array(imageSize.map { .int($0) }), "c1_padding": .int(c1Padding),
            "c1_channels": .int(c1Channels), "c3_channels": .int(c3Channels), "c5_channels": .int(c5Channels),
            "f6_features": .int(f6Features), "activation": .string(activation.rawValue),
            "pool": .string(pool.rawValue), "c3_table": .bool(c3Table),
        ]
    }

    /// Reads a config; omitted fields keep the paper's values, unknown fields are an error.
    public init(_ c: FixtureConfig) throws(FixtureError) {
        self.init()
        try c.expectOnly(Set(LeNetConfig().json.keys))
        inChannels = try c.int("in_channels", default: inChannels)
        numClasses = try c.int("num_classes", default: numClasses)
        if let s = try c.floatList("image_size") {
            try require(s.count == 2, "config.image_size must be [height, width]")
            imageSize = s.map { Int($0) }
        }
        c1Padding = try c.int("c1_padding", default: c1Padding)
        c1Channels = try c.int("c1_channels", default: c1Channels)
        c3Channels = try c.int("c3_channels", default: c3Channels)
        c5Channels = try c.int("c5_channels", default: c5Channels)
        f6Features = try c.int("f6_features", default: f6Features)
        let a = try c.string("activation", default: activation.rawValue)
        guard let act = Activation(rawValue: a) else {
            throw FixtureError("config.activation must be one of \(Activation.allCases.map(\.rawValue)), got \(a)")
        }
        activation = act
        let p = try c.string("pool", default: pool.rawValue)
        guard let pl = Pool(rawValue: p) else { throw FixtureError("config.pool must be avg or max, got \(p)") }
        pool = pl
        c3Table = try c.bool("c3_table", default: c3Table)
        try require([inChannels, numClasses, c1Channels, c3Channels, c5Channels, f6Features].allSatisfy { $0 > 0 } && c1Padding >= 0,
                    "config: positive channel and feature counts and c1_padding >= 0 required")
        try require(c5Size.height >= 1 && c5Size.width >= 1,
                    "config.image_size \(imageSize) with c1_padding \(c1Padding) leaves no position for C5 (needs at least 32x32 after padding)")
        try require(!c3Table || (c1Channels == 6 && c3Channels == 16), "config.c3_table needs c1_channels 6 and c3_channels 16")
    }
}

/// How a preset trains: SGD with momentum on Fashion-MNIST. Its encoding is config.json's
/// hyperparameters.
public struct LeNetRecipe: Preset {
    public var name: String
    public var summary: String
    public var model = LeNetConfig.fashionMNIST
    public var epochs = 1
    public var batchSize = 64
    public var learningRate: Float = 0.05
    public var momentum: Float = 0.9
    public var weightDecay: Float = 0
    /// The paper's schedule (Section V: 0.0005 for 2 passes, 0.0002 for 3, 0.0001 for 3, 0.00005
    /// for 4, 0.00001 for the remaining 8 of 20) as multipliers 1, 0.4, 0.2, 0.1, 0.02 of
    /// `learningRate` over the same fractions of the run, whatever its length; false: constant.
    public var paperSchedule = true
    /// Training images used (nil: all 60,000), to keep a quick run quick.
    public var trainLimit: Int?
    public var evalBatchSize = 500

    public static let all: [LeNetRecipe] = {
        var quick = LeNetRecipe(name: "quick", summary: "the fashion network on 10,000 training images for 1 epoch: well under a minute")
        quick.trainLimit = 10_000
        quick.paperSchedule = false
        var fashion = LeNetRecipe(name: "fashion", summary: "LeNet-5 on 28x28 Fashion-MNIST (C1 padding 2, ReLU, max-pool, Table I), 10 epochs")
        fashion.epochs = 10
        var paper = LeNetRecipe(name: "paper", summary: "the paper's choices where modelled (scaled tanh, average pooling, Table I) on 28x28 with C1 padding 2, 10 epochs")
        paper.model = LeNetConfig.paper
        paper.model.imageSize = [28, 28]
        paper.model.c1Padding = 2
        paper.epochs = 10
        return [quick, fashion, paper]
    }()

    public static func preset(_ name: String) throws -> LeNetRecipe { try named(name, in: all, paper: LeNetExperiment.id) }

    /// Learning rate of epoch `epoch` (0-based) of a run of `epochs` epochs.
    public func learningRate(epoch: Int, of epochs: Int) -> Float {
        guard paperSchedule else { return learningRate }
        let f = Double(epoch) / Double(Swift.max(epochs, 1))
        let stages: [(end: Double, factor: Float)] = [(0.1, 1), (0.25, 0.4), (0.4, 0.2), (0.6, 0.1)]
        return learningRate * (stages.first { f < $0.end }?.factor ?? 0.02)
    }
}
