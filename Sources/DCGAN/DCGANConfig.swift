// DCGAN's configuration (image size and widths, pytorch/examples' argument names) and the layer
// lists of its generator and discriminator, shared by the modules and the fixture handlers.

/// Sizes of a DCGAN pair. Names follow pytorch/examples `dcgan/main.py`: `nz` latent size, `ngf`/`ndf`
/// the narrowest generator/discriminator width, `nc` image channels.
public struct DCGANConfig: Sendable, Equatable {
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

    /// `main` of the generator: z [N, nz, 1, 1] → ConvT 4x4 (project to 4x4) → stride-2 ConvT stages
    /// with BatchNorm + ReLU → ConvT to `nc` channels + Tanh (no BatchNorm on the output layer).
    public var generatorLayers: [DCGANLayer] {
        let w = generatorWidths
        var layers: [DCGANLayer] = [.convTranspose(in: nz, out: w[0], kernel: 4, stride: 1, padding: 0), .batchNorm(w[0]), .relu]
        for i in 1..<w.count {
            layers += [.convTranspose(in: w[i - 1], out: w[i], kernel: 4, stride: 2, padding: 1), .batchNorm(w[i]), .relu]
        }
        return layers + [.convTranspose(in: w.last!, out: nc, kernel: 4, stride: 2, padding: 1), .tanh]
    }

    /// `main` of the discriminator: stride-2 convs with LeakyReLU 0.2, BatchNorm on all but the input
    /// layer, then a 4x4 valid conv to one logit (no sigmoid: the loss is BCE-with-logits).
    public var discriminatorLayers: [DCGANLayer] {
        let w = discriminatorWidths
        var layers: [DCGANLayer] = [.conv(in: nc, out: w[0], kernel: 4, stride: 2, padding: 1), .leakyRelu(0.2)]
        for i in 1..<w.count {
            layers += [.conv(in: w[i - 1], out: w[i], kernel: 4, stride: 2, padding: 1), .batchNorm(w[i]), .leakyRelu(0.2)]
        }
        return layers + [.conv(in: w.last!, out: 1, kernel: 4, stride: 1, padding: 0)]
    }

    /// The config as the reference script's JSON names (fixture `config`, run config).
    public var json: [String: Int] {
        ["image_size": imageSize, "nz": nz, "ngf": ngf, "ndf": ndf, "nc": nc]
    }
}

/// One entry of an `nn.Sequential` named `main`; every convolution is bias-free.
public enum DCGANLayer: Sendable, Equatable {
    case convTranspose(in: Int, out: Int, kernel: Int, stride: Int, padding: Int)
    case conv(in: Int, out: Int, kernel: Int, stride: Int, padding: Int)
    case batchNorm(Int)
    case relu
    case leakyRelu(Float)
    case tanh
}
