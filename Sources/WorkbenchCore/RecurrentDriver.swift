// The multi-layer, optionally bidirectional driver shared by LSTM and GRU: layout changes,
// per layer-direction kernel calls and the single autodiff node of a whole recurrent call.

/// Pointers and sizes of one layer-direction. Everything is time-major so that one step's rows
/// are contiguous; `y` points at this direction's first column of the layer output [T, N, ldy].
struct DirectionIO {
    var steps: Int, batch: Int, input: Int, hidden: Int
    var reverse: Bool
    var x: UnsafePointer<Float>          // [T, N, I]
    var y: UnsafeMutablePointer<Float>   // [T, N, ldy]
    var ldy: Int
    var h0: UnsafePointer<Float>?        // [N, H]; nil means zeros
    var c0: UnsafePointer<Float>?        // [N, H]; LSTM only, nil means zeros
    var tokens: TokenRows? = nil         // first layer of a token-input call: x is unused
    var lengths: UnsafePointer<Int>? = nil // [N] real steps of each row; nil means all `steps`

    /// The time index processed at step `s` (reverse directions run from the end).
    @inline(__always) func time(_ s: Int) -> Int { reverse ? steps - 1 - s : s }

    // Rows past their length (packed-sequence semantics, as `pack_padded_sequence` gives PyTorch):
    // at a padded time a row's state stays what it was, so a forward direction keeps its last real
    // state and a reverse direction keeps h0/c0 until the row's last real token. Its gates are
    // computed with the batch and discarded; in backward its gate gradients are zero and the
    // state gradients pass through unchanged.

    /// At time `t`, copies the previous state into the padded rows: h (stride ldh) from hPrev
    /// (stride ldPrev; nil means zeros) and, for LSTM, c from cPrev.
    @inline(__always)
    func carryPaddedState(at t: Int, h: UnsafeMutablePointer<Float>, ldh: Int, hPrev: UnsafePointer<Float>?, ldPrev: Int,
                          c: UnsafeMutablePointer<Float>? = nil, cPrev: UnsafePointer<Float>? = nil) {
        guard let lengths else { return }
        for r in 0..<batch where t >= lengths[r] {
            if let hPrev { (h + r * ldh).update(from: hPrev + r * ldPrev, count: hidden) }
            else { (h + r * ldh).update(repeating: 0, count: hidden) }
            if let c, let cPrev { (c + r * hidden).update(from: cPrev + r * hidden, count: hidden) }
        }
    }

    /// Copies the padded rows at time `t` of `rows` [N, width] into `store` (`toStore`) or back from it.
    @inline(__always)
    func swapPaddedRows(at t: Int, _ rows: UnsafeMutablePointer<Float>, width: Int, _ store: UnsafeMutablePointer<Float>,
                        toStore: Bool) {
        guard let lengths else { return }
        for r in 0..<batch where t >= lengths[r] {
            if toStore { (store + r * width).update(from: rows + r * width, count: width) }
            else { (rows + r * width).update(from: store + r * width, count: width) }
        }
    }

    /// Zeroes the padded rows at time `t` of `rows` [N, width].
    @inline(__always)
    func zeroPaddedRows(at t: Int, _ rows: UnsafeMutablePointer<Float>, width: Int) {
        guard let lengths else { return }
        for r in 0..<batch where t >= lengths[r] { (rows + r * width).update(repeating: 0, count: width) }
    }

    /// The previous hidden state at step `s` and its row stride: h0 (nil when zero) or a row
    /// block of `y` written by the step before.
    @inline(__always) func hiddenBefore(_ s: Int) -> (UnsafePointer<Float>?, Int) {
        if s == 0 { return (h0, hidden) }
        return (UnsafePointer(y + time(s - 1) * batch * ldy), ldy)
    }
}

