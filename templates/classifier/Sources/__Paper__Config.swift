// __Paper__'s configuration: the network's sizes with the paper's values as defaults, every
// departure from the paper as a named field (papers/__paper__/README.md lists them), and the
// training recipe of each preset (`workbench run __paper__ --preset NAME`).
import WorkbenchRun

/// The network's sizes. The snake_case names of `json` are used in run configs (config.json) and
/// in fixture configs (papers/__paper__/reference/model.py reads the same names); `init(_:)` reads
/// both (ModelConfig makes the config Codable through these two).
public struct __Paper__Config: ModelConfig, Equatable {
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

/// How a preset trains: SGD with momentum on Fashion-MNIST. Its encoding is config.json's
/// hyperparameters.
public struct __Paper__Recipe: Preset {
    public var name: String
    public var summary: String
    public var model = __Paper__Config()
    public var epochs = 1
    public var batchSize = 64
    public var learningRate: Float = 0.05
    public var momentum: Float = 0.9
    public var weightDecay: Float = 0
    /// Training images used (nil: all 60,000), to keep a quick run quick.
    public var trainLimit: Int?
    public var evalBatchSize = 500

    /// `workbench run __paper__ --preset NAME`, in the order `workbench list` shows them.
    public static let all: [__Paper__Recipe] = {
        var quick = __Paper__Recipe(name: "quick", summary: "the network on 10,000 training images for 1 epoch: seconds, checks the whole pipeline")
        quick.trainLimit = 10_000
        var fashion = __Paper__Recipe(name: "fashion", summary: "the network on all 60,000 training images, 5 epochs")
        fashion.epochs = 5
        return [quick, fashion]
    }()
}
