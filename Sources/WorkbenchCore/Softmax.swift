// Softmax and log-softmax along any dimension, each one fused node with a hand-written backward.

/// Softmax (or log-softmax) of `x` viewed as [outer, n, inner] along the middle dimension.
/// The row maximum is subtracted before `exp`, so inputs like ±1000 stay finite. `out` must not
/// alias `x` (the log form reads `x` again after writing the exponentials).
func softmaxKernel(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, log: Bool,
                   into out: UnsafeMutablePointer<Float>) {
    if n == 0 { return }
    if inner == 1 {
        for o in 0..<outer {
            let src = x + o * n, dst = out + o * n
            var m = src[0]
            for k in 1..<n where src[k] > m { m = src[k] }
            var s: Float = 0
            for k in 0..<n { let e = fexp(src[k] - m); dst[k] = e; s += e }
            if log {
                let lse = m + flog(s)
                for k in 0..<n { dst[k] = src[k] - lse }
            } else {
                let r = 1 / s
                for k in 0..<n { dst[k] *= r }
            }
        }
        return
    }
    // Middle dimension: keep running maxima and sums for a whole row of `inner` positions so the
    // inner loops run over contiguous memory.
    let m = UnsafeMutablePointer<Float>.allocate(capacity: inner)
    let s = UnsafeMutablePointer<Float>.allocate(capacity: inner)
    defer { m.deallocate(); s.deallocate() }
    for o in 0..<outer {
        let src = x + o * n * inner, dst = out + o * n * inner
        m.update(from: src, count: inner)
        for k in 1..<n {
            let row = src + k * inner
            for i in 0..<inner where row[i] > m[i] { m[i] = row[i] }
        }
        s.update(repeating: 0, count: inner)
        for k in 0..<n {
            let row = src + k * inner, orow = dst + k * inner
            for i in 0..<inner { let e = fexp(row[i] - m[i]); orow[i] = e; s[i] += e }
        }
        if log {
            for i in 0..<inner { s[i] = m[i] + flog(s[i]) }   // log-sum-exp
            for k in 0..<n {
                let row = src + k * inner, orow = dst + k * inner
                for i in 0..<inner { orow[i] = row[i] - s[i] }
            }
        } else {
            for i in 0..<inner { s[i] = 1 / s[i] }
            for k in 0..<n {
                let orow = dst + k * inner
                for i in 0..<inner { orow[i] *= s[i] }
            }
        }
    }
}

/// Backward of softmax / log-softmax along the middle of [outer, n, inner]:
/// softmax: dx = y * (g - sum_k g*y); log-softmax: dx = g - exp(y) * sum_k g.
func softmaxBackwardKernel(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
                           log: Bool, into dx: UnsafeMutablePointer<Float>) {
    let acc = UnsafeMutablePointer<Float>.allocate(capacity: inner)
    defer { acc.deallocate() }
    for o in 0..<outer {
        let base = o * n * inner
        acc.update(repeating: 0, count: inner)
        for k in 0..<n {
            let yr = y + base + k * inner, gr = g + base + k * inner
            if log {
                for i in 0..<inner { acc[i] += gr[i] }
            } else {
                for i in 0..<inner { acc[i] += gr[i] * yr[i] }
            }
        }
        for k in 0..<n {
            let yr = y + base + k * inner, gr = g + base + k * inner, dr = dx + base + k * inner
            if log {
                for i in 0..<inner { dr[i] = gr[i] - fexp(yr[i]) * acc[i] }
            } else {
                for i in 0..<inner { dr[i] = yr[i] * (gr[i] - acc[i]) }
            }
        }
    }
}

extension Functional {
    /// `torch.softmax(x, dim)`: same shape as `x`, numerically stable (row maximum subtracted).
    public static func softmax(_ x: Tensor, dim: Int) -> Tensor {
        softmaxNode(x, dim: dim, log: false)
    }

    /// `torch.log_softmax(x, dim)`: x - logsumexp(x, dim), same shape as `x`.
    public static func logSoftmax(_ x: Tensor, dim: Int) -> Tensor {
        softmaxNode(x, dim: dim, log: true)
    }

    private static func softmaxNode(_ x: Tensor, dim: Int, log: Bool) -> Tensor {
        // A 0-d tensor behaves like a single element along dim 0, as in PyTorch.
        let shape = x.shape
        let d = normalizeDim(dim, x.rank)
        let (outer, n, inner) = x.rank == 0 ? (1, 1, 1) : splitDims(shape, at: d)
        if x.count == 0 { return Tensor.result("softmax", shape: shape, data: [], parents: [x]) { _ in [Tensor.zeros(shape)] } }
        let y = Tensor(shape: shape) { out in
            x.data.withUnsafeBufferPointer { px in
                softmaxKernel(px.baseAddress!, outer: outer, n: n, inner: inner, log: log, into: out.baseAddress!)
            }
        }.data
        return Tensor.result(log ? "log_softmax" : "softmax", shape: shape, data: y, parents: [x]) { g in
            [Tensor(shape: shape) { dx in
                y.withUnsafeBufferPointer { py in g.data.withUnsafeBufferPointer { pg in
                    softmaxBackwardKernel(py.baseAddress!, pg.baseAddress!, outer: outer, n: n, inner: inner,
                                          log: log, into: dx.baseAddress!)
                } }
            }]
        }
    }
}
