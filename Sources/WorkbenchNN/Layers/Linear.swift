// nn.Linear and nn.Flatten.

/// y = x Wᵀ + b; weight [out, in], bias [out], PyTorch's default init.
public final class Linear: Module, Layer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator g: inout Generator) {
        weight = Init.kaimingUniform([outFeatures, inFeatures], generator: &g).requiringGrad()
        self.bias = bias ? Init.defaultBias(outFeatures, weightShape: [outFeatures, inFeatures], generator: &g).requiringGrad() : nil
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
