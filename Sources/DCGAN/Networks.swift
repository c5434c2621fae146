// The DCGAN generator and discriminator as modules (an `nn.Sequential` named `main`, so state-dict
// names are `main.0.weight` ... as in pytorch/examples), their weight init, and a functional forward
// over named tensors used by the fixture handlers.
import WorkbenchNN

/// G: z [N, nz, 1, 1] → image [N, nc, S, S] in [-1, 1].
public final class DCGANGenerator: Module, Layer {
    public let config: DCGANConfig
    public let main: Sequential

    public init(_ config: DCGANConfig, generator g: inout Generator) {
        self.config = config
        main = buildSequential(config.generatorLayers, generator: &g)
    }

    override public var namedChildren: [(String, Module)] { [("main", main)] }

    /// [N, nz, 1, 1] -> [N, nc, S, S]
    public func forward(_ z: Tensor) -> Tensor {
        precondition(z.rank == 4 && z.shape[1] == config.nz && z.shape[2] == 1 && z.shape[3] == 1,
                     "DCGANGenerator: z \(z.shape) must be [N, \(config.nz), 1, 1]")
        return main.forward(z)
    }
}

/// D: image [N, nc, S, S] → one logit per image [N] (no sigmoid; train with BCE-with-logits).
public final class DCGANDiscriminator: Module, Layer {
    public let config: DCGANConfig
    public let main: Sequential

    public init(_ config: DCGANConfig, generator g: inout Generator) {
        self.config = config
        main = buildSequential(config.discriminatorLayers, generator: &g)
    }

    override public var namedChildren: [(String, Module)] { [("main", main)] }

    /// [N, nc, S, S] -> [N]
    public func forward(_ x: Tensor) -> Tensor {
        checkInput(x)
        let y = main.forward(x)   // [N, 1, 1, 1]
        return y.reshape([x.shape[0]])
    }

    /// The activations after each LeakyReLU (every conv block but the final logit conv), for the
    /// paper's Section 5.1 feature extractor: [N, ndf, S/2, S/2], [N, 2 ndf, S/4, S/4], ...
    public func features(_ x: Tensor) -> [Tensor] {
        checkInput(x)
        var out: [Tensor] = []
        var h = x
        for (layer, spec) in zip(main.layers, config.discriminatorLayers) {
            h = layer.forward(h)
            if case .leakyRelu = spec { out.append(h) }
        }
        return out
    }

    private func checkInput(_ x: Tensor) {
        precondition(x.rank == 4 && x.shape[1] == config.nc && x.shape[2] == config.imageSize && x.shape[3] == config.imageSize,
                     "DCGANDiscriminator: x \(x.shape) must be [N, \(config.nc), \(config.imageSize), \(config.imageSize)]")
    }
}

/// The modules of `layers`, initialised as pytorch/examples' `weights_init` does after construction:
/// conv weights N(0, 0.02), BatchNorm weight N(1, 0.02) and bias 0, drawn in module order.
func buildSequential(_ layers: [DCGANLayer], generator g: inout Generator) -> Sequential {
    // The layers' own default (Kaiming) init is overwritten below, so it draws from a scratch stream.
    var scratch = Generator(seed: 0)
    var modules: [any Layer] = []
    for spec in layers {
        switch spec {
        case let .convTranspose(i, o, k, s, p):
            let m = ConvTranspose2d(i, o, kernelSize: k, stride: s, padding: p, bias: false, generator: &scratch)
            m.weight.data = Init.normal(m.weight.shape, mean: 0, std: 0.02, generator: &g).data
            modules.append(m)
        case let .conv(i, o, k, s, p):
            let m = Conv2d(i, o, kernelSize: k, stride: s, padding: p, bias: false, generator: &scratch)
            m.weight.data = Init.normal(m.weight.shape, mean: 0, std: 0.02, generator: &g).data
            modules.append(m)
        case let .batchNorm(c):
            let m = BatchNorm2d(c)
            m.weight!.data = Init.normal([c], mean: 1, std: 0.02, generator: &g).data
            modules.append(m)
        case .relu: modules.append(ReLU())
        case let .leakyRelu(slope): modules.append(LeakyReLU(negativeSlope: slope))
        case .tanh: modules.append(Tanh())
        }
    }
    return Sequential(modules)
}

