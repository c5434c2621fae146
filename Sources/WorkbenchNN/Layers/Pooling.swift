// nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d.

public final class MaxPool2d: Module, Layer {
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceilMode: Bool
    /// `stride` defaults to the kernel size, as in PyTorch.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
    }
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding), ceilMode: ceilMode)
    }
    public func forward(_ x: Tensor) -> Tensor {
        F.maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
    }
}

public final class AvgPool2d: Module, Layer {
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceilMode: Bool, countIncludePad: Bool
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), ceilMode: Bool = false,
                countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding), ceilMode: ceilMode)
    }
    public func forward(_ x: Tensor) -> Tensor {
        F.avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

public final class AdaptiveAvgPool2d: Module, Layer {
    public let outputSize: (Int, Int)
    public init(_ outputSize: (Int, Int)) { self.outputSize = outputSize }
    public convenience init(_ outputSize: Int) { self.init((outputSize, outputSize)) }
    public func forward(_ x: Tensor) -> Tensor { F.adaptiveAvgPool2d(x, outputSize: outputSize) }
}
