// PyTorch broadcasting for elementwise binary ops, and its adjoint (`sumTo`).

/// The broadcast shape of two shapes (numpy/PyTorch rules: align trailing dims, 1 stretches).
public func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int] {
    let n = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let da = i < n - a.count ? 1 : a[i - (n - a.count)]
        let db = i < n - b.count ? 1 : b[i - (n - b.count)]
        precondition(da == db || da == 1 || db == 1,
                     "shapes \(a) and \(b) cannot be broadcast together (dimension \(i): \(da) vs \(db))")
        out[i] = da == 1 ? db : da
    }
    return out
}

/// Row-major strides of `shape` viewed inside the broadcast shape `out` (0 for stretched dims).
func broadcastStrides(_ shape: [Int], to out: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: out.count)
    var s = 1
    let offset = out.count - shape.count
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i + offset] = shape[i] == 1 && out[i + offset] != 1 ? 0 : s
        s *= shape[i]
    }
    return strides
}

/// A broadcast iteration plan: dims merged where both operands stay contiguous or stay stretched.
struct BroadcastPlan {
    var sizes: [Int]      // collapsed dims, last one is the inner loop
    var stridesA: [Int]
    var stridesB: [Int]

    init(_ a: [Int], _ b: [Int], out: [Int]) {
        let sa = broadcastStrides(a, to: out), sb = broadcastStrides(b, to: out)
        var sizes: [Int] = [], ta: [Int] = [], tb: [Int] = []
        for i in out.indices where out[i] != 1 {
            if let last = sizes.indices.last,
               ta[last] == sa[i] * out[i], tb[last] == sb[i] * out[i] {
                sizes[last] *= out[i]; ta[last] = sa[i]; tb[last] = sb[i]
            } else {
                sizes.append(out[i]); ta.append(sa[i]); tb.append(sb[i])
            }
        }
        if sizes.isEmpty { sizes = [1]; ta = [0]; tb = [0] }
        self.sizes = sizes; stridesA = ta; stridesB = tb
    }
}

protocol BinaryKernel { static func apply(_ a: Float, _ b: Float) -> Float }
enum AddKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum MaxKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? a : b } }
enum GreaterEqualKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 } }
enum SecondKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { b } }
enum MinKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? a : b } }

/// `out = a (op) b` with broadcasting; the inner loop is specialised on unit/zero strides.
func broadcastBinary<K: BinaryKernel>(_: K.Type, _ a: Tensor, _ b: Tensor,
                                      outShape given: [Int]? = nil) -> (shape: [Int], data: [Float]) {
    let outShape = given ?? (a.shape == b.shape ? a.shape : broadcastShapes(a.shape, b.shape))
    let plan = BroadcastPlan(a.shape, b.shape, out: outShape)
    let n = plan.sizes.last!, ia = plan.stridesA.last!, ib = plan.stridesB.last!
    let outer = plan.sizes.dropLast().product
    let data = [Float](unsafeUninitializedCapacity: outShape.product) { out, count in
        a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
                var idx = [Int](repeating: 0, count: plan.sizes.count)
                var offA = 0, offB = 0
                for o in 0..<outer {
                    let x = pa.baseAddress! + offA, y = pb.baseAddress! + offB
                    let z = out.baseAddress! + o * n
                    if ia == 1 && ib == 1 {
                        for i in 0..<n { z[i] = K.apply(x[i], y[i]) }
                    } else if ia == 1 {
                        let v = y[0]
                        for i in 0..<n { z[i] = K.apply(x[i], v) }
                    } else if ib == 1 {
                        let v = x[0]
                        for i in 0..<n { z[i] = K.apply(v, y[i]) }
                    } else {
                        z[0] = K.apply(x[0], y[0])
                        for i in 1..<Swift.max(n, 1) { z[i] = z[0] }
                    }
                    // Advance the odometer over the outer (collapsed) dims.
                    var d = plan.sizes.count - 2
                    while d >= 0 {
                        idx[d] += 1; offA += plan.stridesA[d]; offB += plan.stridesB[d]
                        if idx[d] < plan.sizes[d] { break }
                        offA -= plan.stridesA[d] * plan.sizes[d]; offB -= plan.stridesB[d] * plan.sizes[d]
                        idx[d] = 0
                        d -= 1
                    }
                }
            }
        }
        count = outShape.product
    }
    return (outShape, data)
}

extension Tensor {
    /// Broadcasts to `target` (`torch.Tensor.expand`, materialised); the gradient sums back.
    public func expand(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(broadcastShapes(shape, target) == target, "cannot expand shape \(shape) to \(target)")
        let data = broadcastBinary(SecondKernel.self, Tensor(0), self, outShape: target).data
        return Tensor.result("expand", shape: target, data: data, parents: [self]) { [shape] g in [g.sumTo(shape)] }
    }

    /// Sums a broadcast gradient back to `shape` (the adjoint of broadcasting).
    public func sumTo(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        precondition(lead >= 0, "cannot sum shape \(shape) down to \(target)")
        var dims = Array(0..<lead)
        for (i, t) in target.enumerated() where t == 1 && shape[i + lead] != 1 { dims.append(i + lead) }
        return sum(dims: dims, keepdim: true).reshape(target)
    }
}