/// Tensors by state-dict name for the functional forward (fixtures hand in their own leaves).
public struct NamedTensors {
    let lookup: (String) -> Tensor?
    public init(_ tensors: [String: Tensor]) { lookup = { tensors[$0] } }
    /// A lookup that may record what was asked for (fixture calls mark keys used).
    public init(lookup: @escaping (String) -> Tensor?) { self.lookup = lookup }
    public subscript(_ name: String) -> Tensor? { lookup(name) }
}

/// State-dict names of a `main` built from `layers`: parameters and buffers, in PyTorch's order.
public func dcganStateNames(_ layers: [DCGANLayer]) -> (parameters: [String], buffers: [String]) {
    var params: [String] = [], buffers: [String] = []
    for (i, spec) in layers.enumerated() {
        switch spec {
        case .conv, .convTranspose: params.append("main.\(i).weight")
        case .batchNorm:
            params += ["main.\(i).weight", "main.\(i).bias"]
            buffers += ["running_mean", "running_var", "num_batches_tracked"].map { "main.\(i).\($0)" }
        default: break
        }
    }
    return (params, buffers)
}

/// Errors of the functional forward: a named tensor that is missing or mis-shaped.
public struct DCGANShapeError: Error, CustomStringConvertible {
    public let description: String
}

/// The same computation as the modules, on explicitly named tensors `<prefix>main.<i>.weight`,
/// `running_mean` ...: the fixture handlers use it so that the gradients land on the fixture's
/// own leaves. BatchNorm in train mode updates the given running buffers and `num_batches_tracked`.
public func dcganForward(_ layers: [DCGANLayer], _ x: Tensor, prefix: String = "", training: Bool,
                         params: NamedTensors, buffers: NamedTensors) throws -> Tensor {
    func named(_ t: NamedTensors, _ name: String, _ shape: [Int]) throws -> Tensor {
        guard let v = t[prefix + name] else { throw DCGANShapeError(description: "missing tensor \(prefix + name)") }
        guard v.shape == shape else { throw DCGANShapeError(description: "\(prefix + name) has shape \(v.shape), expected \(shape)") }
        return v
    }
    var h = x
    for (i, spec) in layers.enumerated() {
        let base = "main.\(i)."
        switch spec {
        case let .convTranspose(ci, co, k, s, p):
            guard h.rank == 4 && h.shape[1] == ci else { throw DCGANShapeError(description: "layer \(i): input \(h.shape), want \(ci) channels") }
            let w = try named(params, base + "weight", [ci, co, k, k])
            h = F.convTranspose2d(h, weight: w, stride: (s, s), padding: (p, p))
        case let .conv(ci, co, k, s, p):
            guard h.rank == 4 && h.shape[1] == ci && h.shape[2] + 2 * p >= k && h.shape[3] + 2 * p >= k else {
                throw DCGANShapeError(description: "layer \(i): input \(h.shape), want \(ci) channels and at least \(k - 2 * p) pixels")
            }
            let w = try named(params, base + "weight", [co, ci, k, k])
            h = F.conv2d(h, weight: w, stride: (s, s), padding: (p, p))
        case let .batchNorm(c):
            let w = try named(params, base + "weight", [c]), b = try named(params, base + "bias", [c])
            let mean = try named(buffers, base + "running_mean", [c]), variance = try named(buffers, base + "running_var", [c])
            // Looked up in eval mode too: it is part of the state even when it does not change.
            let counter = buffers[prefix + base + "num_batches_tracked"]
            if training {
                guard h.count / c > 1 else { throw DCGANShapeError(description: "layer \(i): BatchNorm needs more than one value per channel, got \(h.shape)") }
                counter?.data[0] += 1
            }
            h = F.batchNorm(h, runningMean: mean, runningVar: variance, weight: w, bias: b, training: training)
        case .relu: h = F.relu(h)
        case let .leakyRelu(slope): h = F.leakyRelu(h, negativeSlope: slope)
        case .tanh: h = F.tanh(h)
        }
    }
    return h
}