/// Gradient pointers of one layer-direction's backward; nil where nothing is needed.
struct DirectionGradIO {
    var dy: UnsafePointer<Float>?         // [T, N, ldy] at this direction's column, same layout as y
    var dhN: UnsafePointer<Float>?        // [N, H]
    var dcN: UnsafePointer<Float>?        // [N, H]
    var dx: UnsafeMutablePointer<Float>?  // [T, N, I]
    var accumulateDx: Bool                // add into dx (the second direction) instead of overwriting
    var dh0: UnsafeMutablePointer<Float>? // [N, H]
    var dc0: UnsafeMutablePointer<Float>? // [N, H]
}

/// A layer-direction's parameters as value arrays (copy-on-write shares, so a later optimizer
/// step cannot change what backward sees) and which of them need gradients.
struct RecurrentParams {
    let wIh: [Float], wHh: [Float], bIh: [Float]?, bHh: [Float]?
    let needWIh: Bool, needWHh: Bool, needBIh: Bool, needBHh: Bool

    init(_ w: RecurrentLayerWeights) {
        wIh = w.weightIh.data; wHh = w.weightHh.data; bIh = w.biasIh?.data; bHh = w.biasHh?.data
        needWIh = w.weightIh.requiresGrad; needWHh = w.weightHh.requiresGrad
        needBIh = w.biasIh?.requiresGrad ?? false; needBHh = w.biasHh?.requiresGrad ?? false
    }
}

/// What a layer-direction's forward keeps for backward (meaning depends on the kernel).
struct RecurrentTape {
    var gates: [Float]       // [T, N, G*H] gate activations
    var cell: [Float]        // [T, N, H] LSTM: c_t; GRU: W_hn h_{t-1} + b_hn
    var cellTanh: [Float]    // [T, N, H] LSTM: tanh(c_t); GRU: empty
}

/// Parameter gradients of one layer-direction (nil when not needed).
struct RecurrentParamGrads {
    var wIh: [Float]?, wHh: [Float]?, bIh: [Float]?, bHh: [Float]?
}

/// One recurrent cell type: its gate count and the fused forward/backward over all steps of one
/// layer-direction.
protocol RecurrentKernel {
    static var gateCount: Int { get }
    static var hasCell: Bool { get }
    /// Floats of scratch that `backward` needs for T steps of N rows.
    static func scratchCount(steps: Int, batch: Int, hidden: Int) -> Int
    /// Runs all steps, writing y, hN [N, H] and (LSTM) cN [N, H].
    static func forward(_ p: RecurrentParams, _ io: DirectionIO,
                        hN: UnsafeMutablePointer<Float>, cN: UnsafeMutablePointer<Float>?) -> RecurrentTape
    /// Back-propagates through all steps.
    static func backward(_ p: RecurrentParams, _ tape: RecurrentTape, _ io: DirectionIO, _ g: DirectionGradIO,
                         scratch: UnsafeMutablePointer<Float>) -> RecurrentParamGrads
}

/// Calls `body` with the array's base address, or nil for an absent array.
@inline(__always)
func withOptionalPointer<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let a else { return body(nil) }
    return a.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with the parameters' base addresses (absent biases as nil).
@inline(__always)
func withParamPointers<R>(_ p: RecurrentParams,
                          _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafePointer<Float>?) -> R) -> R {
    p.wIh.withUnsafeBufferPointer { wi in p.wHh.withUnsafeBufferPointer { wh in
        withOptionalPointer(p.bIh) { bi in withOptionalPointer(p.bHh) { bh in
            body(wi.baseAddress!, wh.baseAddress!, bi, bh)
        } }
    } }
}

/// Copies rows of `src` with stride `lds` into rows of `dst` with stride `ldd`.
@inline(__always)
func copyRows(_ src: UnsafePointer<Float>, lds: Int, _ dst: UnsafeMutablePointer<Float>, ldd: Int, rows: Int, cols: Int) {
    for r in 0..<rows { (dst + r * ldd).update(from: src + r * lds, count: cols) }
}

