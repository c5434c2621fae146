// The inception block (paper Fig. 2b) and its conv units: four parallel branches concatenated on channels.
import WorkbenchNN

/// conv(bias) + ReLU as in the paper, or conv(no bias) + BatchNorm + ReLU (fused); children `conv`, `bn`.
public final class ConvUnit: Module, Layer {
    let conv: Conv2d
    let bn: BatchNorm2d?

    init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
         batchNorm: Bool, bnEps: Float, generator g: inout Generator) {
        conv = Conv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                      bias: !batchNorm, generator: &g)
        bn = batchNorm ? BatchNorm2d(outChannels, eps: bnEps) : nil
    }

    override public var namedChildren: [(String, Module)] { [("conv", conv)] + (bn.map { [("bn", $0)] } ?? []) }

    /// [N, in, H, W] -> [N, out, Ho, Wo]
    public func forward(_ x: Tensor) -> Tensor {
        let y = conv(x)
        guard let bn else { return F.relu(y) }
        return bn.forwardReLU(y)
    }
}

/// 1x1 | 1x1 -> 3x3 | 1x1 -> kxk | 3x3/1 max-pool -> 1x1, concatenated in that order
/// (children `branch1`, `branch2.{0,1}`, `branch3.{0,1}`, `branch4.1`, as in torchvision).
public final class InceptionBlock: Module, Layer {
    public let inChannels: Int
    public let widths: InceptionWidths
    let branch1: ConvUnit
    let branch2: Sequential, branch3: Sequential, branch4: Sequential

    /// PyTorch's default init drawn from `g` in registration order. `branch3Kernel` is the paper's
    /// 5; `batchNorm` switches every unit to conv-BN-ReLU.
    public init(_ inChannels: Int, _ widths: InceptionWidths, batchNorm: Bool, bnEps: Float = 1e-5,
                branch3Kernel: Int = 5, generator g: inout Generator) {
        precondition(branch3Kernel % 2 == 1, "InceptionBlock: branch3Kernel must be odd to keep the size, got \(branch3Kernel)")
        self.inChannels = inChannels
        self.widths = widths
        func unit(_ i: Int, _ o: Int, _ k: Int) -> ConvUnit {
            ConvUnit(i, o, kernelSize: k, padding: k / 2, batchNorm: batchNorm, bnEps: bnEps, generator: &g)
        }
        let w = widths
        branch1 = unit(inChannels, w.ch1x1, 1)
        branch2 = Sequential(unit(inChannels, w.ch3x3Reduce, 1), unit(w.ch3x3Reduce, w.ch3x3, 3))
        branch3 = Sequential(unit(inChannels, w.ch5x5Reduce, 1), unit(w.ch5x5Reduce, w.ch5x5, branch3Kernel))
        branch4 = Sequential(MaxPool2d(3, stride: 1, padding: 1, ceilMode: true), unit(inChannels, w.poolProj, 1))
    }

    override public var namedChildren: [(String, Module)] {
        [("branch1", branch1), ("branch2", branch2), ("branch3", branch3), ("branch4", branch4)]
    }

    /// [N, in, H, W] -> [N, widths.outChannels, H, W]
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == inChannels, "InceptionBlock(\(inChannels) in) got input \(x.shape)")
        return Tensor.cat([branch1(x), branch2(x), branch3(x), branch4(x)], dim: 1)
    }
}

/// An auxiliary classifier (paper §5): avg-pool -> 1x1 conv unit -> flatten -> fc1 + ReLU ->
/// dropout -> fc2. Children `conv`, `fc1`, `fc2`, as in torchvision.
public final class InceptionAux: Module, Layer {
    let poolKernel: Int, poolStride: Int
    let conv: ConvUnit
    let fc1: Linear, fc2: Linear
    let dropout: Dropout

    /// `spatial` is the (height, width) of the feature map the head reads.
    init(_ inChannels: Int, spatial: (Int, Int), _ c: GoogLeNetConfig, random: RandomSource, generator g: inout Generator) {
        poolKernel = c.auxPoolKernel
        poolStride = c.auxPoolStride
        let side = { (n: Int) in (n - c.auxPoolKernel) / c.auxPoolStride + 1 }
        precondition(side(spatial.0) > 0 && side(spatial.1) > 0,
                     "InceptionAux: a \(c.auxPoolKernel)x\(c.auxPoolKernel) pool does not fit a \(spatial) map")
        conv = ConvUnit(inChannels, c.auxConvChannels, kernelSize: 1, batchNorm: c.batchNorm, bnEps: c.bnEps, generator: &g)
        fc1 = Linear(c.auxConvChannels * side(spatial.0) * side(spatial.1), c.auxHidden, generator: &g)
        fc2 = Linear(c.auxHidden, c.numClasses, generator: &g)
        dropout = Dropout(p: c.auxDropout, random: random)
    }

    override public var namedChildren: [(String, Module)] {
        [("conv", conv), ("fc1", fc1), ("fc2", fc2), ("dropout", dropout)]
    }

    /// [N, C, H, W] -> [N, classes]
    public func forward(_ x: Tensor) -> Tensor {
        let pooled = F.avgPool2d(x, kernelSize: (poolKernel, poolKernel), stride: (poolStride, poolStride))
        let h = F.relu(fc1(conv(pooled).flatten(startDim: 1)))
        return fc2(dropout(h))
    }
}
