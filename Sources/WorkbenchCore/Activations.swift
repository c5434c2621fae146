// Pointwise activations (ReLU, LeakyReLU, Tanh, Sigmoid), each a fused node whose backward
// uses the saved output or input directly.

extension Functional {
    /// max(x, 0); the gradient at 0 is 0, as in PyTorch.
    public static func relu(_ x: Tensor) -> Tensor {
        leakyReluNode("relu", x, slope: 0)
    }

    /// x for x > 0, else negativeSlope * x.
    public static func leakyRelu(_ x: Tensor, negativeSlope: Float = 0.01) -> Tensor {
        leakyReluNode("leaky_relu", x, slope: negativeSlope)
    }

    /// (Leaky) ReLU as one node. Its backward reads the output as the mask (positive exactly where
    /// the input is, for any slope >= 0), so the input need not stay alive; a negative slope flips
    /// the output's sign and needs the input.
    private static func leakyReluNode(_ name: String, _ x: Tensor, slope: Float) -> Tensor {
        let y = Tensor(shape: x.shape) { out in
            x.data.withUnsafeBufferPointer { leakyReluKernel($0.baseAddress!, out.baseAddress!, count: out.count, slope: slope) }
        }.data
        return Tensor.result(name, shape: x.shape, data: y, parents: [x]) { g in
            let mask = slope >= 0 ? y : x.data
            return [Tensor(shape: x.shape) { gx in
                mask.withUnsafeBufferPointer { pm in g.data.withUnsafeBufferPointer { pg in
                    leakyReluBackwardKernel(mask: pm.baseAddress!, pg.baseAddress!, gx.baseAddress!, count: gx.count, slope: slope)
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
