// LSTM (`torch.nn.LSTM` / `LSTMCell`): gates i, f, g, o; one fused node per call with a
// hand-written backward through time on sgemm and fused elementwise gate kernels.

extension Functional {
    /// Multi-layer LSTM with PyTorch's semantics and weight order (l0, l0_reverse, l1, ...).
    /// x [N, T, I] if `batchFirst` else [T, N, I]; h0/c0 [numLayers*D, N, H] (zeros when nil).
    /// Returns output [N, T, D*H] (or [T, N, D*H]), hN and cN [numLayers*D, N, H].
    /// `lengths` [N] (each in 1...T) makes each row a sequence of its own, as `pack_padded_sequence`
    /// (enforce_sorted=False) then `pad_packed_sequence(total_length: T)` do: a row's state stops
    /// at its last real step, the reverse direction starts there, outputs past it are zero and
    /// hN/cN are the states at each row's last real step (step 0 for the reverse direction).
    public static func lstm(_ x: Tensor, h0: Tensor? = nil, c0: Tensor? = nil, weights: [RecurrentLayerWeights],
                            numLayers: Int, batchFirst: Bool = false, bidirectional: Bool = false,
                            lengths: [Int]? = nil) -> (output: Tensor, hN: Tensor, cN: Tensor) {
        let r = runRecurrent(LSTMKernel.self, op: "lstm", .dense(x), h0: h0, c0: c0, weights: weights, numLayers: numLayers,
                             batchFirst: batchFirst, bidirectional: bidirectional, lengths: lengths)
        return (r[0], r[1], r[2])
    }

    /// One LSTM step (`torch.nn.LSTMCell`): x [N, I], h [N, H], c [N, H] -> (h' [N, H], c' [N, H]).
    public static func lstmCell(_ x: Tensor, h: Tensor, c: Tensor, weights: RecurrentLayerWeights) -> (h: Tensor, c: Tensor) {
        let r = runRecurrentCell(LSTMKernel.self, op: "lstm_cell", x, h: h, c: c, weights: weights)
        return (r[0], r[1])
    }
}

/// The fused LSTM layer-direction kernels. Gate pre-activations are X·W_ihᵀ + b_ih + b_hh for all
/// steps at once, plus h_{t-1}·W_hhᵀ per step.
enum LSTMKernel: RecurrentKernel {
    static var gateCount: Int { 4 }
    static var hasCell: Bool { true }

    static func scratchCount(steps: Int, batch: Int, hidden: Int) -> Int {
        steps * batch * 4 * hidden + 4 * batch * hidden   // dGates [T, N, 4H], dh, dc and their padded rows [N, H]
    }

    static func forward(_ p: RecurrentParams, _ io: DirectionIO,
                        hN: UnsafeMutablePointer<Float>, cN: UnsafeMutablePointer<Float>?) -> RecurrentTape {
        let T = io.steps, N = io.batch, H = io.hidden, G = 4 * H, rows = T * N
        var tape = RecurrentTape(gates: uninitializedFloats(rows * G), cell: uninitializedFloats(rows * H),
                                 cellTanh: uninitializedFloats(rows * H))
        let zeros = [Float](repeating: 0, count: io.c0 == nil ? N * H : 0)
        withParamPointers(p) { wIh, wHh, bIh, bHh in
            tape.gates.withUnsafeMutableBufferPointer { gates in
                tape.cell.withUnsafeMutableBufferPointer { cell in tape.cellTanh.withUnsafeMutableBufferPointer { tanhC in
                    zeros.withUnsafeBufferPointer { z in
                        let pg = gates.baseAddress!, pc = cell.baseAddress!, pt = tanhC.baseAddress!
                        let hasBias = fillBiasRows(pg, rows: rows, cols: G, bIh, bHh)
                        inputProjection(io, wIh: wIh, width: G, accumulate: hasBias, into: pg)
                        for s in 0..<T {
                            let t = io.time(s), gt = pg + t * N * G
                            let (hPrev, ldh) = io.hiddenBefore(s)
                            if let hPrev { sgemm(transB: true, m: N, n: G, k: H, hPrev, lda: ldh, wHh, beta: 1, gt) }
                            let cPrev = s == 0 ? (io.c0 ?? z.baseAddress!) : UnsafePointer(pc + io.time(s - 1) * N * H)
                            let c = pc + t * N * H, tc = pt + t * N * H, h = io.y + t * N * io.ldy, ldy = io.ldy
                            // Rows are independent: the two cores take half the batch each.
                            splitAcrossCores(N, costPerItem: 16 * H) { r in
                                let lo = r.lowerBound
                                lstmGatesForward(gt + lo * G, cPrev: cPrev + lo * H, c: c + lo * H, tanhC: tc + lo * H,
                                                 h: h + lo * ldy, ldh: ldy, rows: r.count, hidden: H)
                            }
                            io.carryPaddedState(at: t, h: h, ldh: ldy, hPrev: hPrev, ldPrev: ldh, c: c, cPrev: cPrev)
                        }
                        let last = io.time(T - 1)
                        copyRows(io.y + last * N * io.ldy, lds: io.ldy, hN, ldd: H, rows: N, cols: H)
                        cN!.update(from: pc + last * N * H, count: N * H)
                    }
                } }
            }
        }
        return tape
    }

