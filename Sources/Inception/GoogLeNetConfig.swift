// GoogLeNet's configuration: the paper's Table 1 network and the scaled Fashion-MNIST variants,
// with every departure from the paper as a named field (papers/inception/README.md lists them).
import WorkbenchRun

/// One row of the paper's Table 1: the filter counts of an inception block.
public struct InceptionWidths: Equatable, Sendable {
    public var ch1x1, ch3x3Reduce, ch3x3, ch5x5Reduce, ch5x5, poolProj: Int

    public init(_ ch1x1: Int, _ ch3x3Reduce: Int, _ ch3x3: Int, _ ch5x5Reduce: Int, _ ch5x5: Int, _ poolProj: Int) {
        (self.ch1x1, self.ch3x3Reduce, self.ch3x3, self.ch5x5Reduce, self.ch5x5, self.poolProj) =
            (ch1x1, ch3x3Reduce, ch3x3, ch5x5Reduce, ch5x5, poolProj)
    }

    /// Channels of the block's output: the four branches concatenated.
    public var outChannels: Int { ch1x1 + ch3x3 + ch5x5 + poolProj }

    /// Every count divided by `divisor`, rounded down, at least 1.
    public func divided(by divisor: Int) -> InceptionWidths {
        let d = { (n: Int) in Swift.max(1, n / divisor) }
        return InceptionWidths(d(ch1x1), d(ch3x3Reduce), d(ch3x3), d(ch5x5Reduce), d(ch5x5), d(poolProj))
    }
}

public struct GoogLeNetConfig: ModelConfig, Equatable {
    /// Table 1 of the paper, block by block. A stride-2 max-pool precedes 4a and 5a.
    public static let table1: [(name: String, widths: InceptionWidths)] = [
        ("inception3a", InceptionWidths(64, 96, 128, 16, 32, 32)),
        ("inception3b", InceptionWidths(128, 128, 192, 32, 96, 64)),
        ("inception4a", InceptionWidths(192, 96, 208, 16, 48, 64)),
        ("inception4b", InceptionWidths(160, 112, 224, 24, 64, 64)),
        ("inception4c", InceptionWidths(128, 128, 256, 24, 64, 64)),
        ("inception4d", InceptionWidths(112, 144, 288, 32, 64, 64)),
        ("inception4e", InceptionWidths(256, 160, 320, 32, 128, 128)),
        ("inception5a", InceptionWidths(256, 160, 320, 32, 128, 128)),
        ("inception5b", InceptionWidths(384, 192, 384, 48, 128, 128)),
    ]

    /// `imagenet`: the paper's stem, 7x7/2 conv, max-pool, LRN, 1x1 conv, 3x3 conv, LRN, max-pool
    /// (stem_channels = [conv1, conv2, conv3]). `small`: two 3x3 convs (stride 1, pad 1) and one
    /// max-pool, for 28x28 inputs (stem_channels = [conv1, conv2]).
    public enum Stem: String, Sendable { case imagenet, small }

    public var inChannels = 3
    public var numClasses = 1000
    /// Input height and width; fixes the auxiliary heads' fc1 input size.
    public var imageSize = [224, 224]
    public var stem = Stem.imagenet
    public var stemChannels = [64, 64, 192]
    /// Every Table 1 filter count becomes max(1, n / widthDivisor).
    public var widthDivisor = 1
    /// conv(no bias)-BatchNorm-ReLU units instead of the paper's conv(bias)-ReLU.
    public var batchNorm = false
    public var bnEps: Float = 1e-5
    /// The two local response norms of the imagenet stem.
    public var lrn = true
    /// Kernel of the "5x5" branch (torchvision's port uses 3).
    public var branch3Kernel = 5
    /// Rounding of the stride-2 3x3 max-pools: ceil as in Caffe (56/28/14/7 at 224).
    public var ceilMode = true
    public var auxClassifiers = true
    public var auxPoolKernel = 5
    public var auxPoolStride = 3
    public var auxConvChannels = 128
    public var auxHidden = 1024
    public var auxDropout: Float = 0.7
    /// Weight of each auxiliary loss in the training objective.
    public var auxWeight: Float = 0.3
    /// Dropout before the final linear layer.
    public var dropout: Float = 0.4

    public init() {}

    /// Exactly Table 1: 224x224x3 input, 1000 classes, LRN stem, conv+ReLU with biases, 5x5
    /// branches, both auxiliary classifiers, dropout 0.4.
    public static let paper = GoogLeNetConfig()

