// __Paper__'s configuration: the network's sizes with the paper's values as defaults, every
// departure from the paper as a named field (papers/__paper__/README.md lists them), and the
// training recipe of each preset (`workbench run __paper__ --preset NAME`).
import WorkbenchData
import WorkbenchRun

/// The network's sizes. The snake_case names of `json` are used in run configs (config.json) and
/// in fixture configs (papers/__paper__/reference/model.py reads the same names).
public struct __Paper__Config: Equatable, Sendable {
    public var inChannels = 1
    public var numClasses = 10
    /// Input height and width; fixes the classifier's input size.
    public var imageSize = [28, 28]
    /// Output channels of the convolution.
    public var channels = 8
    /// Odd kernel size; the padding (kernel_size / 2) keeps the height and width.
    public var kernelSize = 3

    public init() {}

    /// Features entering the classifier: channels × ⌊H/2⌋ × ⌊W/2⌋ after the 2x2 max-pool.
    public var classifierInputs: Int { channels * (imageSize[0] / 2) * (imageSize[1] / 2) }

    public var json: [String: JSONValue] {
        [
            "in_channels": .int(inChannels), "num_classes": .int(numClasses),
            "image_size": .array(imageSize.map { .int($0) }), "channels": .int(channels),
            "kernel_size": .int(kernelSize),
        ]
    }

    /// Reads a config; omitted fields keep their defaults, unknown fields are an error.
    public init(_ c: FixtureConfig) throws(FixtureError) {
        self.init()
        try c.expectOnly(Set(__Paper__Config().json.keys))
        inChannels = try c.int("in_channels", default: inChannels)
        numClasses = try c.int("num_classes", default: numClasses)
        if let s = try c.floatList("image_size") {
            try require(s.count == 2, "config.image_size must be [height, width]")
            imageSize = s.map { Int($0) }
        }
        channels = try c.int("channels", default: channels)
        kernelSize = try c.int("kernel_size", default: kernelSize)
        try require(inChannels > 0 && numClasses > 0 && channels > 0 && imageSize.allSatisfy { $0 >= 2 },
                    "config: positive in_channels, num_classes, channels and image_size >= 2 required")
        try require(kernelSize > 0 && kernelSize % 2 == 1, "config.kernel_size must be odd, got \(kernelSize)")
    }
}

/// How a preset trains: SGD with momentum on Fashion-MNIST.
public struct __Paper__Recipe: Sendable {
    public var model = __Paper__Config()
    public var epochs = 1
    public var batchSize = 64
    public var learningRate: Float = 0.05
    public var momentum: Float = 0.9
    public var weightDecay: Float = 0
    /// Training images used (nil: all 60,000), to keep a quick run quick.
    public var trainLimit: Int?
    public var evalBatchSize = 500

    public static let presets: [(name: String, summary: String)] = [
        ("quick", "the network on 10,000 training images for 1 epoch: seconds, checks the whole pipeline"),
        ("fashion", "the network on all 60,000 training images, 5 epochs"),
    ]

    public static func preset(_ name: String) throws -> __Paper__Recipe {
        var r = __Paper__Recipe()
        switch name {
        case "quick":
            r.trainLimit = 10_000
        case "fashion":
            r.epochs = 5
        default:
            throw RunError.unknownPreset(paper: __Paper__Experiment.id, preset: name, known: presets.map(\.name))
        }
        return r
    }

    public var json: [String: JSONValue] {
        var o: [String: JSONValue] = [
            "model": .object(model.json), "epochs": .int(epochs), "batch_size": .int(batchSize),
            "optimizer": .object(["type": .string("sgd"), "lr": .decimal(learningRate),
                                  "momentum": .decimal(momentum), "weight_decay": .decimal(weightDecay)]),
            "normalization": .object(["mean": .decimal(Normalization.fashionMNIST.mean[0]),
                                      "std": .decimal(Normalization.fashionMNIST.std[0])]),
        ]
        if let trainLimit { o["train_limit"] = .int(trainLimit) }
        return o
    }
}

extension JSONValue {
    /// A Float as the decimal it was written as (0.05, not 0.05000000074505806).
    static func decimal(_ f: Float) -> JSONValue { .double(Double("\(f)") ?? Double(f)) }
}
