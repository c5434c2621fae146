// GoogLeNet (Szegedy et al. 2014, Table 1): stem, nine inception blocks, global average pool,
// dropout and a linear classifier, with the two auxiliary classifiers used only in training.
import WorkbenchNN

/// The logits of the main classifier and, in train mode, of the two auxiliary classifiers.
public struct GoogLeNetOutput {
    public let logits: Tensor
    public let aux1: Tensor?
    public let aux2: Tensor?
}

public final class GoogLeNet: Module {
    public let config: GoogLeNetConfig
    /// Feeds every dropout layer; its generator belongs in checkpoints.
    public let random: RandomSource
    let conv1: ConvUnit, conv2: ConvUnit, conv3: ConvUnit?
    let blocks: [(name: String, block: InceptionBlock)]
    let aux1: InceptionAux?, aux2: InceptionAux?
    let dropout: Dropout
    let fc: Linear

    /// A freshly initialised network (PyTorch's default layer init, drawn from `generator` in
    /// registration order); dropout masks come from `dropoutSeed`.
    public init(_ c: GoogLeNetConfig, generator g: inout Generator, dropoutSeed: UInt64 = 0) {
        config = c
        random = RandomSource(seed: dropoutSeed)
        func unit(_ i: Int, _ o: Int, _ k: Int, stride: Int = 1) -> ConvUnit {
            ConvUnit(i, o, kernelSize: k, stride: stride, padding: k / 2, batchNorm: c.batchNorm, bnEps: c.bnEps, generator: &g)
        }
        let s = c.stemChannels
        var (h, w) = (c.imageSize[0], c.imageSize[1])
        switch c.stem {
        case .imagenet:
            precondition(s.count == 3, "GoogLeNet: the imagenet stem needs 3 stem channels, got \(s)")
            conv1 = unit(c.inChannels, s[0], 7, stride: 2)
            conv2 = unit(s[0], s[1], 1)
            conv3 = unit(s[1], s[2], 3)
            (h, w) = ((h + 1) / 2, (w + 1) / 2)
            for _ in 0..<2 { (h, w) = (poolLength(h, ceil: c.ceilMode), poolLength(w, ceil: c.ceilMode)) }
        case .small:
            precondition(s.count == 2, "GoogLeNet: the small stem needs 2 stem channels, got \(s)")
            conv1 = unit(c.inChannels, s[0], 3)
            conv2 = unit(s[0], s[1], 3)
            conv3 = nil
            (h, w) = (poolLength(h, ceil: c.ceilMode), poolLength(w, ceil: c.ceilMode))
        }
        var channels = s.last!
        var blocks: [(String, InceptionBlock)] = []
        var aux1: InceptionAux?, aux2: InceptionAux?
        for (name, widths) in c.blocks {
            if GoogLeNet.pooledBefore.contains(name) {
                (h, w) = (poolLength(h, ceil: c.ceilMode), poolLength(w, ceil: c.ceilMode))
            }
            let block = InceptionBlock(channels, widths, batchNorm: c.batchNorm, bnEps: c.bnEps,
                                       branch3Kernel: c.branch3Kernel, generator: &g)
            blocks.append((name, block))
            channels = widths.outChannels
            if c.auxClassifiers && name == "inception4a" {
                aux1 = InceptionAux(channels, spatial: (h, w), c, random: random, generator: &g)
            }
            if c.auxClassifiers && name == "inception4d" {
                aux2 = InceptionAux(channels, spatial: (h, w), c, random: random, generator: &g)
            }
        }
        self.blocks = blocks
        self.aux1 = aux1
        self.aux2 = aux2
        dropout = Dropout(p: c.dropout, random: random)
        fc = Linear(channels, c.numClasses, generator: &g)
    }

    /// Blocks preceded by a stride-2 max-pool.
    static let pooledBefore: Set<String> = ["inception4a", "inception5a"]

