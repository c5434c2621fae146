// Local response normalisation across channels (F.local_response_norm): one fused node.

extension Functional {
    /// `F.local_response_norm`. x [N, C, *] -> [N, C, *]:
    /// b_c = a_c / (k + alpha/size * sum_{c' in window(c)} a_{c'}^2)^beta, where window(c) spans
    /// channels c - size/2 ... c + (size-1)/2, zero padded (PyTorch pads size/2 before and
    /// (size-1)/2 after, then average-pools with a window of `size`, padding included).
    public static func localResponseNorm(_ x: Tensor, size: Int, alpha: Float = 1e-4, beta: Float = 0.75,
                                         k: Float = 1) -> Tensor {
        precondition(x.rank >= 3, "local_response_norm: input \(x.shape) must be 3-d or higher ([N, C, *])")
        precondition(size >= 1, "local_response_norm: size must be positive, got \(size)")
        let n = x.shape[0], c = x.shape[1], spatial = x.shape.dropFirst(2).reduce(1, *)
        let before = size / 2, after = (size - 1) / 2
        let a = alpha / Float(size)
        let total = x.count
        // denom = k + alpha/size * windowed sum of squares; scale = denom^-beta. Both kept for the backward.
        var denom = [Float](repeating: 0, count: total)
        var scale = [Float](repeating: 0, count: total)
        let y = Tensor(shape: x.shape) { out in
            x.data.withUnsafeBufferPointer { px in denom.withUnsafeMutableBufferPointer { pd in
                scale.withUnsafeMutableBufferPointer { ps in
                    let xs = px.baseAddress!, ds = pd.baseAddress!, ss = ps.baseAddress!, ys = out.baseAddress!
                    for s in 0..<n {
                        for ch in 0..<c {
                            let off = (s * c + ch) * spatial
                            let dr = ds + off
                            dr.update(repeating: 0, count: spatial)
                            // The window is a handful of channels: summing it directly avoids the
                            // drift of a running add/subtract.
                            for cc in Swift.max(0, ch - before)...Swift.min(c - 1, ch + after) {
                                let xr = xs + (s * c + cc) * spatial
                                for i in 0..<spatial { dr[i] += xr[i] * xr[i] }
                            }
                            let xr = xs + off, sr = ss + off, yr = ys + off
                            for i in 0..<spatial {
                                dr[i] = k + a * dr[i]
                                sr[i] = fpow(dr[i], -beta)
                                yr[i] = xr[i] * sr[i]
                            }
                        }
                    }
                }
            } }
        }.data
        return Tensor.result("local_response_norm", shape: x.shape, data: y, parents: [x]) { [denom, scale] g in
            // da_j = g_j * scale_j - 2*beta*alpha/size * a_j * sum_{c : j in window(c)} g_c * b_c / denom_c,
            // and j in window(c) exactly when c is in j - (size-1)/2 ... j + size/2.
            [Tensor(shape: x.shape) { dx in
                x.data.withUnsafeBufferPointer { px in g.data.withUnsafeBufferPointer { pg in
                    denom.withUnsafeBufferPointer { pd in scale.withUnsafeBufferPointer { ps in
                        y.withUnsafeBufferPointer { py in
                            let t = UnsafeMutablePointer<Float>.allocate(capacity: total)
                            defer { t.deallocate() }
                            for i in 0..<total { t[i] = pg[i] * py[i] / pd[i] }
                            let coef = -2 * beta * a
                            for s in 0..<n {
                                for ch in 0..<c {
                                    let off = (s * c + ch) * spatial
                                    let dr = dx.baseAddress! + off
                                    dr.update(repeating: 0, count: spatial)
                                    for cc in Swift.max(0, ch - after)...Swift.min(c - 1, ch + before) {
                                        let tr = t + (s * c + cc) * spatial
                                        for i in 0..<spatial { dr[i] += tr[i] }
                                    }
                                    for i in 0..<spatial {
                                        dr[i] = pg[off + i] * ps[off + i] + coef * px[off + i] * dr[i]
                                    }
                                }
                            }
                        }
                    } }
                } }
            }]
        }
    }
}
