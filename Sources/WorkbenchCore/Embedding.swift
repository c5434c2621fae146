// Embedding lookup and dropout.

extension Functional {
    /// Rows of `weight` [V, D] picked by `indices` [*] -> [*, D]. Rows at `paddingIdx` get no
    /// gradient (PyTorch's `padding_idx`); repeated indices accumulate.
    public static func embedding(_ indices: IndexTensor, weight: Tensor, paddingIdx: Int? = nil) -> Tensor {
        precondition(weight.rank == 2, "embedding weight must be [num_embeddings, dim], got \(weight.shape)")
        let v = weight.shape[0], d = weight.shape[1]
        let pad = paddingIdx.map { $0 < 0 ? $0 + v : $0 }
        for i in indices.data { precondition(i >= 0 && i < v, "embedding index \(i) out of range for \(v) embeddings") }
        let outShape = indices.shape + [d]
        let y = Tensor(shape: outShape) { out in
            weight.data.withUnsafeBufferPointer { w in
                for (j, i) in indices.data.enumerated() {
                    (out.baseAddress! + j * d).update(from: w.baseAddress! + i * d, count: d)
                }
            }
        }
        return Tensor.result("embedding", shape: outShape, data: y.data, parents: [weight]) { g in
            var gw = [Float](repeating: 0, count: v * d)
            gw.withUnsafeMutableBufferPointer { dst in
                g.data.withUnsafeBufferPointer { src in
                    for (j, i) in indices.data.enumerated() where i != pad {
                        let s = src.baseAddress! + j * d, t = dst.baseAddress! + i * d
                        for k in 0..<d { t[k] += s[k] }
                    }
                }
            }
            return [Tensor(shape: weight.shape, data: gw)]
        }
    }

    /// Dropout with an explicit keep mask of 0/1 values: y = x * mask / (1 - p).
    public static func dropout(_ x: Tensor, mask: Tensor, p: Float) -> Tensor {
        precondition(mask.shape == x.shape, "dropout mask \(mask.shape) does not match input \(x.shape)")
        precondition(p >= 0 && p <= 1, "dropout probability must be in [0, 1], got \(p)")
        let scale: Float = p == 1 ? 0 : 1 / (1 - p)
        let scaledMask = mask.map { $0 * scale }
        let y = Tensor(shape: x.shape) { out in
            x.data.withUnsafeBufferPointer { px in scaledMask.withUnsafeBufferPointer { pm in
                for i in 0..<out.count { out[i] = px[i] * pm[i] }
            } }
        }
        return Tensor.result("dropout", shape: x.shape, data: y.data, parents: [x]) { g in
            [Tensor(shape: x.shape) { gx in
                g.data.withUnsafeBufferPointer { pg in scaledMask.withUnsafeBufferPointer { pm in
                    for i in 0..<gx.count { gx[i] = pg[i] * pm[i] }
                } }
            }]
        }
    }

    /// Dropout drawing its mask from `generator` when `training`; the identity otherwise.
    public static func dropout(_ x: Tensor, p: Float, training: Bool, generator: inout Generator) -> Tensor {
        guard training && p > 0 else { return x }
        return dropout(x, mask: Tensor.bernoulli(x.shape, p: 1 - p, generator: &generator), p: p)
    }
}