    /// Registration order of the reference: the stem, the blocks with each aux head after the
    /// block it reads, the classifier.
    override public var namedChildren: [(String, Module)] {
        var out: [(String, Module)] = [("conv1", conv1), ("conv2", conv2)]
        if let conv3 { out.append(("conv3", conv3)) }
        for (name, block) in blocks {
            out.append((name, block))
            if name == "inception4a", let aux1 { out.append(("aux1", aux1)) }
            if name == "inception4d", let aux2 { out.append(("aux2", aux2)) }
        }
        out += [("dropout", dropout), ("fc", fc)]
        return out
    }

    /// Parameters used at inference (the auxiliary heads excluded).
    public var inferenceParameterCount: Int {
        namedParameters().filter { !$0.0.hasPrefix("aux") }.reduce(0) { $0 + $1.1.count }
    }

    /// x [N, inChannels, H, W] -> logits [N, classes] (aux logits too in train mode).
    /// `observe` receives each stage's name and output shape.
    public func forward(_ x: Tensor, observe: ((String, [Int]) -> Void)? = nil) -> GoogLeNetOutput {
        precondition(x.rank == 4 && x.shape[1] == config.inChannels,
                     "GoogLeNet expects [N, \(config.inChannels), H, W], got \(x.shape)")
        let c = config
        func pool(_ t: Tensor, _ name: String) -> Tensor {
            let y = F.maxPool2d(t, kernelSize: (3, 3), stride: (2, 2), ceilMode: c.ceilMode)
            observe?(name, y.shape)
            return y
        }
        func lrn(_ t: Tensor) -> Tensor { c.lrn ? F.localResponseNorm(t, size: 5, alpha: 1e-4, beta: 0.75, k: 1) : t }
        func stage(_ name: String, _ t: Tensor) -> Tensor {
            observe?(name, t.shape)
            return t
        }
        var h: Tensor
        if let conv3 {
            h = lrn(pool(stage("conv1", conv1(x)), "maxpool1"))
            h = pool(lrn(stage("conv3", conv3(stage("conv2", conv2(h))))), "maxpool2")
        } else {
            h = pool(stage("conv2", conv2(stage("conv1", conv1(x)))), "maxpool1")
        }
        var a1: Tensor?, a2: Tensor?
        for (name, block) in blocks {
            if GoogLeNet.pooledBefore.contains(name) { h = pool(h, name == "inception4a" ? "maxpool3" : "maxpool4") }
            h = stage(name, block(h))
            if training, name == "inception4a", let aux1 { a1 = aux1(h) }
            if training, name == "inception4d", let aux2 { a2 = aux2(h) }
        }
        h = stage("avgpool", F.adaptiveAvgPool2d(h, outputSize: (1, 1))).flatten(startDim: 1)
        let logits = stage("fc", fc(dropout(h)))
        return GoogLeNetOutput(logits: logits, aux1: a1, aux2: a2)
    }

    public func callAsFunction(_ x: Tensor) -> GoogLeNetOutput { forward(x) }

    /// The training objective (paper §5): CE(main) + auxWeight * (CE(aux1) + CE(aux2)); the aux
    /// terms only where the heads ran (train mode).
    public func loss(_ out: GoogLeNetOutput, target: IndexTensor) -> Tensor {
        var total = F.crossEntropy(out.logits, target: target)
        for aux in [out.aux1, out.aux2] {
            if let aux { total = total + F.crossEntropy(aux, target: target) * config.auxWeight }
        }
        return total
    }
}

/// Output length of an unpadded 3x3/2 max-pool, with PyTorch's ceil-mode rule (the last window
/// must start inside the input).
func poolLength(_ n: Int, ceil: Bool) -> Int {
    guard ceil else { return (n - 3) / 2 + 1 }
    var out = (n - 3 + 1) / 2 + 1
    if (out - 1) * 2 >= n { out -= 1 }
    return out
}
