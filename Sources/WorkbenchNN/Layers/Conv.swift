// nn.Conv2d and nn.ConvTranspose2d with PyTorch's weight layouts and default init.

/// weight [out, in, kh, kw], bias [out].
public final class Conv2d: Module, Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), bias: Bool = true, generator g: inout Generator) {
        let shape = [outChannels, inChannels, kernelSize.0, kernelSize.1]
        weight = Init.kaimingUniform(shape, generator: &g).requiringGrad()
        self.bias = bias ? Init.defaultBias(outChannels, weightShape: shape, generator: &g).requiringGrad() : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// A layer holding the given tensors (a paper's own init): weight [out, in, kh, kw], bias [out].
    public init(weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                dilation: (Int, Int) = (1, 1)) {
        precondition(weight.rank == 4 && (bias.map { $0.shape == [weight.shape[0]] } ?? true),
                     "Conv2d(weight:bias:) got weight \(weight.shape), bias \(bias.map { "\($0.shape)" } ?? "nil")")
        self.weight = weight.requiringGrad()
        self.bias = bias?.requiringGrad()
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// Square kernel, stride and padding.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            bias: Bool = true, generator g: inout Generator) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), bias: bias, generator: &g)
    }

    override public var namedLocalParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// [N, in, H, W] -> [N, out, Ho, Wo]
    public func forward(_ x: Tensor) -> Tensor {
        F.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
    }
}

/// weight [in, out, kh, kw] (PyTorch's transposed layout), bias [out].
public final class ConvTranspose2d: Module, Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int), padding: (Int, Int), outputPadding: (Int, Int), dilation: (Int, Int)

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                bias: Bool = true, generator g: inout Generator) {
        let shape = [inChannels, outChannels, kernelSize.0, kernelSize.1]
        weight = Init.kaimingUniform(shape, generator: &g).requiringGrad()
        self.bias = bias ? Init.defaultBias(outChannels, weightShape: shape, generator: &g).requiringGrad() : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
    }

    /// A layer holding the given tensors (a paper's own init): weight [in, out, kh, kw], bias [out].
    public init(weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) {
        precondition(weight.rank == 4 && (bias.map { $0.shape == [weight.shape[1]] } ?? true),
                     "ConvTranspose2d(weight:bias:) got weight \(weight.shape), bias \(bias.map { "\($0.shape)" } ?? "nil")")
        self.weight = weight.requiringGrad()
        self.bias = bias?.requiringGrad()
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
    }

    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            bias: Bool = true, generator g: inout Generator) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), bias: bias, generator: &g)
    }

    override public var namedLocalParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// [N, in, H, W] -> [N, out, (H-1)s - 2p + d(k-1) + output_padding + 1, ...]
    public func forward(_ x: Tensor) -> Tensor {
        F.convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding,
                          outputPadding: outputPadding, dilation: dilation)
    }
}
