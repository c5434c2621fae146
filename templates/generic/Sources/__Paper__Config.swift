// __Paper__'s configuration: the network's sizes with the paper's values as defaults, every
// departure from the paper as a named field (papers/__paper__/README.md lists them), and the
// training recipe of each preset (`workbench run __paper__ --preset NAME`).
import WorkbenchRun

/// The network's sizes. The snake_case names of `json` are used in run configs (config.json) and
/// in fixture configs (papers/__paper__/reference/model.py reads the same names); `init(_:)` reads
/// both (ModelConfig makes the config Codable through these two).
public struct __Paper__Config: ModelConfig, Equatable {
    public var inputs = 8
    public var hidden = 32
    public var outputs = 2

    public init() {}

    public var json: [String: JSONValue] {
        ["inputs": .int(inputs), "hidden": .int(hidden), "outputs": .int(outputs)]
    }

    /// Reads a config; omitted fields keep their defaults, unknown fields are an error.
    public init(_ c: FixtureConfig) throws(FixtureError) {
        self.init()
        try c.expectOnly(Set(__Paper__Config().json.keys))
        inputs = try c.int("inputs", default: inputs)
        hidden = try c.int("hidden", default: hidden)
        outputs = try c.int("outputs", default: outputs)
        try require(inputs > 0 && hidden > 0 && outputs > 0, "config: inputs, hidden and outputs must be positive")
    }
}

/// How a preset trains: Adam on examples the run generates from its seed. Its encoding is
/// config.json's hyperparameters.
public struct __Paper__Recipe: Preset {
    public var name: String
    public var summary: String
    public var model = __Paper__Config()
    public var epochs = 5
    public var batchSize = 64
    public var learningRate: Float = 1e-3
    /// Generated examples: training and held-out.
    public var trainCount = 4_096
    public var validCount = 1_024
    /// Standard deviation of the noise added to the targets.
    public var noise: Float = 0.05

    /// `workbench run __paper__ --preset NAME`, in the order `workbench list` shows them.
    public static let all: [__Paper__Recipe] = {
        let quick = __Paper__Recipe(name: "quick", summary: "the network on 4,096 generated examples for 5 epochs: seconds, checks the whole pipeline")
        var full = __Paper__Recipe(name: "full", summary: "the network on 65,536 generated examples for 20 epochs")
        full.trainCount = 65_536
        full.epochs = 20
        return [quick, full]
    }()
}
