// The DCGAN generator and discriminator as pytorch/examples `dcgan/main.py` builds them: an
// `nn.Sequential` named `main` (state-dict names `main.0.weight` ...), initialised as its
// `weights_init` does: conv weights N(0, 0.02), BatchNorm weight N(1, 0.02) and bias 0, drawn from
// `g` in layer order as the layers are built. Every convolution is 4x4 and bias-free.
import WorkbenchNN

/// G: z [N, nz, 1, 1] → image [N, nc, S, S] in [-1, 1]: a ConvTranspose to 4x4 (the projection),
/// stride-2 ConvTranspose stages with BatchNorm + ReLU, a ConvTranspose to `nc` channels + Tanh
/// (no BatchNorm on the output layer).
public final class DCGANGenerator: Module, Layer {
    public let config: DCGANConfig
    public let main: Sequential

    public init(_ config: DCGANConfig, generator g: inout Generator) {
        self.config = config
        func up(_ i: Int, _ o: Int, stride: Int, padding: Int) -> ConvTranspose2d {
            ConvTranspose2d(weight: Init.normal([i, o, 4, 4], mean: 0, std: 0.02, generator: &g), bias: nil,
                            stride: (stride, stride), padding: (padding, padding))
        }
        let w = config.generatorWidths
        var layers: [any Layer] = [up(config.nz, w[0], stride: 1, padding: 0), batchNorm(w[0], &g), ReLU()]
        for (a, b) in zip(w, w.dropFirst()) {
            layers += [up(a, b, stride: 2, padding: 1), batchNorm(b, &g), ReLU()]
        }
        main = Sequential(layers + [up(w.last!, config.nc, stride: 2, padding: 1), Tanh()])
    }

    override public var namedChildren: [(String, Module)] { [("main", main)] }

    /// [N, nz, 1, 1] -> [N, nc, S, S]
    public func forward(_ z: Tensor) -> Tensor {
        precondition(z.rank == 4 && z.shape[1] == config.nz && z.shape[2] == 1 && z.shape[3] == 1,
                     "DCGANGenerator: z \(z.shape) must be [N, \(config.nz), 1, 1]")
        return main.forward(z)
    }
}

/// D: image [N, nc, S, S] → one logit per image [N]: stride-2 convs with LeakyReLU 0.2, BatchNorm on
/// all but the input layer, then a 4x4 valid conv to one logit. No Sigmoid (pytorch/examples ends in
/// one): the loss is BCE-with-logits, and the D(·) statistics apply the sigmoid.
public final class DCGANDiscriminator: Module, Layer {
    public let config: DCGANConfig
    public let main: Sequential

    public init(_ config: DCGANConfig, generator g: inout Generator) {
        self.config = config
        func down(_ i: Int, _ o: Int, stride: Int, padding: Int) -> Conv2d {
            Conv2d(weight: Init.normal([o, i, 4, 4], mean: 0, std: 0.02, generator: &g), bias: nil,
                   stride: (stride, stride), padding: (padding, padding))
        }
        let w = config.discriminatorWidths
        var layers: [any Layer] = [down(config.nc, w[0], stride: 2, padding: 1), LeakyReLU(negativeSlope: 0.2)]
        for (a, b) in zip(w, w.dropFirst()) {
            layers += [down(a, b, stride: 2, padding: 1), batchNorm(b, &g), LeakyReLU(negativeSlope: 0.2)]
        }
        main = Sequential(layers + [down(w.last!, 1, stride: 1, padding: 0)])
    }

    override public var namedChildren: [(String, Module)] { [("main", main)] }

    /// [N, nc, S, S] -> [N]
    public func forward(_ x: Tensor) -> Tensor {
        checkInput(x)
        return main.forward(x).reshape([x.shape[0]])   // [N, 1, 1, 1] -> [N]
    }

    /// The activations after each LeakyReLU (every conv block but the final logit conv), for the
    /// paper's Section 5.1 feature extractor: [N, ndf, S/2, S/2], [N, 2 ndf, S/4, S/4], ...
    public func features(_ x: Tensor) -> [Tensor] {
        checkInput(x)
        var out: [Tensor] = []
        var h = x
        for layer in main.layers {
            h = layer.forward(h)
            if layer is LeakyReLU { out.append(h) }
        }
        return out
    }

    private func checkInput(_ x: Tensor) {
        precondition(x.rank == 4 && x.shape[1] == config.nc && x.shape[2] == config.imageSize && x.shape[3] == config.imageSize,
                     "DCGANDiscriminator: x \(x.shape) must be [N, \(config.nc), \(config.imageSize), \(config.imageSize)]")
    }
}

/// BatchNorm2d with weights_init's weight N(1, 0.02) (its bias starts at 0).
private func batchNorm(_ channels: Int, _ g: inout Generator) -> BatchNorm2d {
    let m = BatchNorm2d(channels)
    m.weight!.data = Init.normal([channels], mean: 1, std: 0.02, generator: &g).data
    return m
}
