// nn.Linear and nn.Flatten.

/// y = x Wᵀ + b; weight [out, in], bias [out], PyTorch's default init.
public final class Linear: Module, Layer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator g: inout Generator) {
        weight = Init.kaimingUniform([outFeatures, inFeatures], generator: &g).requiringGrad()
        self.bias = bias ? Init.defaultBias(outFeatures, weightShape: [outFeatures, inFeatures], generator: &g).requiringGrad() : nil
    }

    /// A layer holding the given tensors (a paper's own init): weight [out, in], bias [out].
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2 && (bias.map { $0.shape == [weight.shape[0]] } ?? true),
                     "Linear(weight:bias:) got weight \(weight.shape), bias \(bias.map { "\($0.shape)" } ?? "nil")")
        self.weight = weight.requiringGrad()
        self.bias = bias?.requiringGrad()
    }

    override public var namedLocalParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// [*, in] -> [*, out]
    public func forward(_ x: Tensor) -> Tensor { F.linear(x, weight: weight, bias: bias) }
}

/// Flattens dims startDim...endDim (default: all but the batch dim).
public final class Flatten: Module, Layer {
    public let startDim: Int, endDim: Int
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
    }
    public func forward(_ x: Tensor) -> Tensor { x.flatten(startDim: startDim, endDim: endDim) }
}
