// Pointwise activations (ReLU, LeakyReLU, Tanh, Sigmoid), each a fused node whose backward
// uses the saved output or input directly.

extension Functional {
    /// max(x, 0); the gradient at 0 is 0, as in PyTorch.
    public static func relu(_ x: Tensor) -> Tensor {
        let y = x.map { $0 > 0 ? $0 : 0 }
        return Tensor.result("relu", shape: x.shape, data: y, parents: [x]) { g in
            [Tensor(shape: x.shape) { gx in
                y.withUnsafeBufferPointer { py in g.data.withUnsafeBufferPointer { pg in
                    for i in 0..<gx.count { gx[i] = py[i] > 0 ? pg[i] : 0 }
                } }
            }]
        }
    }

    /// x for x > 0, else negativeSlope * x.
    public static func leakyRelu(_ x: Tensor, negativeSlope: Float = 0.01) -> Tensor {
        let y = x.map { $0 > 0 ? $0 : negativeSlope * $0 }
        return Tensor.result("leaky_relu", shape: x.shape, data: y, parents: [x]) { g in
            [Tensor(shape: x.shape) { gx in
                x.data.withUnsafeBufferPointer { px in g.data.withUnsafeBufferPointer { pg in
                    for i in 0..<gx.count { gx[i] = px[i] > 0 ? pg[i] : negativeSlope * pg[i] }
                } }
            }]
        }
    }

    public static func tanh(_ x: Tensor) -> Tensor {
        let y = x.map { ftanh($0) }
        return Tensor.result("tanh", shape: x.shape, data: y, parents: [x]) { g in
            [Tensor(shape: x.shape) { gx in
                y.withUnsafeBufferPointer { py in g.data.withUnsafeBufferPointer { pg in
                    for i in 0..<gx.count { gx[i] = pg[i] * (1 - py[i] * py[i]) }
                } }
            }]
        }
    }

    public static func sigmoid(_ x: Tensor) -> Tensor {
        let y = x.map { sigmoidScalar($0) }
        return Tensor.result("sigmoid", shape: x.shape, data: y, parents: [x]) { g in
            [Tensor(shape: x.shape) { gx in
                y.withUnsafeBufferPointer { py in g.data.withUnsafeBufferPointer { pg in
                    for i in 0..<gx.count { gx[i] = pg[i] * py[i] * (1 - py[i]) }
                } }
            }]
        }
    }
}

/// 1 / (1 + e^-x) without overflow for large |x|.
@inline(__always)
public func sigmoidScalar(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + fexp(-x)) }
    let e = fexp(x)
    return e / (1 + e)
}

extension Tensor {
    public func relu() -> Tensor { F.relu(self) }
    public func tanh() -> Tensor { F.tanh(self) }
    public func sigmoid() -> Tensor { F.sigmoid(self) }
}
