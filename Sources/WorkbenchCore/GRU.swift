// GRU (`torch.nn.GRU` / `GRUCell`) with PyTorch's formulation (reset gate applied to
// W_hn h + b_hn): one fused node per call, backward through time on sgemm and fused gate kernels.

extension Functional {
    /// Multi-layer GRU with PyTorch's semantics: r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise,
    /// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 - z) ⊙ n + z ⊙ h.
    /// x [N, T, I] if `batchFirst` else [T, N, I]; h0 [numLayers*D, N, H] (zeros when nil).
    /// Returns output [N, T, D*H] (or [T, N, D*H]) and hN [numLayers*D, N, H]. `lengths`: packed
    /// sequences, as for `lstm`.
    public static func gru(_ x: Tensor, h0: Tensor? = nil, weights: [RecurrentLayerWeights], numLayers: Int,
                           batchFirst: Bool = false, bidirectional: Bool = false,
                           lengths: [Int]? = nil) -> (output: Tensor, hN: Tensor) {
        let r = runRecurrent(GRUKernel.self, op: "gru", .dense(x), h0: h0, c0: nil, weights: weights, numLayers: numLayers,
                             batchFirst: batchFirst, bidirectional: bidirectional, lengths: lengths)
        return (r[0], r[1])
    }

    /// One GRU step (`torch.nn.GRUCell`): x [N, I], h [N, H] -> h' [N, H].
    public static func gruCell(_ x: Tensor, h: Tensor, weights: RecurrentLayerWeights) -> Tensor {
        runRecurrentCell(GRUKernel.self, op: "gru_cell", x, h: h, c: nil, weights: weights)[0]
    }
}

/// The fused GRU layer-direction kernels. The input side X·W_ihᵀ + b_ih is one sgemm for all
/// steps; the hidden side h_{t-1}·W_hhᵀ (+ b_hh in the gate kernel) stays separate per step
/// because the reset gate multiplies only its n part.
enum GRUKernel: RecurrentKernel {
    static var gateCount: Int { 3 }
    static var hasCell: Bool { false }

    static func scratchCount(steps: Int, batch: Int, hidden: Int) -> Int {
        2 * steps * batch * 3 * hidden + 2 * batch * hidden   // dGi, dGh [T, N, 3H], dh and its padded rows [N, H]
    }

    static func forward(_ p: RecurrentParams, _ io: DirectionIO,
                        hN: UnsafeMutablePointer<Float>, cN: UnsafeMutablePointer<Float>?) -> RecurrentTape {
        let T = io.steps, N = io.batch, H = io.hidden, G = 3 * H, rows = T * N
        var tape = RecurrentTape(gates: uninitializedFloats(rows * G), cell: uninitializedFloats(rows * H),
                                 cellTanh: [])
        var gh = uninitializedFloats(N * G)
        let zeros = [Float](repeating: 0, count: io.h0 == nil ? N * H : 0)
        let noBias = [Float](repeating: 0, count: p.bHh == nil ? G : 0)
        withParamPointers(p) { wIh, wHh, bIh, bHh in
            tape.gates.withUnsafeMutableBufferPointer { gates in tape.cell.withUnsafeMutableBufferPointer { hn in
                gh.withUnsafeMutableBufferPointer { ghp in
                    zeros.withUnsafeBufferPointer { z in noBias.withUnsafeBufferPointer { nb in
                        let pg = gates.baseAddress!, phn = hn.baseAddress!, pgh = ghp.baseAddress!
                        let hasBias = fillBiasRows(pg, rows: rows, cols: G, bIh, nil)
                        inputProjection(io, wIh: wIh, width: G, accumulate: hasBias, into: pg)
                        for s in 0..<T {
                            let t = io.time(s)
                            let (hPrev, ldh) = io.hiddenBefore(s)
                            if let hPrev {
                                sgemm(transB: true, m: N, n: G, k: H, hPrev, lda: ldh, wHh, beta: 0, pgh)
                            } else {
                                pgh.update(repeating: 0, count: N * G)
                            }
                            gruGatesForward(pg + t * N * G, gh: pgh, bHh: bHh ?? nb.baseAddress!,
                                            hPrev: hPrev ?? z.baseAddress!, ldPrev: ldh, hn: phn + t * N * H,
                                            h: io.y + t * N * io.ldy, ldh: io.ldy, rows: N, hidden: H)
                            io.carryPaddedState(at: t, h: io.y + t * N * io.ldy, ldh: io.ldy, hPrev: hPrev, ldPrev: ldh)
                        }
                        copyRows(io.y + io.time(T - 1) * N * io.ldy, lds: io.ldy, hN, ldd: H, rows: N, cols: H)
                    } }
                }
            } }
        }
        return tape
    }