    /// googlenet_small: Table 1's blocks with a quarter of the filters on 1x28x28 images, a
    /// two-conv stem with one max-pool, BatchNorm after every conv, and auxiliary heads scaled
    /// to the 7x7 maps after 4a and 4d (3x3/2 average pool, 32 channels, 256 hidden).
    public static let fashionMNIST: GoogLeNetConfig = {
        var c = GoogLeNetConfig()
        c.inChannels = 1
        c.numClasses = 10
        c.imageSize = [28, 28]
        c.stem = .small
        c.stemChannels = [32, 64]
        c.widthDivisor = 4
        c.batchNorm = true
        c.lrn = false
        c.auxPoolKernel = 3
        c.auxPoolStride = 2
        c.auxConvChannels = 32
        c.auxHidden = 256
        return c
    }()

    /// The fashionMNIST network at half its width again (an eighth of Table 1), for a run of a
    /// few minutes on two cores.
    public static let quick: GoogLeNetConfig = {
        var c = fashionMNIST
        c.stemChannels = [16, 32]
        c.widthDivisor = 8
        c.auxConvChannels = 16
        c.auxHidden = 128
        return c
    }()

    /// The blocks' filter counts after `widthDivisor`.
    public var blocks: [(name: String, widths: InceptionWidths)] {
        Self.table1.map { ($0.name, $0.widths.divided(by: widthDivisor)) }
    }
}

// MARK: - JSON (run configs and fixture configs use the same snake_case names)

extension JSONValue {
    /// A Float as the decimal it was written as (0.96, not 0.9599999785423279).
    static func number(_ f: Float) -> JSONValue { .double(Double("\(f)") ?? Double(f)) }
}

extension GoogLeNetConfig {
    public var json: [String: JSONValue] {
        [
            "in_channels": .int(inChannels), "num_classes": .int(numClasses),
            "image_size": .array(imageSize.map { .int($0) }), "stem": .string(stem.rawValue),
            "stem_channels": .array(stemChannels.map { .int($0) }), "width_divisor": .int(widthDivisor),
            "batch_norm": .bool(batchNorm), "bn_eps": .number(bnEps), "lrn": .bool(lrn),
            "branch3_kernel": .int(branch3Kernel), "ceil_mode": .bool(ceilMode),
            "aux_classifiers": .bool(auxClassifiers), "aux_pool_kernel": .int(auxPoolKernel),
            "aux_pool_stride": .int(auxPoolStride), "aux_conv_channels": .int(auxConvChannels),
            "aux_hidden": .int(auxHidden), "aux_dropout": .number(auxDropout),
            "aux_weight": .number(auxWeight), "dropout": .number(dropout),
        ]
    }

    /// Reads a config; omitted fields keep the paper's values, unknown fields are an error.
    public init(_ c: FixtureConfig) throws(FixtureError) {
        self.init()
        try c.expectOnly(Set(GoogLeNetConfig.paper.json.keys))
        inChannels = try c.int("in_channels", default: inChannels)
        numClasses = try c.int("num_classes", default: numClasses)
        if let s = try c.floatList("image_size") {
            try require(s.count == 2, "config.image_size must be [height, width]")
            imageSize = s.map { Int($0) }
        }
        let stemName = try c.string("stem", default: stem.rawValue)
        guard let st = Stem(rawValue: stemName) else { throw FixtureError("config.stem must be imagenet or small, got \(stemName)") }
        stem = st
        if let s = try c.floatList("stem_channels") { stemChannels = s.map { Int($0) } }
        try require(stemChannels.count == (stem == .imagenet ? 3 : 2),
                    "config.stem_channels needs \(stem == .imagenet ? 3 : 2) entries for stem \(stem.rawValue)")
        widthDivisor = try c.int("width_divisor", default: widthDivisor)
        batchNorm = try c.bool("batch_norm", default: batchNorm)
        bnEps = try c.float("bn_eps", default: bnEps)
        lrn = try c.bool("lrn", default: lrn)
        branch3Kernel = try c.int("branch3_kernel", default: branch3Kernel)
        ceilMode = try c.bool("ceil_mode", default: ceilMode)
        auxClassifiers = try c.bool("aux_classifiers", default: auxClassifiers)
        auxPoolKernel = try c.int("aux_pool_kernel", default: auxPoolKernel)
        auxPoolStride = try c.int("aux_pool_stride", default: auxPoolStride)
        auxConvChannels = try c.int("aux_conv_channels", default: auxConvChannels)
        auxHidden = try c.int("aux_hidden", default: auxHidden)
        auxDropout = try c.float("aux_dropout", default: auxDropout)
        auxWeight = try c.float("aux_weight", default: auxWeight)
        dropout = try c.float("dropout", default: dropout)
        try require(widthDivisor >= 1 && branch3Kernel % 2 == 1 && inChannels >= 1 && numClasses >= 1,
                    "config: width_divisor >= 1, odd branch3_kernel, positive in_channels and num_classes required")
    }
}
