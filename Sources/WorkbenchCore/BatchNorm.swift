// Batch normalisation (F.batch_norm) over [N, C], [N, C, L] or [N, C, H, W]: one fused node.

extension Functional {
    /// `F.batch_norm`. x [N, C, *] -> [N, C, *], statistics per channel over N and the trailing dims.
    /// training: normalise with the batch mean and biased variance and, when running stats are
    /// given, update them in place: running = (1 - momentum) * running + momentum * batch, with
    /// the unbiased batch variance for `runningVar` (as PyTorch). eval: normalise with the
    /// running stats. `weight`/`bias` [C] are the optional affine parameters.
    public static func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                                 training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
        precondition(x.rank >= 2, "batch_norm: input \(x.shape) must be [N, C, *]")
        let n = x.shape[0], c = x.shape[1], spatial = x.shape.dropFirst(2).reduce(1, *)
        for (name, t) in [("running_mean", runningMean), ("running_var", runningVar), ("weight", weight), ("bias", bias)] {
            if let t { precondition(t.shape == [c], "batch_norm: \(name) \(t.shape) must be [\(c)] for input \(x.shape)") }
        }
        let m = n * spatial   // elements per channel
        var mean = [Float](repeating: 0, count: c)
        var invstd = [Float](repeating: 0, count: c)
        x.data.withUnsafeBufferPointer { px in
            if training {
                precondition(m > 1, "batch_norm: expected more than 1 value per channel when training, got input \(x.shape)")
                channelMoments(px.baseAddress!, n: n, c: c, spatial: spatial, mean: &mean, invstd: &invstd,
                               eps: eps, runningMean: runningMean, runningVar: runningVar, momentum: momentum)
            } else {
                guard let runningMean, let runningVar else {
                    preconditionFailure("batch_norm: running_mean and running_var are required in eval mode (input \(x.shape))")
                }
                for ch in 0..<c {
                    mean[ch] = runningMean.data[ch]
                    invstd[ch] = 1 / (runningVar.data[ch] + eps).squareRoot()
                }
            }
        }
        // y = xhat * w + b folded into y = x * scale + shift per channel.
        let y = Tensor(shape: x.shape) { out in
            x.data.withUnsafeBufferPointer { px in
                for ch in 0..<c {
                    let w = weight?.data[ch] ?? 1, b = bias?.data[ch] ?? 0
                    let scale = invstd[ch] * w, shift = b - mean[ch] * scale
                    for s in 0..<n {
                        let src = px.baseAddress! + (s * c + ch) * spatial, dst = out.baseAddress! + (s * c + ch) * spatial
                        for i in 0..<spatial { dst[i] = src[i] * scale + shift }
                    }
                }
            }
        }.data
        var parents = [x]
        if let weight { parents.append(weight) }
        if let bias { parents.append(bias) }
        return Tensor.result("batch_norm", shape: x.shape, data: y, parents: parents) { g in
            // Per channel: sum(dy) and sum(dy * xhat), then dx in closed form.
            var sumG = [Float](repeating: 0, count: c), sumGX = [Float](repeating: 0, count: c)
            var gx: Tensor?
            x.data.withUnsafeBufferPointer { px in g.data.withUnsafeBufferPointer { pg in
                for ch in 0..<c {
                    var sg: Double = 0, sgx: Double = 0
                    let mu = mean[ch]
                    for s in 0..<n {
                        let off = (s * c + ch) * spatial
                        let xr = px.baseAddress! + off, gr = pg.baseAddress! + off
                        var a: Float = 0, b: Float = 0
                        for i in 0..<spatial { a += gr[i]; b += gr[i] * (xr[i] - mu) }
                        sg += Double(a); sgx += Double(b)
                    }
                    sumG[ch] = Float(sg)
                    sumGX[ch] = Float(sgx) * invstd[ch]
                }
                guard x.requiresGrad else { return }
                gx = Tensor(shape: x.shape) { dx in
                    for ch in 0..<c {
                        let w = weight?.data[ch] ?? 1, istd = invstd[ch], mu = mean[ch]
                        // training: dx = (w*invstd/M) * (M*dy - sum(dy) - xhat*sum(dy*xhat));
                        // eval: the statistics are constants, so dx = dy * w * invstd.
                        let k = w * istd
                        let meanG = training ? sumG[ch] / Float(m) : 0
                        let coef = training ? sumGX[ch] / Float(m) * istd : 0   // multiplies (x - mean)
                        for s in 0..<n {
                            let off = (s * c + ch) * spatial
                            let xr = px.baseAddress! + off, gr = pg.baseAddress! + off, dr = dx.baseAddress! + off
                            for i in 0..<spatial { dr[i] = k * (gr[i] - meanG - (xr[i] - mu) * coef) }
                        }
                    }
                }
            } }
            var grads: [Tensor?] = [gx]
            if let weight { grads.append(weight.requiresGrad ? Tensor(shape: [c], data: sumGX) : nil) }
            if let bias { grads.append(bias.requiresGrad ? Tensor(shape: [c], data: sumG) : nil) }
            return grads
        }
    }
}

/// Batch mean and 1/sqrt(biased var + eps) per channel of x [N, C, S] (two passes: mean, then
/// centred squares, which avoids the cancellation of E[x^2] - E[x]^2); updates the running stats
/// in place with the unbiased variance.
private func channelMoments(_ x: UnsafePointer<Float>, n: Int, c: Int, spatial: Int,
                            mean: inout [Float], invstd: inout [Float], eps: Float,
                            runningMean: Tensor?, runningVar: Tensor?, momentum: Float) {
    let m = n * spatial
    for ch in 0..<c {
        var sum: Double = 0
        for s in 0..<n {
            let row = x + (s * c + ch) * spatial
            var a: Float = 0
            for i in 0..<spatial { a += row[i] }
            sum += Double(a)
        }
        let mu = Float(sum / Double(m))
        var sq: Double = 0
        for s in 0..<n {
            let row = x + (s * c + ch) * spatial
            var a: Float = 0
            for i in 0..<spatial { let d = row[i] - mu; a += d * d }
            sq += Double(a)
        }
        let variance = sq / Double(m)
        mean[ch] = mu
        invstd[ch] = Float(1 / (variance + Double(eps)).squareRoot())
        if let runningMean {
            runningMean.data[ch] = (1 - momentum) * runningMean.data[ch] + momentum * mu
        }
        if let runningVar {
            let unbiased = Float(sq / Double(m - 1))
            runningVar.data[ch] = (1 - momentum) * runningVar.data[ch] + momentum * unbiased
        }
    }
}
