// Inference: batched greedy decoding and per-sentence beam search with GNMT length normalisation,
// the same algorithm as `Seq2Seq.beam_search` in papers/seq2seq/reference/model.py.
import Foundation
import WorkbenchCore
import WorkbenchData
import WorkbenchRun

/// Copies rows of a tensor along `dim` (0 or 1): the beam's surviving hypotheses. No autograd.
func gatherRows(_ t: Tensor, dim: Int, _ rows: [Int]) -> Tensor {
    let outer = t.shape[..<dim].reduce(1, *), n = t.shape[dim], inner = t.shape[(dim + 1)...].reduce(1, *)
    var shape = t.shape
    shape[dim] = rows.count
    var out = [Float](repeating: 0, count: outer * rows.count * inner)
    t.data.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for o in 0..<outer {
                for (k, r) in rows.enumerated() {
                    let s = (o * n + r) * inner, d = (o * rows.count + k) * inner
                    for i in 0..<inner { dst[d + i] = src[s + i] }
                }
            }
        }
    }
    return Tensor(shape: shape, data: out)
}

extension Seq2SeqModel {
    /// Greedy decoding of a batch src [B, S]: each row's tokens up to (not including) <eos>.
    /// `stop` (by default: Ctrl-C was pressed) ends it after the current decoder step.
    public func greedy(_ src: IndexTensor, maxLength: Int, stop: () -> Bool = { Interrupt.isRequested }) -> [[Int]] {
        withNoGrad {
            let e = encode(src)
            let b = src.shape[0], v = config.tgtVocab
            var tokens = [Int](repeating: Vocabulary.sos, count: b)
            var out = [[Int]](repeating: [], count: b)
            var done = [Bool](repeating: false, count: b)
            var state = e.state
            for _ in 0..<maxLength {
                let r = step(e, tokens: tokens, state: state)
                state = r.state
                for row in 0..<b {
                    var best = 0
                    r.logProbs.data.withUnsafeBufferPointer { lp in
                        for j in 1..<v where lp[row * v + j] > lp[row * v + best] { best = j }
                    }
                    tokens[row] = best
                    if !done[row] { if best == Vocabulary.eos { done[row] = true } else { out[row].append(best) } }
                }
                if !done.contains(false) || stop() { break }
            }
            return out
        }
    }

    /// Beam search for one sentence src [1, S]. Returns the best hypothesis (ending with <eos>
    /// when one was produced) by log p / ((5 + len) / 6)^alpha; alpha 0 is the raw log-probability.
    /// A hypothesis leaves the beam when it ends; the search stops when `beamWidth` have ended, none
    /// are left, or after `maxLength` tokens. Width 1 is greedy decoding; wider than the target
    /// vocabulary would only repeat hypotheses. `stop` (by default: Ctrl-C was pressed) ends it
    /// after the current decoder step.
    public func beamSearch(_ src: IndexTensor, beamWidth: Int, maxLength: Int, lengthAlpha: Double = 0,
                           stop: () -> Bool = { Interrupt.isRequested }) -> [Int] {
        precondition(src.shape[0] == 1, "beamSearch takes one sentence [1, S], got \(src.shape)")
        precondition((1...config.tgtVocab).contains(beamWidth),
                     "beamWidth must be in 1...\(config.tgtVocab) (the target vocabulary), got \(beamWidth)")
        return withNoGrad {
            let e = encode(src)
            let v = config.tgtVocab
            var alive: [([Int], Double)] = [([], 0)]
            var finished: [([Int], Double)] = []
            var state = e.state
            let stateDim = config.attention ? 0 : 1
            for _ in 0..<maxLength {
                let n = alive.count
                var en = e
                if config.attention {
                    let rows = [Int](repeating: 0, count: n)
                    en.memory = gatherRows(e.memory!, dim: 0, rows)
                    en.keys = gatherRows(e.keys!, dim: 0, rows)
                    en.maskBias = gatherRows(e.maskBias!, dim: 0, rows)
                }
                let r = step(en, tokens: alive.map { $0.0.last ?? Vocabulary.sos }, state: state)
                // Candidates sorted by score, ties to the lower flat index (beam * V + token).
                var scores = [Double](repeating: 0, count: n * v)
                for b in 0..<n { for j in 0..<v { scores[b * v + j] = alive[b].1 + Double(r.logProbs.data[b * v + j]) } }
                let order = topK(scores, beamWidth)
                var next: [([Int], Double)] = [], rows: [Int] = []
                for i in order {
                    let (b, tok) = (i / v, i % v)
                    let hyp = alive[b].0 + [tok]
                    if tok == Vocabulary.eos { finished.append((hyp, scores[i])) } else { next.append((hyp, scores[i])); rows.append(b) }
                }
                if next.isEmpty || finished.count >= beamWidth { alive = []; break }
                if stop() { alive = next; break }
                alive = next
                state = DecoderState(h: gatherRows(r.state.h, dim: stateDim, rows), c: gatherRows(r.state.c, dim: stateDim, rows))
            }
            finished += alive
            var best = finished[0]
            func normalised(_ h: ([Int], Double)) -> Double { h.1 / pow((5 + Double(h.0.count)) / 6, lengthAlpha) }
            for h in finished.dropFirst() where normalised(h) > normalised(best) { best = h }
            return best.0
        }
    }
}

/// Indices of the k largest values, largest first, ties to the lower index.
func topK(_ scores: [Double], _ k: Int) -> [Int] {
    var best: [Int] = []
    for i in scores.indices {
        if best.count == k && scores[i] <= scores[best[k - 1]] { continue }
        var pos = best.count
        while pos > 0 && scores[best[pos - 1]] < scores[i] { pos -= 1 }
        best.insert(i, at: pos)
        if best.count > k { best.removeLast() }
    }
    return best
}
