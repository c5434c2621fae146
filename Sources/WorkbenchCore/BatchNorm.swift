// Batch normalisation (F.batch_norm) over [N, C], [N, C, L] or [N, C, H, W]: one fused node,
// optionally with the ReLU that follows it in conv-BN-ReLU units fused in as well.

extension Functional {
    /// `F.batch_norm`. x [N, C, *] -> [N, C, *], statistics per channel over N and the trailing dims.
    /// training: normalise with the batch mean and biased variance and, when running stats are
    /// given, update them in place: running = (1 - momentum) * running + momentum * batch, with
    /// the unbiased batch variance for `runningVar` (as PyTorch). eval: normalise with the
    /// running stats. `weight`/`bias` [C] are the optional affine parameters.
    public static func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                                 training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
        batchNormNode(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                      training: training, momentum: momentum, eps: eps, relu: false)
    }

    /// `F.relu(F.batch_norm(...))` as one node: the normalised values are written once, already
    /// rectified, and the backward pass masks the gradient while it reads it. Same arguments,
    /// results and running-stat updates as `batchNorm` followed by `relu`.
    public static func batchNormReLU(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                                     training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
        batchNormNode(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                      training: training, momentum: momentum, eps: eps, relu: true)
    }

    // [N, C, *] -> [N, C, *]
    private static func batchNormNode(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                                      training: Bool, momentum: Float, eps: Float, relu: Bool) -> Tensor {
        precondition(x.rank >= 2, "batch_norm: input \(x.shape) must be [N, C, *]")
        let n = x.shape[0], c = x.shape[1], spatial = x.shape.dropFirst(2).reduce(1, *)
        for (name, t) in [("running_mean", runningMean), ("running_var", runningVar), ("weight", weight), ("bias", bias)] {
            if let t { precondition(t.shape == [c], "batch_norm: \(name) \(t.shape) must be [\(c)] for input \(x.shape)") }
        }
        let m = n * spatial   // elements per channel
        let layout = ChannelLayout(n: n, c: c, spatial: spatial)
        var mean = [Float](repeating: 0, count: c)
        var invstd = [Float](repeating: 0, count: c)
        var centredSquares = [Double](repeating: 0, count: c)
        if training {
            precondition(m > 1, "batch_norm: expected more than 1 value per channel when training, got input \(x.shape)")
        } else {
            guard let runningMean, let runningVar else {
                preconditionFailure("batch_norm: running_mean and running_var are required in eval mode (input \(x.shape))")
            }
            for ch in 0..<c {
                mean[ch] = runningMean.data[ch]
                invstd[ch] = 1 / (runningVar.data[ch] + eps).squareRoot()
            }
        }
        let w = weight?.data, b = bias?.data
        // y = xhat * w + b folded into y = x * scale + shift per channel; statistics and output
        // of a channel are computed together, channels split over the cores.
        let y = Tensor(shape: x.shape) { out in
            x.data.withUnsafeBufferPointer { px in mean.withUnsafeMutableBufferPointer { pm in
                invstd.withUnsafeMutableBufferPointer { pi in centredSquares.withUnsafeMutableBufferPointer { pq in
                    withOptionalArrayPointer(w) { pw in withOptionalArrayPointer(b) { pb in
                        let px = px.baseAddress!, py = out.baseAddress!, pm = pm.baseAddress!, pi = pi.baseAddress!
                        let pq = pq.baseAddress!
                        forEachPlaneRange(c, elementsPerPlane: 3 * m) { channels in
                            for ch in channels {
                                if training {
                                    let (mu, sq) = layout.moments(px, ch)
                                    pm[ch] = mu
                                    pq[ch] = sq
                                    pi[ch] = Float(1 / (sq / Double(m) + Double(eps)).squareRoot())
                                }
                                let scale = pi[ch] * (pw?[ch] ?? 1), shift = (pb?[ch] ?? 0) - pm[ch] * scale
                                layout.affine(px, ch, scale: scale, shift: shift, relu: relu, py)
                            }
                        }
                    } }
                } }
            } }
        }.data
        if training {
            // Serially, after the parallel region: the running stats are shared arrays.
            for ch in 0..<c {
                if let runningMean {
                    runningMean.data[ch] = (1 - momentum) * runningMean.data[ch] + momentum * mean[ch]
                }
                if let runningVar {
                    let unbiased = Float(centredSquares[ch] / Double(m - 1))
                    runningVar.data[ch] = (1 - momentum) * runningVar.data[ch] + momentum * unbiased
                }
            }
        }
        var parents = [x]
        if let weight { parents.append(weight) }
        if let bias { parents.append(bias) }
        return Tensor.result(relu ? "batch_norm_relu" : "batch_norm", shape: x.shape, data: y, parents: parents) { g in
            // Per channel: sum(dy) and sum(dy * xhat), then dx in closed form; with the fused ReLU
            // dy is the incoming gradient where the output is positive, else 0.
            var sumG = [Float](repeating: 0, count: c), sumGX = [Float](repeating: 0, count: c)
            let needX = x.requiresGrad
            var gx: [Float]? = nil
            if needX { gx = [Float](unsafeUninitializedCapacity: x.count) { _, k in k = x.count } }
            x.data.withUnsafeBufferPointer { px in g.data.withUnsafeBufferPointer { pg in y.withUnsafeBufferPointer { py in
                sumG.withUnsafeMutableBufferPointer { psg in sumGX.withUnsafeMutableBufferPointer { psgx in
                    mean.withUnsafeBufferPointer { pm in invstd.withUnsafeBufferPointer { pi in
                        withOptionalArrayPointer(w) { pw in withOptionalMutableArrayPointer(&gx) { pdx in
                            let px = px.baseAddress!, pg = pg.baseAddress!, mask = relu ? py.baseAddress! : nil
                            let psg = psg.baseAddress!, psgx = psgx.baseAddress!, pm = pm.baseAddress!, pi = pi.baseAddress!
                            forEachPlaneRange(c, elementsPerPlane: 3 * m) { channels in
                                for ch in channels {
                                    let mu = pm[ch], istd = pi[ch]
                                    let (sg, sgx) = layout.gradSums(pg, px, mask, ch, mean: mu)
                                    psg[ch] = sg
                                    psgx[ch] = sgx * istd
                                    guard let pdx else { continue }
                                    // training: dx = (w*invstd/M) * (M*dy - sum(dy) - xhat*sum(dy*xhat));
                                    // eval: the statistics are constants, so dx = dy * w * invstd.
                                    let k = (pw?[ch] ?? 1) * istd
                                    let meanG = training ? sg / Float(m) : 0
                                    let coef = training ? sgx * istd / Float(m) * istd : 0   // multiplies (x - mean)
                                    layout.inputGrad(pg, px, mask, ch, k: k, meanG: meanG, mean: mu, coef: coef, pdx)
                                }
                            }
                        } }
                    } }
                } }
            } } }
            var grads: [Tensor?] = [gx.map { Tensor(shape: x.shape, data: $0) }]
            if let weight { grads.append(weight.requiresGrad ? Tensor(shape: [c], data: sumGX) : nil) }
            if let bias { grads.append(bias.requiresGrad ? Tensor(shape: [c], data: sumG) : nil) }
            return grads
        }
    }
}

