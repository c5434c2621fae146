// Shape and indexing ops: reshape, permute/transpose, narrow/select, index_select, cat, stack,
// gather. Results are contiguous; each op is one node whose backward routes gradients back.

extension Tensor {
    /// Same data, new shape (one dim may be -1). Shares the buffer copy-on-write (`view`).
    public func reshape(_ newShape: [Int]) -> Tensor {
        let target = inferShape(newShape, count: count)
        if target == shape { return self }
        return Tensor.result("reshape", shape: target, data: data, parents: [self]) { [shape] g in
            [Tensor(shape: shape, data: g.data)]
        }
    }

    /// PyTorch's name for `reshape` on contiguous tensors.
    public func view(_ newShape: [Int]) -> Tensor { reshape(newShape) }

    /// Flattens dims `startDim...endDim` into one (`torch.flatten`).
    public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        let s = normalizeDim(startDim, rank), e = normalizeDim(endDim, rank)
        if rank == 0 { return reshape([1]) }
        return reshape(Array(shape[..<s]) + [shape[s...e].reduce(1, *)] + Array(shape[(e + 1)...]))
    }

    /// Inserts a dimension of size 1 at `dim`.
    public func unsqueeze(_ dim: Int) -> Tensor {
        var s = shape
        s.insert(1, at: normalizeDim(dim, rank + 1))
        return reshape(s)
    }

    /// Removes dimension `dim`, which must have size 1.
    public func squeeze(_ dim: Int) -> Tensor {
        let d = normalizeDim(dim, rank)
        precondition(shape[d] == 1, "squeeze(\(dim)) on shape \(shape): size is not 1")
        var s = shape
        s.remove(at: d)
        return reshape(s)
    }

    /// Reorders dimensions (`torch.permute`), materialised.
    public func permute(_ dims: [Int]) -> Tensor {
        let perm = dims.map { normalizeDim($0, rank) }
        precondition(perm.sorted() == Array(0..<rank), "permute \(dims) is not a permutation of rank \(rank)")
        if perm == Array(0..<rank) { return self }
        let outShape = perm.map { shape[$0] }
        let data = permuteData(data, shape: shape, perm: perm)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return Tensor.result("permute", shape: outShape, data: data, parents: [self]) { g in [g.permute(inverse)] }
    }

    /// Swaps two dimensions.
    public func transpose(_ d0: Int, _ d1: Int) -> Tensor {
        var perm = Array(0..<rank)
        perm.swapAt(normalizeDim(d0, rank), normalizeDim(d1, rank))
        return permute(perm)
    }

    /// The `length` entries from `start` along `dim` (`torch.narrow`, slicing `x[:, a:b]`).
    public func narrow(_ dim: Int, start: Int, length: Int) -> Tensor {
        let d = normalizeDim(dim, rank)
        precondition(start >= 0 && length >= 0 && start + length <= shape[d],
                     "narrow(\(dim), start: \(start), length: \(length)) out of range for shape \(shape)")
        if start == 0 && length == shape[d] { return self }
        let (outer, n, inner) = splitDims(shape, at: d)
        var outShape = shape
        outShape[d] = length
        let data = Tensor(shape: outShape) { out in
            self.data.withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    (out.baseAddress! + o * length * inner)
                        .update(from: x.baseAddress! + (o * n + start) * inner, count: length * inner)
                }
            }
        }.data
        return Tensor.result("narrow", shape: outShape, data: data, parents: [self]) { [shape] g in
            var gx = [Float](repeating: 0, count: shape.product)
            gx.withUnsafeMutableBufferPointer { dst in
                g.data.withUnsafeBufferPointer { src in
                    for o in 0..<outer {
                        (dst.baseAddress! + (o * n + start) * inner)
                            .update(from: src.baseAddress! + o * length * inner, count: length * inner)
                    }
                }
            }
            return [Tensor(shape: shape, data: gx)]
        }
    }

    /// Entry `index` along `dim`, removing that dimension (`x[:, i]`).
    public func select(_ dim: Int, _ index: Int) -> Tensor {
        let d = normalizeDim(dim, rank)
        let i = index < 0 ? index + shape[d] : index
        return narrow(d, start: i, length: 1).squeeze(d)
    }

    /// Rows `indices` along `dim` (`torch.index_select`); repeated indices accumulate gradient.
    public func indexSelect(_ dim: Int, _ indices: IndexTensor) -> Tensor {
        let d = normalizeDim(dim, rank)
        precondition(indices.rank == 1, "index_select needs 1-d indices, got shape \(indices.shape)")
        let (outer, n, inner) = splitDims(shape, at: d)
        for i in indices.data { precondition(i >= 0 && i < n, "index \(i) out of range for dimension \(d) of shape \(shape)") }
        let m = indices.count
        var outShape = shape
        outShape[d] = m
        let data = Tensor(shape: outShape) { out in
            self.data.withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    for (j, i) in indices.data.enumerated() {
                        (out.baseAddress! + (o * m + j) * inner).update(from: x.baseAddress! + (o * n + i) * inner, count: inner)
                    }
                }
            }
        }.data
        return Tensor.result("index_select", shape: outShape, data: data, parents: [self]) { [shape] g in
            var gx = [Float](repeating: 0, count: shape.product)
            gx.withUnsafeMutableBufferPointer { dst in
                g.data.withUnsafeBufferPointer { src in
                    for o in 0..<outer {
                        for (j, i) in indices.data.enumerated() {
                            let s = src.baseAddress! + (o * m + j) * inner, t = dst.baseAddress! + (o * n + i) * inner
                            for k in 0..<inner { t[k] += s[k] }
                        }
                    }
                }
            }
            return [Tensor(shape: shape, data: gx)]
        }
    }

    /// `out[..., j, ...] = x[..., index[..., j, ...], ...]` along `dim` (`torch.gather`).
    public func gather(_ dim: Int, _ index: IndexTensor) -> Tensor {
        let d = normalizeDim(dim, rank)
        precondition(index.rank == rank, "gather: index rank \(index.rank) differs from input rank \(rank) (shape \(shape))")
        for k in 0..<rank where k != d {
            precondition(index.shape[k] <= shape[k], "gather: index shape \(index.shape) exceeds input shape \(shape) at dim \(k)")
        }
        let offsets = gatherOffsets(index, dim: d)
        let data = Tensor(shape: index.shape) { out in
            self.data.withUnsafeBufferPointer { x in
                for j in 0..<offsets.count { out[j] = x[offsets[j]] }
            }
        }.data
        return Tensor.result("gather", shape: index.shape, data: data, parents: [self]) { [shape] g in
            var gx = [Float](repeating: 0, count: shape.product)
            for j in 0..<offsets.count { gx[offsets[j]] += g.data[j] }
            return [Tensor(shape: shape, data: gx)]
        }
    }

    /// Flat offsets into self for each element of a gather index.
    private func gatherOffsets(_ index: IndexTensor, dim d: Int) -> [Int] {
        var strides = [Int](repeating: 1, count: rank)
        for k in stride(from: rank - 2, through: 0, by: -1) { strides[k] = strides[k + 1] * shape[k + 1] }
        var offsets = [Int](repeating: 0, count: index.count)
        var pos = [Int](repeating: 0, count: rank)
        for j in 0..<index.count {
            let i = index.data[j]
            precondition(i >= 0 && i < shape[d], "gather: index \(i) out of range for dimension \(d) of shape \(shape)")
            var off = 0
            for k in 0..<rank { off += (k == d ? i : pos[k]) * strides[k] }
            offsets[j] = off
            var k = rank - 1
            while k >= 0 {
                pos[k] += 1
                if pos[k] < index.shape[k] { break }
                pos[k] = 0
                k -= 1
            }
        }
        return offsets
    }

    /// Concatenates along `dim` (`torch.cat`); all other dims must match.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "cat of an empty list")
        let first = tensors[0]
        let d = normalizeDim(dim, first.rank)
        for t in tensors {
            precondition(t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == d || t.shape[$0] == first.shape[$0] },
                         "cat along dim \(dim): shape \(t.shape) does not match \(first.shape)")
        }
        let (outer, _, inner) = splitDims(first.shape, at: d)
        let sizes = tensors.map { $0.shape[d] }
        let total = sizes.reduce(0, +)
        var outShape = first.shape
        outShape[d] = total
        let data = Tensor(shape: outShape) { out in
            var offset = 0
            for (t, n) in zip(tensors, sizes) {
                t.data.withUnsafeBufferPointer { x in
                    for o in 0..<outer {
                        (out.baseAddress! + (o * total + offset) * inner).update(from: x.baseAddress! + o * n * inner, count: n * inner)
                    }
                }
                offset += n
            }
        }.data
        return result("cat", shape: outShape, data: data, parents: tensors) { g in
            var offset = 0
            return sizes.map { n in
                defer { offset += n }
                return g.narrow(d, start: offset, length: n)
            }
        }
    }

    /// Stacks equal-shaped tensors along a new dimension `dim` (`torch.stack`).
    public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack of an empty list")
        let d = normalizeDim(dim, tensors[0].rank + 1)
        return cat(tensors.map { $0.unsqueeze(d) }, dim: d)
    }

    /// Splits into pieces of the given sizes along `dim` (`torch.split`).
    public func split(_ sizes: [Int], dim: Int) -> [Tensor] {
        let d = normalizeDim(dim, rank)
        precondition(sizes.reduce(0, +) == shape[d], "split sizes \(sizes) do not add up to \(shape[d]) (shape \(shape))")
        var offset = 0
        return sizes.map { n in
            defer { offset += n }
            return narrow(d, start: offset, length: n)
        }
    }
}

/// Copies `data` of `shape` into the order given by `perm` (output dim i = input dim perm[i]).
func permuteData(_ data: [Float], shape: [Int], perm: [Int]) -> [Float] {
    let rank = shape.count
    var inStrides = [Int](repeating: 1, count: rank)
    for k in stride(from: rank - 2, through: 0, by: -1) { inStrides[k] = inStrides[k + 1] * shape[k + 1] }
    let outShape = perm.map { shape[$0] }
    let strides = perm.map { inStrides[$0] }
    let n = outShape.last ?? 1, s = strides.last ?? 1
    let outer = data.count / Swift.max(n, 1)
    return [Float](unsafeUninitializedCapacity: data.count) { out, count in
        data.withUnsafeBufferPointer { x in
            var pos = [Int](repeating: 0, count: rank)
            var off = 0
            for o in 0..<outer {
                let dst = out.baseAddress! + o * n, src = x.baseAddress! + off
                for i in 0..<n { dst[i] = src[i * s] }
                var k = rank - 2
                while k >= 0 {
                    pos[k] += 1; off += strides[k]
                    if pos[k] < outShape[k] { break }
                    off -= strides[k] * outShape[k]; pos[k] = 0
                    k -= 1
                }
            }
        }
        count = data.count
    }
}
