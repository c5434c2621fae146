// The inception block (paper Fig. 2b) and its conv units: four parallel branches concatenated on channels.
import WorkbenchNN

/// conv(bias) + ReLU as in the paper, or conv(no bias) + BatchNorm + ReLU; children `conv`, `bn`.
public final class ConvUnit: Module, Layer {
    let conv: SourcedConv2d
    let bn: SourcedBatchNorm2d?

    init(_ scope: Scope, _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
         batchNorm: Bool, bnEps: Float) {
        conv = SourcedConv2d(scope.child("conv"), inChannels, outChannels, kernelSize: kernelSize, stride: stride,
                             padding: padding, bias: !batchNorm)
        bn = batchNorm ? SourcedBatchNorm2d(scope.child("bn"), outChannels, eps: bnEps) : nil
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

    /// `branch3Kernel` is the paper's 5; `batchNorm` switches every unit to conv-BN-ReLU.
    public convenience init(_ inChannels: Int, _ widths: InceptionWidths, batchNorm: Bool, bnEps: Float = 1e-5,
                            branch3Kernel: Int = 5, source: TensorSource) {
        self.init(Scope(source: source, prefix: ""), inChannels, widths, batchNorm: batchNorm, bnEps: bnEps,
                  branch3Kernel: branch3Kernel)
    }

    init(_ scope: Scope, _ inChannels: Int, _ widths: InceptionWidths, batchNorm: Bool, bnEps: Float, branch3Kernel: Int) {
        precondition(branch3Kernel % 2 == 1, "InceptionBlock: branch3Kernel must be odd to keep the size, got \(branch3Kernel)")
        self.inChannels = inChannels
        self.widths = widths
        func unit(_ s: Scope, _ i: Int, _ o: Int, _ k: Int) -> ConvUnit {
            ConvUnit(s, i, o, kernelSize: k, padding: k / 2, batchNorm: batchNorm, bnEps: bnEps)
        }
        let w = widths
        branch1 = unit(scope.child("branch1"), inChannels, w.ch1x1, 1)
        let s2 = scope.child("branch2"), s3 = scope.child("branch3"), s4 = scope.child("branch4")
        branch2 = Sequential(unit(s2.child("0"), inChannels, w.ch3x3Reduce, 1), unit(s2.child("1"), w.ch3x3Reduce, w.ch3x3, 3))
        branch3 = Sequential(unit(s3.child("0"), inChannels, w.ch5x5Reduce, 1),
                             unit(s3.child("1"), w.ch5x5Reduce, w.ch5x5, branch3Kernel))
        branch4 = Sequential(MaxPool2d(3, stride: 1, padding: 1, ceilMode: true), unit(s4.child("1"), inChannels, w.poolProj, 1))
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
    let fc1: SourcedLinear, fc2: SourcedLinear
    let dropout: Dropout

    /// `spatial` is the (height, width) of the feature map the head reads.
    init(_ scope: Scope, _ inChannels: Int, spatial: (Int, Int), _ c: GoogLeNetConfig, random: RandomSource) {
        poolKernel = c.auxPoolKernel
        poolStride = c.auxPoolStride
        let side = { (n: Int) in (n - c.auxPoolKernel) / c.auxPoolStride + 1 }
        precondition(side(spatial.0) > 0 && side(spatial.1) > 0,
                     "InceptionAux: a \(c.auxPoolKernel)x\(c.auxPoolKernel) pool does not fit a \(spatial) map")
        conv = ConvUnit(scope.child("conv"), inChannels, c.auxConvChannels, kernelSize: 1, batchNorm: c.batchNorm, bnEps: c.bnEps)
        fc1 = SourcedLinear(scope.child("fc1"), c.auxConvChannels * side(spatial.0) * side(spatial.1), c.auxHidden)
        fc2 = SourcedLinear(scope.child("fc2"), c.auxHidden, c.numClasses)
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
