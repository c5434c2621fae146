// Token input for the first recurrent layer: `lstm(tokens:embedding:)` is
// `lstm(embedding(tokens, weight), ...)` in one node that projects each DISTINCT token once.
//
// The first layer's input side is X·W_ihᵀ over T*N rows, and X's rows are embedding rows. With U
// distinct tokens (U <= min(T*N, vocabulary)) the same sums come from U rows: P = E_u·W_ihᵀ once,
// then each input row adds its token's row of P; backward adds each row's gate gradients into its
// token's row (dG_u), then dW_ih = dG_uᵀ·E_u and dE_u = dG_u·W_ih. All three products shrink from
// T*N rows to U; the results equal the composed ops' up to float rounding (sums regrouped).

/// Layer 0's input as token ids, time-major: row `r` of the [T*N, I] input is row `row[r]` of
/// `table`, the embedding rows of the U distinct tokens [U, I].
struct TokenRows {
    var table: UnsafePointer<Float>
    var distinct: Int
    var row: UnsafePointer<Int>
}

/// What a recurrent call reads as its first layer's input.
enum RecurrentInput {
    case dense(Tensor)                                             // [T, N, I] or [N, T, I]
    case tokens(IndexTensor, embedding: Tensor, paddingIdx: Int?)  // ids [T, N] or [N, T], table [V, I]
}

/// The distinct ids of a time-major [T*N] id list (ascending), each row's position among them, and
/// their embedding rows [U, I].
struct DistinctTokens {
    let ids: [Int]
    let row: [Int]
    let table: [Float]

    init(_ timeMajorIds: [Int], embedding: [Float], vocabulary v: Int, dim: Int) {
        var slot = [Int](repeating: -1, count: v)
        for id in timeMajorIds { slot[id] = 0 }
        var ids: [Int] = []
        for id in 0..<v where slot[id] == 0 {
            slot[id] = ids.count
            ids.append(id)
        }
        self.ids = ids
        row = timeMajorIds.map { slot[$0] }
        table = [Float](unsafeUninitializedCapacity: ids.count * dim) { out, n in
            embedding.withUnsafeBufferPointer { e in
                for (u, id) in ids.enumerated() {
                    (out.baseAddress! + u * dim).initialize(from: e.baseAddress! + id * dim, count: dim)
                }
            }
            n = ids.count * dim
        }
    }

    /// dE [V, I]: the distinct rows' gradients scattered back to their ids, none for `padding`.
    func scatter(_ dDistinct: [Float], vocabulary v: Int, dim: Int, padding: Int?) -> [Float] {
        var out = [Float](repeating: 0, count: v * dim)
        for (u, id) in ids.enumerated() where id != padding {
            out.replaceSubrange(id * dim ..< (id + 1) * dim, with: dDistinct[u * dim ..< (u + 1) * dim])
        }
        return out
    }
}

/// out [T*N, GH] = X·W_ihᵀ (+ out when `accumulate`): one sgemm over the layer input, or for token
/// input one sgemm over the U distinct tokens and a row gather.
func inputProjection(_ io: DirectionIO, wIh: UnsafePointer<Float>, width GH: Int, accumulate: Bool,
                     into out: UnsafeMutablePointer<Float>) {
    let rows = io.steps * io.batch
    guard let tokens = io.tokens else {
        sgemm(transB: true, m: rows, n: GH, k: io.input, io.x, wIh, beta: accumulate ? 1 : 0, out)
        return
    }
    var projected = uninitializedFloats(tokens.distinct * GH)
    projected.withUnsafeMutableBufferPointer { pp in
        let p = pp.baseAddress!
        sgemm(transB: true, m: tokens.distinct, n: GH, k: io.input, tokens.table, wIh, beta: 0, p)
        splitAcrossCores(rows, costPerItem: GH) { range in
            for r in range {
                let src = UnsafePointer(p + tokens.row[r] * GH), dst = out + r * GH
                if accumulate { for j in 0..<GH { dst[j] += src[j] } } else { dst.update(from: src, count: GH) }
            }
        }
    }
}

/// The input-side gradients for token input from the gate gradients dG [T*N, GH]: dG_u [U, GH] sums
/// each token's rows, then dW_ih = dG_uᵀ·E_u and dx [U, I] (+)= dG_u·W_ih.
func tokenInputGrads(_ dG: UnsafePointer<Float>, _ io: DirectionIO, _ tokens: TokenRows, width GH: Int,
                     wIh: UnsafePointer<Float>, needWeight: Bool, dx: UnsafeMutablePointer<Float>?,
                     accumulate: Bool) -> [Float]? {
    let rows = io.steps * io.batch, U = tokens.distinct, I = io.input
    var dGu = [Float](repeating: 0, count: U * GH)
    dGu.withUnsafeMutableBufferPointer { pu in
        let du = pu.baseAddress!
        // Each core sums its half of the columns over all rows, in row order.
        splitAcrossCores(GH, costPerItem: rows) { columns in
            for r in 0..<rows {
                let src = dG + r * GH, dst = du + tokens.row[r] * GH
                for j in columns { dst[j] += src[j] }
            }
        }
        if let dx { sgemm(m: U, n: I, k: GH, du, wIh, beta: accumulate ? 1 : 0, dx) }
    }
    guard needWeight else { return nil }
    return dGu.withUnsafeBufferPointer { pu in
        Tensor(shape: [GH, I]) { out in
            sgemm(transA: true, m: GH, n: I, k: U, pu.baseAddress!, tokens.table, beta: 0, out.baseAddress!)
        }.data
    }
}

extension Functional {
    /// `lstm(embedding(tokens, weight: embedding, paddingIdx:), ...)` as one node whose first layer
    /// projects each distinct token once (fewer, smaller products when tokens repeat); same
    /// results up to float rounding, same gradients for `embedding` (none for `paddingIdx` rows).
    /// tokens [N, T] if `batchFirst` else [T, N]; embedding [V, I].
    public static func lstm(tokens: IndexTensor, embedding: Tensor, paddingIdx: Int? = nil, h0: Tensor? = nil,
                            c0: Tensor? = nil, weights: [RecurrentLayerWeights], numLayers: Int, batchFirst: Bool = false,
                            bidirectional: Bool = false, lengths: [Int]? = nil) -> (output: Tensor, hN: Tensor, cN: Tensor) {
        let r = runRecurrent(LSTMKernel.self, op: "lstm", .tokens(tokens, embedding: embedding, paddingIdx: paddingIdx),
                             h0: h0, c0: c0, weights: weights, numLayers: numLayers, batchFirst: batchFirst,
                             bidirectional: bidirectional, lengths: lengths)
        return (r[0], r[1], r[2])
    }

    /// `gru(embedding(tokens, weight: embedding, paddingIdx:), ...)` as one node; see `lstm(tokens:...)`.
    public static func gru(tokens: IndexTensor, embedding: Tensor, paddingIdx: Int? = nil, h0: Tensor? = nil,
                           weights: [RecurrentLayerWeights], numLayers: Int, batchFirst: Bool = false,
                           bidirectional: Bool = false, lengths: [Int]? = nil) -> (output: Tensor, hN: Tensor) {
        let r = runRecurrent(GRUKernel.self, op: "gru", .tokens(tokens, embedding: embedding, paddingIdx: paddingIdx),
                             h0: h0, c0: nil, weights: weights, numLayers: numLayers, batchFirst: batchFirst,
                             bidirectional: bidirectional, lengths: lengths)
        return (r[0], r[1])
    }
}