    static func backward(_ p: RecurrentParams, _ tape: RecurrentTape, _ io: DirectionIO, _ g: DirectionGradIO,
                         scratch: UnsafeMutablePointer<Float>) -> RecurrentParamGrads {
        let T = io.steps, N = io.batch, H = io.hidden, G = 4 * H
        let dGates = scratch, dh = scratch + T * N * G, dc = dh + N * H, dhPad = dc + N * H, dcPad = dhPad + N * H
        if let dhN = g.dhN { dh.update(from: dhN, count: N * H) } else { dh.update(repeating: 0, count: N * H) }
        if let dcN = g.dcN { dc.update(from: dcN, count: N * H) } else { dc.update(repeating: 0, count: N * H) }
        let zeros = [Float](repeating: 0, count: io.c0 == nil ? N * H : 0)
        return withParamPointers(p) { wIh, wHh, _, _ in
            tape.gates.withUnsafeBufferPointer { gates in
                tape.cell.withUnsafeBufferPointer { cell in tape.cellTanh.withUnsafeBufferPointer { tanhC in
                    zeros.withUnsafeBufferPointer { z in
                        let pg = gates.baseAddress!, pc = cell.baseAddress!, pt = tanhC.baseAddress!
                        for s in stride(from: T - 1, through: 0, by: -1) {
                            let t = io.time(s)
                            if let dy = g.dy { addRows(dy + t * N * io.ldy, ld: io.ldy, into: dh, rows: N, cols: H) }
                            let cPrev = s == 0 ? (io.c0 ?? z.baseAddress!) : pc + io.time(s - 1) * N * H
                            let gt = pg + t * N * G, tc = pt + t * N * H, dgt = dGates + t * N * G
                            io.swapPaddedRows(at: t, dh, width: H, dhPad, toStore: true)
                            io.swapPaddedRows(at: t, dc, width: H, dcPad, toStore: true)
                            splitAcrossCores(N, costPerItem: 8 * H) { r in
                                let lo = r.lowerBound
                                lstmGatesBackward(gt + lo * G, tanhC: tc + lo * H, cPrev: cPrev + lo * H, dh: dh + lo * H,
                                                  dc: dc + lo * H, dGates: dgt + lo * G, rows: r.count, hidden: H)
                            }
                            io.zeroPaddedRows(at: t, dgt, width: G)
                            io.swapPaddedRows(at: t, dc, width: H, dcPad, toStore: false)
                            // dh_{t-1} = dGates_t · W_hh; skipped for h0 when nobody needs it.
                            if s > 0 || g.dh0 != nil { sgemm(m: N, n: H, k: G, dGates + t * N * G, wHh, beta: 0, dh) }
                            io.swapPaddedRows(at: t, dh, width: H, dhPad, toStore: false)
                        }
                        g.dh0?.update(from: dh, count: N * H)
                        g.dc0?.update(from: dc, count: N * H)
                        var grads = RecurrentParamGrads()
                        if p.needWHh { grads.wHh = recurrentWeightGrad(dGates, io, gates: 4) }
                        let needBias = p.needBIh || p.needBHh
                        let (w, b) = inputSideGrads(dGates, io, gates: 4, wIh: wIh, needWeight: p.needWIh,
                                                    needBias: needBias, dx: g.dx, accumulate: g.accumulateDx)
                        grads.wIh = w
                        // Both biases enter the same pre-activation, so they share one gradient.
                        if p.needBIh { grads.bIh = b }
                        if p.needBHh { grads.bHh = b }
                        return grads
                    }
                } }
            }
        }
    }
}