/// Storage for `n` floats that the caller overwrites completely before reading (no zero pass).
@inline(__always)
func uninitializedFloats(_ n: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
}

/// dW_hh [G*H, H] = Σ_s dGates_{t(s)}ᵀ · h_{t(s)-1}: the steps after the first read their previous
/// hidden state from y rows that line up with dGates shifted by one step, so they form ONE sgemm
/// over (T-1)*N rows; the first step adds dGates · h0 when h0 is given.
func recurrentWeightGrad(_ dGates: UnsafePointer<Float>, _ io: DirectionIO, gates: Int) -> [Float] {
    let T = io.steps, N = io.batch, H = io.hidden, GH = gates * H
    // Overwritten by the first sgemm unless a single step without h0 leaves it all zero.
    var dW = T > 1 ? uninitializedFloats(GH * H) : [Float](repeating: 0, count: GH * H)
    dW.withUnsafeMutableBufferPointer { out in
        if T > 1 {
            let a = dGates + (io.reverse ? 0 : N * GH)
            let b = UnsafePointer(io.y + (io.reverse ? N * io.ldy : 0))
            sgemm(transA: true, m: GH, n: H, k: (T - 1) * N, a, lda: GH, b, ldb: io.ldy, beta: 0, out.baseAddress!)
        }
        if let h0 = io.h0 {
            sgemm(transA: true, m: GH, n: H, k: N, dGates + io.time(0) * N * GH, lda: GH, h0, ldb: H,
                  beta: 1, out.baseAddress!)
        }
    }
    return dW
}

/// The input-side gradients of a layer-direction from its input-gate gradients dG [T*N, G*H]:
/// dW_ih = dGᵀ · X, dX += dG · W_ih (one sgemm each; for token input dX is [U, I], see
/// `tokenInputGrads`) and the bias gradient as column sums.
func inputSideGrads(_ dG: UnsafePointer<Float>, _ io: DirectionIO, gates: Int, wIh: UnsafePointer<Float>,
                    needWeight: Bool, needBias: Bool, dx: UnsafeMutablePointer<Float>?,
                    accumulate: Bool) -> (w: [Float]?, b: [Float]?) {
    let rows = io.steps * io.batch, GH = gates * io.hidden, I = io.input
    let b: [Float]? = needBias ? columnSums(dG, rows: rows, cols: GH) : nil
    if let tokens = io.tokens {
        return (tokenInputGrads(dG, io, tokens, width: GH, wIh: wIh, needWeight: needWeight, dx: dx,
                                accumulate: accumulate), b)
    }
    if let dx { sgemm(m: rows, n: I, k: GH, dG, wIh, beta: accumulate ? 1 : 0, dx) }
    let w: [Float]? = needWeight ? Tensor(shape: [GH, I]) { out in
        sgemm(transA: true, m: GH, n: I, k: rows, dG, io.x, beta: 0, out.baseAddress!)
    }.data : nil
    return (w, b)
}

/// Sums of each column of a [rows, cols] matrix.
func columnSums(_ m: UnsafePointer<Float>, rows: Int, cols: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: cols) { out, n in
        sumKernel(m, outer: 1, n: rows, inner: cols, into: out.baseAddress!)
        n = cols
    }
}

/// Zeroes the steps of each row past its length in [T, N, width] data (`batchFirst`: [N, T, width]).
func zeroPastLengths(_ data: inout [Float], _ lengths: [Int], steps T: Int, width: Int, batchFirst: Bool) {
    let N = lengths.count
    data.withUnsafeMutableBufferPointer { p in
        for (r, len) in lengths.enumerated() {
            for t in len..<T {
                (p.baseAddress! + (batchFirst ? r * T + t : t * N + r) * width).update(repeating: 0, count: width)
            }
        }
    }
}