/// Calls `body` with the buffer of `a`, or with nil when `a` is nil.
@inline(__always)
private func withOptionalArrayPointer<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let a else { return body(nil) }
    return a.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with the mutable buffer of `a`, or with nil when `a` is nil.
@inline(__always)
private func withOptionalMutableArrayPointer<R>(_ a: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard a != nil else { return body(nil) }
    return a!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}

/// [N, C, S] data seen channel by channel: channel ch is the N rows (s*C + ch)*S ..< +S.
/// The row loops run 16 lanes wide (two SIMD8 accumulators), combined in a fixed order, so
/// results do not depend on how channels are split over threads.
private struct ChannelLayout {
    let n: Int, c: Int, spatial: Int

    @inline(__always) func row(_ s: Int, _ ch: Int) -> Int { (s * c + ch) * spatial }

    /// Mean and sum of centred squares of channel ch (two passes, which avoids the cancellation
    /// of E[x^2] - E[x]^2); rows are summed in Float, rows into Double.
    func moments(_ x: UnsafePointer<Float>, _ ch: Int) -> (mean: Float, centredSquares: Double) {
        var sum: Double = 0
        for s in 0..<n { sum += Double(rowSum(x + row(s, ch), spatial)) }
        let mu = Float(sum / Double(n * spatial))
        var sq: Double = 0
        for s in 0..<n { sq += Double(rowCentredSquares(x + row(s, ch), spatial, mu)) }
        return (mu, sq)
    }

