// nn.BatchNorm1d / BatchNorm2d and nn.LocalResponseNorm.

/// Batch normalisation over channel dim 1 (Ioffe & Szegedy 2015) with PyTorch's semantics:
/// momentum 0.1, unbiased running variance, `num_batches_tracked`.
public class BatchNorm: Module, Layer {
    public let numFeatures: Int
    public let eps: Float, momentum: Float
    public let weight: Tensor?, bias: Tensor?
    public let runningMean: Tensor, runningVar: Tensor
    /// A count kept as Float32 here; written as I64 in checkpoints, as PyTorch stores it.
    public let numBatchesTracked: Tensor
    /// Input ranks accepted: [2, 3] for BatchNorm1d, [4] for BatchNorm2d.
    let ranks: Set<Int>

    init(_ numFeatures: Int, eps: Float, momentum: Float, affine: Bool, ranks: Set<Int>) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        weight = affine ? Tensor.ones([numFeatures], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([numFeatures], requiresGrad: true) : nil
        runningMean = Tensor.zeros([numFeatures])
        runningVar = Tensor.ones([numFeatures])
        numBatchesTracked = Tensor.zeros([])
        self.ranks = ranks
    }

    override public var namedLocalParameters: [(String, Tensor)] {
        [weight.map { ("weight", $0) }, bias.map { ("bias", $0) }].compactMap { $0 }
    }

    override public var namedLocalBuffers: [(String, Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    /// [N, C] / [N, C, L] (1d) or [N, C, H, W] (2d), same shape out.
    public func forward(_ x: Tensor) -> Tensor { normalize(x, relu: false) }

    /// relu(forward(x)) as one fused node: the same values with one pass less over the activations
    /// (conv-BN-ReLU units). Same shape out.
    public func forwardReLU(_ x: Tensor) -> Tensor { normalize(x, relu: true) }

    func normalize(_ x: Tensor, relu: Bool) -> Tensor {
        precondition(ranks.contains(x.rank) && x.shape[1] == numFeatures,
                     "BatchNorm(\(numFeatures)) got input \(x.shape)")
        if training { numBatchesTracked.data[0] += 1 }
        guard relu else {
            return F.batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                               training: training, momentum: momentum, eps: eps)
        }
        return F.batchNormReLU(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                               training: training, momentum: momentum, eps: eps)
    }
}

/// nn.BatchNorm1d: input [N, C] or [N, C, L].
public final class BatchNorm1d: BatchNorm {
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, ranks: [2, 3])
    }
}

/// nn.BatchNorm2d: input [N, C, H, W].
public final class BatchNorm2d: BatchNorm {
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, ranks: [4])
    }
}

/// Local response normalisation across channels (Krizhevsky et al. 2012), as used in GoogLeNet's stem.
public final class LocalResponseNorm: Module, Layer {
    public let size: Int, alpha: Float, beta: Float, k: Float
    public init(size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1) {
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k
    }
    public func forward(_ x: Tensor) -> Tensor { F.localResponseNorm(x, size: size, alpha: alpha, beta: beta, k: k) }
}
