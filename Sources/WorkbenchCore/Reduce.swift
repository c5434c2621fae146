// Reductions: sum, mean, max/argmax over the whole tensor or along dimensions.

/// Splits `shape` around `dim` into (outer, size, inner) for strided loops.
@inline(__always)
func splitDims(_ shape: [Int], at dim: Int) -> (outer: Int, n: Int, inner: Int) {
    (shape[..<dim].reduce(1, *), shape[dim], shape[(dim + 1)...].reduce(1, *))
}

/// out[o, i] = sum_k x[o, k, i] for a tensor viewed as [outer, n, inner].
func sumKernel(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, into out: UnsafeMutablePointer<Float>) {
    for o in 0..<outer {
        let src = x + o * n * inner, dst = out + o * inner
        if inner == 1 {
            var acc: Float = 0
            for k in 0..<n { acc += src[k] }
            dst[0] = acc
        } else {
            dst.initialize(repeating: 0, count: inner)
            for k in 0..<n {
                let row = src + k * inner
                for i in 0..<inner { dst[i] += row[i] }
            }
        }
    }
}

extension Tensor {
    /// Sum of all elements (0-d).
    public func sum() -> Tensor {
        var acc: Double = 0
        data.withUnsafeBufferPointer { x in for v in x { acc += Double(v) } }
        return Tensor.result("sum", shape: [], data: [Float(acc)], parents: [self]) { [shape] g in
            [Tensor.full(shape, g.item())]
        }
    }

    /// Mean of all elements (0-d).
    public func mean() -> Tensor { sum().scaled(by: 1 / Float(Swift.max(count, 1))) }

    /// Sum along `dims` (`torch.sum(x, dims, keepdim)`).
    public func sum(dims: [Int], keepdim: Bool = false) -> Tensor {
        let ds = Set(dims.map { normalizeDim($0, rank) }).sorted(by: >)
        var values = data, cur = shape
        for d in ds {
            let (outer, n, inner) = splitDims(cur, at: d)
            values = [Float](unsafeUninitializedCapacity: outer * inner) { out, c in
                values.withUnsafeBufferPointer { sumKernel($0.baseAddress!, outer: outer, n: n, inner: inner, into: out.baseAddress!) }
                c = outer * inner
            }
            cur[d] = 1
        }
        let keptShape = cur
        let outShape = keepdim ? keptShape : shape.enumerated().filter { !ds.contains($0.offset) }.map(\.element)
        return Tensor.result("sum_dims", shape: outShape, data: values, parents: [self]) { [shape] g in
            [g.reshape(keptShape).expand(shape)]
        }
    }

    public func sum(dim: Int, keepdim: Bool = false) -> Tensor { sum(dims: [dim], keepdim: keepdim) }

    /// Mean along `dims`.
    public func mean(dims: [Int], keepdim: Bool = false) -> Tensor {
        let n = Set(dims.map { normalizeDim($0, rank) }).map { shape[$0] }.product
        return sum(dims: dims, keepdim: keepdim).scaled(by: 1 / Float(n))
    }

    public func mean(dim: Int, keepdim: Bool = false) -> Tensor { mean(dims: [dim], keepdim: keepdim) }

    /// Largest value and its index along `dim` (`torch.max(x, dim)`); the first index wins ties.
    public func max(dim: Int, keepdim: Bool = false) -> (values: Tensor, indices: IndexTensor) {
        let d = normalizeDim(dim, rank)
        let (outer, n, inner) = splitDims(shape, at: d)
        precondition(n > 0, "max along an empty dimension of shape \(shape)")
        var values = [Float](repeating: 0, count: outer * inner)
        var indices = [Int](repeating: 0, count: outer * inner)
        data.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = x[o * n * inner + i], arg = 0
                    for k in 1..<n {
                        let v = x[(o * n + k) * inner + i]
                        if v > best || (v.isNaN && !best.isNaN) { best = v; arg = k }
                    }
                    values[o * inner + i] = best
                    indices[o * inner + i] = arg
                }
            }
        }
        var outShape = shape
        if keepdim { outShape[d] = 1 } else { outShape.remove(at: d) }
        let v = Tensor.result("max_dim", shape: outShape, data: values, parents: [self]) { [shape] g in
            var gx = [Float](repeating: 0, count: shape.product)
            for o in 0..<outer {
                for i in 0..<inner {
                    let j = o * inner + i
                    gx[(o * n + indices[j]) * inner + i] = g.data[j]
                }
            }
            return [Tensor(shape: shape, data: gx)]
        }
        return (v, IndexTensor(shape: outShape, data: indices))
    }

    /// Index of the largest value along `dim`.
    public func argmax(dim: Int, keepdim: Bool = false) -> IndexTensor {
        withNoGrad { max(dim: dim, keepdim: keepdim).indices }
    }

    /// Largest element (0-d); the gradient goes to the first maximal element.
    public func max() -> Tensor {
        reshape([count]).max(dim: 0).values
    }
}