    static func backward(_ p: RecurrentParams, _ tape: RecurrentTape, _ io: DirectionIO, _ g: DirectionGradIO,
                         scratch: UnsafeMutablePointer<Float>) -> RecurrentParamGrads {
        let T = io.steps, N = io.batch, H = io.hidden, G = 3 * H
        let dGi = scratch, dGh = scratch + T * N * G, dh = dGh + T * N * G, dhPad = dh + N * H
        if let dhN = g.dhN { dh.update(from: dhN, count: N * H) } else { dh.update(repeating: 0, count: N * H) }
        let zeros = [Float](repeating: 0, count: io.h0 == nil ? N * H : 0)
        return withParamPointers(p) { wIh, wHh, _, _ in
            tape.gates.withUnsafeBufferPointer { gates in tape.cell.withUnsafeBufferPointer { hn in
                zeros.withUnsafeBufferPointer { z in
                    let pg = gates.baseAddress!, phn = hn.baseAddress!
                    for s in stride(from: T - 1, through: 0, by: -1) {
                        let t = io.time(s)
                        if let dy = g.dy { addRows(dy + t * N * io.ldy, ld: io.ldy, into: dh, rows: N, cols: H) }
                        let (hPrev, ldh) = io.hiddenBefore(s)
                        io.swapPaddedRows(at: t, dh, width: H, dhPad, toStore: true)
                        gruGatesBackward(pg + t * N * G, hn: phn + t * N * H, hPrev: hPrev ?? z.baseAddress!,
                                         ldPrev: ldh, dh: dh, dGi: dGi + t * N * G, dGh: dGh + t * N * G,
                                         rows: N, hidden: H)
                        io.zeroPaddedRows(at: t, dGi + t * N * G, width: G)
                        io.zeroPaddedRows(at: t, dGh + t * N * G, width: G)
                        // dh_{t-1} = z ⊙ dh (left in dh by the kernel) + dGh_t · W_hh.
                        if s > 0 || g.dh0 != nil { sgemm(m: N, n: H, k: G, dGh + t * N * G, wHh, beta: 1, dh) }
                        io.swapPaddedRows(at: t, dh, width: H, dhPad, toStore: false)
                    }
                    g.dh0?.update(from: dh, count: N * H)
                    var grads = RecurrentParamGrads()
                    if p.needWHh { grads.wHh = recurrentWeightGrad(dGh, io, gates: 3) }
                    if p.needBHh { grads.bHh = columnSums(dGh, rows: T * N, cols: G) }
                    let (w, b) = inputSideGrads(dGi, io, gates: 3, wIh: wIh, needWeight: p.needWIh,
                                                needBias: p.needBIh, dx: g.dx, accumulate: g.accumulateDx)
                    grads.wIh = w
                    grads.bIh = b
                    return grads
                }
            } }
        }
    }
}

/// One step's gate math: gi [N, 3H] holds X·W_ihᵀ + b_ih and is overwritten with (r, z, n);
/// gh [N, 3H] holds h_{t-1}·W_hhᵀ. Keeps hn = W_hn h + b_hn for backward and writes h [N, ldh].
@inline(__always)
func gruGatesForward(_ gi: UnsafeMutablePointer<Float>, gh: UnsafePointer<Float>, bHh: UnsafePointer<Float>,
                     hPrev: UnsafePointer<Float>, ldPrev: Int, hn: UnsafeMutablePointer<Float>,
                     h: UnsafeMutablePointer<Float>, ldh: Int, rows: Int, hidden H: Int) {
    let br = bHh, bz = bHh + H, bn = bHh + 2 * H
    for r in 0..<rows {
        let ir = gi + r * 3 * H, iz = ir + H, iN = iz + H
        let hr = gh + r * 3 * H, hz = hr + H, hnIn = hz + H
        let hp = hPrev + r * ldPrev, hnr = hn + r * H, out = h + r * ldh
        forEachLaneChunk(0..<H) { j, n in
            let rv = gateSigmoid(loadLanes(ir + j, n) + loadLanes(hr + j, n) + loadLanes(br + j, n))
            let zv = gateSigmoid(loadLanes(iz + j, n) + loadLanes(hz + j, n) + loadLanes(bz + j, n))
            let hnv = loadLanes(hnIn + j, n) + loadLanes(bn + j, n)
            let nv = gateTanh(loadLanes(iN + j, n) + rv * hnv)
            storeLanes(rv, ir + j, n); storeLanes(zv, iz + j, n); storeLanes(nv, iN + j, n); storeLanes(hnv, hnr + j, n)
            storeLanes(nv + zv * (loadLanes(hp + j, n) - nv), out + j, n)
        }
    }
}

/// One step's gate gradients from dh (total gradient of h_t): dGi [N, 3H] w.r.t. the input-side
/// pre-activations, dGh [N, 3H] w.r.t. h_{t-1}·W_hhᵀ + b_hh; dh becomes z ⊙ dh (the direct path).
@inline(__always)
func gruGatesBackward(_ gates: UnsafePointer<Float>, hn: UnsafePointer<Float>, hPrev: UnsafePointer<Float>,
                      ldPrev: Int, dh: UnsafeMutablePointer<Float>, dGi: UnsafeMutablePointer<Float>,
                      dGh: UnsafeMutablePointer<Float>, rows: Int, hidden H: Int) {
    for r in 0..<rows {
        let gr = gates + r * 3 * H, gz = gr + H, gn = gz + H
        let ir = dGi + r * 3 * H, iz = ir + H, iN = iz + H
        let hr = dGh + r * 3 * H, hz = hr + H, hN = hz + H
        let hp = hPrev + r * ldPrev, hnr = hn + r * H, dhr = dh + r * H
        forEachLaneChunk(0..<H) { j, n in
            let rv = loadLanes(gr + j, n), zv = loadLanes(gz + j, n), nv = loadLanes(gn + j, n), d = loadLanes(dhr + j, n)
            let dpn = d * (1 - zv) * (1 - nv * nv)
            let dpr = dpn * loadLanes(hnr + j, n) * rv * (1 - rv)
            let dpz = d * (loadLanes(hp + j, n) - nv) * zv * (1 - zv)
            storeLanes(dpr, ir + j, n); storeLanes(dpz, iz + j, n); storeLanes(dpn, iN + j, n)
            storeLanes(dpr, hr + j, n); storeLanes(dpz, hz + j, n); storeLanes(dpn * rv, hN + j, n)
            storeLanes(d * zv, dhr + j, n)
        }
    }
}