/// Runs a whole multi-layer recurrent call as ONE autodiff node. Returns [y, hN] (+ [cN]).
/// `lengths` [N] gives each row's real steps (packed sequences): see `DirectionIO.carryPaddedState`.
func runRecurrent<K: RecurrentKernel>(_ kernel: K.Type, op: String, _ input: RecurrentInput, h0: Tensor?, c0: Tensor?,
                                      weights: [RecurrentLayerWeights], numLayers L: Int,
                                      batchFirst: Bool, bidirectional: Bool, lengths: [Int]? = nil) -> [Tensor] {
    let D = bidirectional ? 2 : 1
    precondition(L >= 1 && weights.count == L * D,
                 "\(op): \(weights.count) weight entries for numLayers \(L) x directions \(D)")
    // The first layer's input: x (its parent and layout) or token ids into an embedding table.
    let x: Tensor, T: Int, N: Int, I: Int
    var distinct: DistinctTokens? = nil
    var padding: Int? = nil
    switch input {
    case .dense(let dense):
        precondition(dense.rank == 3, "\(op): input must be [T, N, I] or [N, T, I], got \(dense.shape)")
        (x, T, N, I) = (dense, batchFirst ? dense.shape[1] : dense.shape[0], batchFirst ? dense.shape[0] : dense.shape[1],
                        dense.shape[2])
    case .tokens(let ids, let table, let paddingIdx):
        precondition(ids.shape.count == 2, "\(op): tokens must be [T, N] or [N, T], got \(ids.shape)")
        precondition(table.rank == 2, "\(op): embedding must be [num_embeddings, dim], got \(table.shape)")
        let V = table.shape[0]
        for i in ids.data { precondition(i >= 0 && i < V, "\(op): token \(i) out of range for \(V) embeddings") }
        (x, T, N, I) = (table, batchFirst ? ids.shape[1] : ids.shape[0], batchFirst ? ids.shape[0] : ids.shape[1],
                        table.shape[1])
        let timeMajor = batchFirst ? (0..<T * N).map { ids.data[($0 % N) * T + $0 / N] } : ids.data
        distinct = DistinctTokens(timeMajor, embedding: table.data, vocabulary: V, dim: I)
        padding = paddingIdx.map { $0 < 0 ? $0 + V : $0 }
    }
    let H = weights[0].weightHh.shape.last ?? 0
    let G = K.gateCount
    precondition(T >= 1 && N >= 1, "\(op): empty sequence or batch in input of \(T) steps, batch \(N)")
    for (k, w) in weights.enumerated() {
        w.validate(op: op, gates: G, input: k < D ? I : D * H, hidden: H)
    }
    let stateShape = [L * D, N, H]
    if let h0 { precondition(h0.shape == stateShape, "\(op): h0 \(h0.shape) should be \(stateShape)") }
    if let c0 { precondition(c0.shape == stateShape, "\(op): c0 \(c0.shape) should be \(stateShape)") }
    precondition(K.hasCell || c0 == nil, "\(op): c0 given to a cell without cell state")
    if let lengths {
        precondition(lengths.count == N, "\(op): \(lengths.count) lengths for a batch of \(N)")
        precondition(lengths.allSatisfy { (1...T).contains($0) }, "\(op): lengths must be in 1...\(T), got \(lengths)")
    }
    let rowLengths = lengths ?? []

    let params = weights.map(RecurrentParams.init)
    let xT = distinct?.table ?? (batchFirst ? permuteData(x.data, shape: [N, T, I], perm: [1, 0, 2]) : x.data)
    let tokenRow = distinct?.row ?? []
    let h0Data = h0?.data, c0Data = c0?.data
    let stateCount = N * H
    var hN = uninitializedFloats(L * D * stateCount)
    var cN = uninitializedFloats(K.hasCell ? L * D * stateCount : 0)
    var layerOut: [[Float]] = []
    var tapes: [RecurrentTape] = []

    func io(layer l: Int, dir d: Int, x px: UnsafePointer<Float>, y py: UnsafeMutablePointer<Float>,
            h0 ph: UnsafePointer<Float>?, c0 pc: UnsafePointer<Float>?, tokenRow pr: UnsafePointer<Int>?,
            lengths pl: UnsafePointer<Int>?) -> DirectionIO {
        let k = l * D + d
        let tokens = l == 0 ? distinct.map { TokenRows(table: px, distinct: $0.ids.count, row: pr!) } : nil
        return DirectionIO(steps: T, batch: N, input: l == 0 ? I : D * H, hidden: H, reverse: d == 1,
                           x: px, y: py + d * H, ldy: D * H,
                           h0: ph.map { $0 + k * stateCount }, c0: pc.map { $0 + k * stateCount }, tokens: tokens,
                           lengths: lengths == nil ? nil : pl)
    }

    tokenRow.withUnsafeBufferPointer { pr in rowLengths.withUnsafeBufferPointer { pl in
        for l in 0..<L {
            let input = l == 0 ? xT : layerOut[l - 1]
            var out = uninitializedFloats(T * N * D * H)   // every direction writes its columns
            input.withUnsafeBufferPointer { px in out.withUnsafeMutableBufferPointer { py in
                withOptionalPointer(h0Data) { ph in withOptionalPointer(c0Data) { pc in
                    hN.withUnsafeMutableBufferPointer { phN in cN.withUnsafeMutableBufferPointer { pcN in
                        for d in 0..<D {
                            let k = l * D + d
                            let dio = io(layer: l, dir: d, x: px.baseAddress!, y: py.baseAddress!, h0: ph, c0: pc,
                                         tokenRow: pr.baseAddress, lengths: pl.baseAddress)
                            tapes.append(K.forward(params[k], dio, hN: phN.baseAddress! + k * stateCount,
                                                   cN: K.hasCell ? pcN.baseAddress! + k * stateCount : nil))
                        }
                    } }
                } }
            } }
            layerOut.append(out)
        }
    } }

    let yShape = batchFirst ? [N, T, D * H] : [T, N, D * H]
    // The layer outputs hold the carried states at padded steps (the next step reads them); the
    // returned output is zero there, as `pad_packed_sequence` gives.
    var y = batchFirst ? permuteData(layerOut[L - 1], shape: [T, N, D * H], perm: [1, 0, 2]) : layerOut[L - 1]
    if let lengths { zeroPastLengths(&y, lengths, steps: T, width: D * H, batchFirst: batchFirst) }
    var outputs: [(shape: [Int], data: [Float])] = [(yShape, y), (stateShape, hN)]
    if K.hasCell { outputs.append((stateShape, cN)) }
    let stateParents = [h0, c0].compactMap { $0 }
    let parents = [x] + stateParents + weights.flatMap(\.tensors)
    let needX = x.requiresGrad, needH0 = h0?.requiresGrad ?? false, needC0 = c0?.requiresGrad ?? false

    return Tensor.results(op, outputs: outputs, parents: parents) { grads in
        var dyT = batchFirst ? permuteData(grads[0].data, shape: [N, T, D * H], perm: [1, 0, 2]) : grads[0].data
        if let lengths { zeroPastLengths(&dyT, lengths, steps: T, width: D * H, batchFirst: false) }   // constant outputs
        let dhN = grads[1].data, dcN = K.hasCell ? grads[2].data : nil
        var dh0 = uninitializedFloats(needH0 ? L * D * stateCount : 0)
        var dc0 = uninitializedFloats(needC0 ? L * D * stateCount : 0)
        var paramGrads = [RecurrentParamGrads](repeating: RecurrentParamGrads(), count: L * D)
        var scratch = uninitializedFloats(K.scratchCount(steps: T, batch: N, hidden: H))
        var dUpper = dyT
        tokenRow.withUnsafeBufferPointer { pr in rowLengths.withUnsafeBufferPointer { pl in
            for l in stride(from: L - 1, through: 0, by: -1) {
                let input = l == 0 ? xT : layerOut[l - 1]
                let needDx = l > 0 || needX
                var dIn = uninitializedFloats(needDx ? input.count : 0)   // the first direction overwrites; [U, I] for tokens
                input.withUnsafeBufferPointer { px in layerOut[l].withUnsafeBufferPointer { py in
                    withOptionalPointer(h0Data) { ph in withOptionalPointer(c0Data) { pc in
                        dUpper.withUnsafeBufferPointer { pdy in dhN.withUnsafeBufferPointer { pdh in
                            withOptionalPointer(dcN) { pdc in
                                dIn.withUnsafeMutableBufferPointer { pdx in
                                    dh0.withUnsafeMutableBufferPointer { pdh0 in dc0.withUnsafeMutableBufferPointer { pdc0 in
                                        scratch.withUnsafeMutableBufferPointer { ps in
                                            for d in 0..<D {
                                                let k = l * D + d
                                                // y is only read in backward; the mutable pointer type is shared with forward.
                                                let dio = io(layer: l, dir: d, x: px.baseAddress!,
                                                             y: UnsafeMutablePointer(mutating: py.baseAddress!), h0: ph, c0: pc,
                                                             tokenRow: pr.baseAddress, lengths: pl.baseAddress)
                                                let gio = DirectionGradIO(
                                                    dy: pdy.baseAddress! + d * H, dhN: pdh.baseAddress! + k * stateCount,
                                                    dcN: pdc.map { $0 + k * stateCount },
                                                    dx: needDx ? pdx.baseAddress! : nil, accumulateDx: d > 0,
                                                    dh0: needH0 ? pdh0.baseAddress! + k * stateCount : nil,
                                                    dc0: needC0 ? pdc0.baseAddress! + k * stateCount : nil)
                                                paramGrads[k] = K.backward(params[k], tapes[k], dio, gio, scratch: ps.baseAddress!)
                                            }
                                        }
                                    } }
                                }
                            }
                        } }
                    } }
                } }
                dUpper = dIn
            }
        } }
        let dx: [Float]? = !needX ? nil
            : distinct.map { $0.scatter(dUpper, vocabulary: x.shape[0], dim: I, padding: padding) }
            ?? (batchFirst ? permuteData(dUpper, shape: [T, N, I], perm: [1, 0, 2]) : dUpper)
        var result: [Tensor?] = [dx.map { Tensor(shape: x.shape, data: $0) }]
        if h0 != nil { result.append(needH0 ? Tensor(shape: stateShape, data: dh0) : nil) }
        if c0 != nil { result.append(needC0 ? Tensor(shape: stateShape, data: dc0) : nil) }
        for (w, g) in zip(weights, paramGrads) {
            result.append(g.wIh.map { Tensor(shape: w.weightIh.shape, data: $0) })
            result.append(g.wHh.map { Tensor(shape: w.weightHh.shape, data: $0) })
            if let b = w.biasIh { result.append(g.bIh.map { Tensor(shape: b.shape, data: $0) }) }
            if let b = w.biasHh { result.append(g.bHh.map { Tensor(shape: b.shape, data: $0) }) }
        }
        return result
    }
}

