// DCGAN's configuration (image size and widths, pytorch/examples' argument names) and the training
// recipe of each preset (`workbench run dcgan --preset NAME`).
import WorkbenchRun

/// Sizes of a DCGAN pair. Names follow pytorch/examples `dcgan/main.py`: `nz` latent size, `ngf`/`ndf`
/// the narrowest generator/discriminator width, `nc` image channels. The snake_case names of `json`
/// are used in run configs and in fixture configs (papers/dcgan/reference/model.py reads the same).
public struct DCGANConfig: ModelConfig, Equatable {
    /// 32 (three up/down-sampling stages) or 64 (four).
    public var imageSize: Int
    public var nz: Int
    public var ngf: Int
    public var ndf: Int
    public var nc: Int

    public init(imageSize: Int = 32, nz: Int = 100, ngf: Int = 64, ndf: Int = 64, nc: Int = 1) {
        precondition(imageSize == 32 || imageSize == 64, "DCGAN imageSize must be 32 or 64, got \(imageSize)")
        precondition(nz > 0 && ngf > 0 && ndf > 0 && nc > 0, "DCGAN sizes must be positive: nz \(nz) ngf \(ngf) ndf \(ndf) nc \(nc)")
        self.imageSize = imageSize
        self.nz = nz
        self.ngf = ngf
        self.ndf = ndf
        self.nc = nc
    }

    /// The dcgan32 benchmark network: G 100 → 4x4x256 → 8x8x128 → 16x16x64 → 32x32x1, D its mirror.
    public static let fashionMNIST32 = DCGANConfig(imageSize: 32, nz: 100, ngf: 64, ndf: 64, nc: 1)
    /// The paper's LSUN generator shape (Fig. 1): 100 → 4x4x1024 → 8x8x512 → 16x16x256 → 32x32x128 → 64x64x3;
    /// the discriminator mirrors it (128 → 256 → 512 → 1024).
    public static let paper64 = DCGANConfig(imageSize: 64, nz: 100, ngf: 128, ndf: 128, nc: 3)

    /// Number of stride-2 stages: 3 for 32x32, 4 for 64x64.
    var stages: Int { imageSize == 32 ? 3 : 4 }

    /// Generator widths after the projection, widest first: e.g. [256, 128, 64] for dcgan32.
    var generatorWidths: [Int] { (0..<stages).map { ngf << (stages - 1 - $0) } }
    /// Discriminator widths, narrowest first: e.g. [64, 128, 256] for dcgan32.
    var discriminatorWidths: [Int] { (0..<stages).map { ndf << $0 } }

    public var json: [String: JSONValue] {
        ["image_size": .int(imageSize), "nz": .int(nz), "ngf": .int(ngf), "ndf": .int(ndf), "nc": .int(nc)]
    }

    /// Reads a config; omitted fields keep dcgan32's values, unknown fields are an error.
    public init(_ c: FixtureConfig) throws(FixtureError) {
        try c.expectOnly(Set(DCGANConfig().json.keys))
        let size = try c.int("image_size", default: 32)
        let nz = try c.int("nz", default: 100), ngf = try c.int("ngf", default: 64)
        let ndf = try c.int("ndf", default: 64), nc = try c.int("nc", default: 1)
        try require(size == 32 || size == 64, "config.image_size must be 32 or 64, got \(size)")
        try require(nz > 0 && ngf > 0 && ndf > 0 && nc > 0, "config sizes must be positive")
        self.init(imageSize: size, nz: nz, ngf: ngf, ndf: ndf, nc: nc)
    }
}

/// How a preset trains and evaluates: Adam on Fashion-MNIST padded to 32x32 in [-1, 1], FID on the
/// features of a Fashion-MNIST classifier trained at the start, the Section 5.1 probe at the end.
/// Its encoding is config.json's hyperparameters.
public struct DCGANPreset: Preset {
    public var name: String
    public var summary: String
    public var model = DCGANConfig.fashionMNIST32
    public var epochs = 5
    public var batchSize = 128
    public var learningRate: Float = 2e-4
    public var betas: [Float] = [0.5, 0.999]
    /// Training images used (nil: all 60,000).
    public var trainLimit: Int?
    /// The FID classifier's epochs and training images (nil: all).
    public var classifierEpochs = 1
    public var classifierTrainLimit: Int?
    /// Generated and real images per FID estimate.
    public var fidSamples = 10_000
    /// Labelled train / test images and epochs of the Section 5.1 probe.
    public var probeTrain = 10_000
    public var probeTest = 10_000
    public var probeEpochs = 10
    /// Steps per windowed record in metrics.jsonl.
    public var logEvery = 50

    public static let all: [DCGANPreset] = {
        var quick = DCGANPreset(name: "quick", summary: "2-3 min: half-width dcgan32 (ngf=ndf=32), batch 64, 300 steps on Fashion-MNIST, small FID and probe")
        quick.model = DCGANConfig(imageSize: 32, nz: 100, ngf: 32, ndf: 32, nc: 1)
        quick.epochs = 1
        quick.batchSize = 64
        quick.trainLimit = 19_200
        quick.classifierTrainLimit = 10_000
        quick.fidSamples = 2000
        quick.probeTrain = 2000
        quick.probeTest = 2000
        quick.logEvery = 25
        var fashion = DCGANPreset(name: "fashion", summary: "dcgan32 on Fashion-MNIST 32x32, batch 128, Adam 2e-4/0.5, FID per epoch, Section 5.1 probe")
        fashion.classifierTrainLimit = 20_000
        return [quick, fashion]
    }()

    public static func preset(_ name: String) throws -> DCGANPreset { try named(name, in: all, paper: DCGAN.id) }
}