/// Writes bIh + bHh (whichever exist) into every row; returns false (rows untouched) when neither.
func fillBiasRows(_ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                  _ b1: UnsafePointer<Float>?, _ b2: UnsafePointer<Float>?) -> Bool {
    guard b1 != nil || b2 != nil else { return false }
    for j in 0..<cols { out[j] = (b1?[j] ?? 0) + (b2?[j] ?? 0) }
    for r in 1..<Swift.max(rows, 1) { (out + r * cols).update(from: out, count: cols) }
    return true
}

/// dst[r, :] += src[r * ld ..< r * ld + cols] for each row.
@inline(__always)
func addRows(_ src: UnsafePointer<Float>, ld: Int, into dst: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let s = src + r * ld, d = dst + r * cols
        for j in 0..<cols { d[j] += s[j] }
    }
}

/// One step's gate math in place: pre-activations [N, 4H] -> activations (i, f, g, o);
/// c = f ⊙ cPrev + i ⊙ g, h = o ⊙ tanh(c), keeping c and tanh(c) for backward.
@inline(__always)
func lstmGatesForward(_ gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>,
                      c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
                      h: UnsafeMutablePointer<Float>, ldh: Int, rows: Int, hidden H: Int) {
    for r in 0..<rows {
        let gi = gates + r * 4 * H, gf = gi + H, gg = gf + H, go = gg + H
        let cp = cPrev + r * H, cr = c + r * H, tr = tanhC + r * H, hr = h + r * ldh
        forEachLaneChunk(0..<H) { j, n in
            let i = gateSigmoid(loadLanes(gi + j, n)), f = gateSigmoid(loadLanes(gf + j, n))
            let g = gateTanh(loadLanes(gg + j, n)), o = gateSigmoid(loadLanes(go + j, n))
            storeLanes(i, gi + j, n); storeLanes(f, gf + j, n); storeLanes(g, gg + j, n); storeLanes(o, go + j, n)
            let cv = f * loadLanes(cp + j, n) + i * g
            let tc = gateTanh(cv)
            storeLanes(cv, cr + j, n); storeLanes(tc, tr + j, n); storeLanes(o * tc, hr + j, n)
        }
    }
}

/// One step's gate gradients: from dh (total gradient of h_t) and dc (gradient of c_t from the
/// step after) to dGates [N, 4H] w.r.t. the pre-activations; dc becomes the gradient of c_{t-1}.
@inline(__always)
func lstmGatesBackward(_ gates: UnsafePointer<Float>, tanhC: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
                       dh: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>,
                       dGates: UnsafeMutablePointer<Float>, rows: Int, hidden H: Int) {
    for r in 0..<rows {
        let gi = gates + r * 4 * H, gf = gi + H, gg = gf + H, go = gg + H
        let di = dGates + r * 4 * H, df = di + H, dg = df + H, dO = dg + H
        let tr = tanhC + r * H, cp = cPrev + r * H, dhr = dh + r * H, dcr = dc + r * H
        forEachLaneChunk(0..<H) { j, n in
            let i = loadLanes(gi + j, n), f = loadLanes(gf + j, n), g = loadLanes(gg + j, n), o = loadLanes(go + j, n)
            let tc = loadLanes(tr + j, n), dhv = loadLanes(dhr + j, n)
            let dcv = loadLanes(dcr + j, n) + dhv * o * (1 - tc * tc)
            storeLanes(dcv * g * i * (1 - i), di + j, n)
            storeLanes(dcv * loadLanes(cp + j, n) * f * (1 - f), df + j, n)
            storeLanes(dcv * i * (1 - g * g), dg + j, n)
            storeLanes(dhv * tc * o * (1 - o), dO + j, n)
            storeLanes(dcv * f, dcr + j, n)
        }
    }
}
