// Elementwise arithmetic with broadcasting, unary math and activations, each one fused node.

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (shape, data) = broadcastBinary(AddKernel.self, a, b)
        return result("add", shape: shape, data: data, parents: [a, b]) { g in
            [g.sumTo(a.shape), g.sumTo(b.shape)]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (shape, data) = broadcastBinary(SubKernel.self, a, b)
        return result("sub", shape: shape, data: data, parents: [a, b]) { g in
            [g.sumTo(a.shape), b.requiresGrad ? (-g).sumTo(b.shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (shape, data) = broadcastBinary(MulKernel.self, a, b)
        return result("mul", shape: shape, data: data, parents: [a, b]) { g in
            [a.requiresGrad ? (g * b.detach()).sumTo(a.shape) : nil,
             b.requiresGrad ? (g * a.detach()).sumTo(b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (shape, data) = broadcastBinary(DivKernel.self, a, b)
        return result("div", shape: shape, data: data, parents: [a, b]) { g in
            let bd = b.detach()
            return [a.requiresGrad ? (g / bd).sumTo(a.shape) : nil,
                    b.requiresGrad ? (-(g * a.detach()) / (bd * bd)).sumTo(b.shape) : nil]
        }
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a + Tensor(s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a - Tensor(s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.scaled(by: s) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.scaled(by: 1 / s) }
    public static func + (s: Float, a: Tensor) -> Tensor { Tensor(s) + a }
    public static func - (s: Float, a: Tensor) -> Tensor { Tensor(s) - a }
    public static func * (s: Float, a: Tensor) -> Tensor { a.scaled(by: s) }

    public static prefix func - (a: Tensor) -> Tensor { a.scaled(by: -1) }

    /// `self * s` as a single scaling node.
    public func scaled(by s: Float) -> Tensor {
        let out = map { $0 * s }
        return Tensor.result("scale", shape: shape, data: out, parents: [self]) { g in [g.scaled(by: s)] }
    }

    /// Elementwise maximum with broadcasting (`torch.maximum`); ties send the gradient to `a`.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (shape, data) = broadcastBinary(MaxKernel.self, a, b)
        return result("maximum", shape: shape, data: data, parents: [a, b]) { g in
            let takeA = broadcastBinary(GreaterEqualKernel.self, a, b)
            let maskA = Tensor(shape: takeA.shape, data: takeA.data)
            return [(g * maskA).sumTo(a.shape), (g * (1 - maskA)).sumTo(b.shape)]
        }
    }

    // MARK: unary math

    /// Applies `f` to every element into a new array (no graph).
    @inline(__always)
    func map(_ f: (Float) -> Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, n in
            data.withUnsafeBufferPointer { x in
                for i in 0..<x.count { out[i] = f(x[i]) }
            }
            n = count
        }
    }

    public func exp() -> Tensor {
        let y = map { fexp($0) }
        return Tensor.result("exp", shape: shape, data: y, parents: [self]) { [shape] g in
            [g * Tensor(shape: shape, data: y)]
        }
    }

    public func log() -> Tensor {
        let y = map { flog($0) }
        return Tensor.result("log", shape: shape, data: y, parents: [self]) { g in [g / self.detach()] }
    }

    public func sqrt() -> Tensor {
        let y = map { $0.squareRoot() }
        return Tensor.result("sqrt", shape: shape, data: y, parents: [self]) { [shape] g in
            [g / (Tensor(shape: shape, data: y) * 2)]
        }
    }

    /// `self ** p` for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let y = map { fpow($0, p) }
        return Tensor.result("pow", shape: shape, data: y, parents: [self]) { g in
            [g * (self.detach().pow(p - 1) * p)]
        }
    }

    public func abs() -> Tensor {
        let y = map { Swift.abs($0) }
        return Tensor.result("abs", shape: shape, data: y, parents: [self]) { [shape] g in
            [g * Tensor(shape: shape, data: self.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })]
        }
    }

    /// Clamps into `[min, max]`; the gradient passes where the input was inside the interval.
    public func clamp(min lo: Float = -.infinity, max hi: Float = .infinity) -> Tensor {
        let y = map { Swift.min(Swift.max($0, lo), hi) }
        return Tensor.result("clamp", shape: shape, data: y, parents: [self]) { [shape] g in
            [g * Tensor(shape: shape, data: self.map { $0 >= lo && $0 <= hi ? 1 : 0 })]
        }
    }

    /// Adds `other` into this tensor's values in place (no graph; used for gradient accumulation).
    public func addInPlace(_ other: Tensor, alpha: Float = 1) {
        precondition(other.shape == shape, "addInPlace: shape \(other.shape) vs \(shape)")
        let n = count
        data.withUnsafeMutableBufferPointer { y in
            other.data.withUnsafeBufferPointer { x in
                for i in 0..<n { y[i] += alpha * x[i] }
            }
        }
    }
}