    /// y = x * scale + shift over channel ch, rectified when `relu`.
    func affine(_ x: UnsafePointer<Float>, _ ch: Int, scale: Float, shift: Float, relu: Bool, _ y: UnsafeMutablePointer<Float>) {
        for s in 0..<n {
            let off = row(s, ch), src = x + off, dst = y + off
            var i = 0
            while i + 8 <= spatial {
                let v = load8(src + i) * scale + shift
                store8(relu ? SIMD8(repeating: 0).replacing(with: v, where: v .> 0) : v, dst + i)
                i += 8
            }
            while i < spatial {
                let v = src[i] * scale + shift
                dst[i] = relu ? (v > 0 ? v : 0) : v
                i += 1
            }
        }
    }

    /// sum(dy) and sum(dy * (x - mean)) over channel ch, dy = g masked by `mask` > 0 if given.
    func gradSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ mask: UnsafePointer<Float>?, _ ch: Int,
                  mean mu: Float) -> (Float, Float) {
        var sg: Double = 0, sgx: Double = 0
        for s in 0..<n {
            let off = row(s, ch)
            let (a, b) = rowGradSums(g + off, x + off, mask.map { $0 + off }, spatial, mu)
            sg += Double(a); sgx += Double(b)
        }
        return (Float(sg), Float(sgx))
    }

    /// dx = k * (dy - meanG - (x - mean) * coef) over channel ch, dy masked as in `gradSums`.
    func inputGrad(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ mask: UnsafePointer<Float>?, _ ch: Int,
                   k: Float, meanG: Float, mean mu: Float, coef: Float, _ dx: UnsafeMutablePointer<Float>) {
        for s in 0..<n {
            let off = row(s, ch), gr = g + off, xr = x + off, dr = dx + off
            var i = 0
            while i + 8 <= spatial {
                var dy = load8(gr + i)
                if let mask { dy = SIMD8(repeating: 0).replacing(with: dy, where: load8(mask + off + i) .> 0) }
                store8(k * (dy - meanG - (load8(xr + i) - mu) * coef), dr + i)
                i += 8
            }
            while i < spatial {
                let dy = mask.map { $0[off + i] > 0 ? gr[i] : 0 } ?? gr[i]
                dr[i] = k * (dy - meanG - (xr[i] - mu) * coef)
                i += 1
            }
        }
    }
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Σ x[i], 16 lanes wide.
@inline(__always)
private func rowSum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    var a = SIMD8<Float>(), b = SIMD8<Float>(), i = 0
    while i + 16 <= count { a += load8(x + i); b += load8(x + i + 8); i += 16 }
    if i + 8 <= count { a += load8(x + i); i += 8 }
    var t: Float = 0
    while i < count { t += x[i]; i += 1 }
    return (a + b).sum() + t
}

/// Σ (x[i] - mu)², 16 lanes wide.
@inline(__always)
private func rowCentredSquares(_ x: UnsafePointer<Float>, _ count: Int, _ mu: Float) -> Float {
    var a = SIMD8<Float>(), b = SIMD8<Float>(), i = 0
    while i + 16 <= count {
        let d0 = load8(x + i) - mu, d1 = load8(x + i + 8) - mu
        a += d0 * d0; b += d1 * d1; i += 16
    }
    if i + 8 <= count { let d = load8(x + i) - mu; a += d * d; i += 8 }
    var t: Float = 0
    while i < count { let d = x[i] - mu; t += d * d; i += 1 }
    return (a + b).sum() + t
}

/// (Σ dy[i], Σ dy[i] * (x[i] - mu)) with dy = g, or g where mask > 0 else 0; 8 lanes wide.
@inline(__always)
private func rowGradSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ mask: UnsafePointer<Float>?,
                         _ count: Int, _ mu: Float) -> (Float, Float) {
    var a = SIMD8<Float>(), b = SIMD8<Float>(), i = 0
    while i + 8 <= count {
        var dy = load8(g + i)
        if let mask { dy = SIMD8(repeating: 0).replacing(with: dy, where: load8(mask + i) .> 0) }
        a += dy; b += dy * (load8(x + i) - mu); i += 8
    }
    var ta: Float = 0, tb: Float = 0
    while i < count {
        let dy = mask.map { $0[i] > 0 ? g[i] : 0 } ?? g[i]
        ta += dy; tb += dy * (x[i] - mu); i += 1
    }
    return (a.sum() + ta, b.sum() + tb)
}