/// One step of a cell as ONE autodiff node: x [N, I], h [N, H], c [N, H] (LSTM only).
/// Returns [h'] (+ [c']).
func runRecurrentCell<K: RecurrentKernel>(_ kernel: K.Type, op: String, _ x: Tensor, h: Tensor, c: Tensor?,
                                          weights w: RecurrentLayerWeights) -> [Tensor] {
    precondition(x.rank == 2, "\(op): input must be [N, I], got \(x.shape)")
    let N = x.shape[0], I = x.shape[1], H = w.weightHh.shape.last ?? 0
    w.validate(op: op, gates: K.gateCount, input: I, hidden: H)
    precondition(h.shape == [N, H], "\(op): h \(h.shape) should be [\(N), \(H)]")
    if let c { precondition(c.shape == [N, H], "\(op): c \(c.shape) should be [\(N), \(H)]") }
    let p = RecurrentParams(w)
    let xData = x.data, hData = h.data, cData = c?.data
    var hOut = uninitializedFloats(N * H), hN = uninitializedFloats(N * H)
    var cOut = uninitializedFloats(K.hasCell ? N * H : 0)
    func io(_ px: UnsafePointer<Float>, _ py: UnsafeMutablePointer<Float>, _ ph: UnsafePointer<Float>,
            _ pc: UnsafePointer<Float>?) -> DirectionIO {
        DirectionIO(steps: 1, batch: N, input: I, hidden: H, reverse: false, x: px, y: py, ldy: H, h0: ph, c0: pc)
    }
    let tape = xData.withUnsafeBufferPointer { px in hData.withUnsafeBufferPointer { ph in
        withOptionalPointer(cData) { pc in hOut.withUnsafeMutableBufferPointer { py in
            hN.withUnsafeMutableBufferPointer { phN in cOut.withUnsafeMutableBufferPointer { pcN in
                K.forward(p, io(px.baseAddress!, py.baseAddress!, ph.baseAddress!, pc), hN: phN.baseAddress!,
                          cN: K.hasCell ? pcN.baseAddress! : nil)
            } }
        } }
    } }
    var outputs: [(shape: [Int], data: [Float])] = [([N, H], hOut)]
    if K.hasCell { outputs.append(([N, H], cOut)) }
    let parents = [x, h] + (c.map { [$0] } ?? []) + w.tensors
    return Tensor.results(op, outputs: outputs, parents: parents) { grads in
        let needX = x.requiresGrad, needH = h.requiresGrad, needC = c?.requiresGrad ?? false
        var dx = [Float](repeating: 0, count: needX ? N * I : 0)
        var dh = [Float](repeating: 0, count: needH ? N * H : 0)
        var dc = [Float](repeating: 0, count: needC ? N * H : 0)
        var scratch = uninitializedFloats(K.scratchCount(steps: 1, batch: N, hidden: H))
        let dhOut = grads[0].data, dcOut = K.hasCell ? grads[1].data : nil
        let g = xData.withUnsafeBufferPointer { px in hData.withUnsafeBufferPointer { ph in
            withOptionalPointer(cData) { pc in hOut.withUnsafeBufferPointer { py in
                dhOut.withUnsafeBufferPointer { pdh in withOptionalPointer(dcOut) { pdc in
                    dx.withUnsafeMutableBufferPointer { pdx in dh.withUnsafeMutableBufferPointer { pdh0 in
                        dc.withUnsafeMutableBufferPointer { pdc0 in scratch.withUnsafeMutableBufferPointer { ps in
                            let dio = io(px.baseAddress!, UnsafeMutablePointer(mutating: py.baseAddress!),
                                         ph.baseAddress!, pc)
                            let gio = DirectionGradIO(dy: nil, dhN: pdh.baseAddress!, dcN: pdc,
                                                      dx: needX ? pdx.baseAddress! : nil, accumulateDx: false,
                                                      dh0: needH ? pdh0.baseAddress! : nil,
                                                      dc0: needC ? pdc0.baseAddress! : nil)
                            return K.backward(p, tape, dio, gio, scratch: ps.baseAddress!)
                        } }
                    } }
                } }
            } }
        } }
        var result: [Tensor?] = [needX ? Tensor(shape: x.shape, data: dx) : nil,
                                 needH ? Tensor(shape: h.shape, data: dh) : nil]
        if let c { result.append(needC ? Tensor(shape: c.shape, data: dc) : nil) }
        result.append(g.wIh.map { Tensor(shape: w.weightIh.shape, data: $0) })
        result.append(g.wHh.map { Tensor(shape: w.weightHh.shape, data: $0) })
        if let b = w.biasIh { result.append(g.bIh.map { Tensor(shape: b.shape, data: $0) }) }
        if let b = w.biasHh { result.append(g.bHh.map { Tensor(shape: b.shape, data: $0) }) }
        return result
    }
}
