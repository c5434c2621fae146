// lstm(tokens:embedding:) / gru(tokens:embedding:) against the composed embedding-then-recurrent
// ops (themselves checked against PyTorch in RecurrentTests): outputs, final states and the
// gradients of the table, every weight and the initial states.
import Foundation
import Testing
import WorkbenchTesting

private struct TokenCase: CustomTestStringConvertible, Sendable {
    var vocab: Int, dim: Int, hidden: Int, layers: Int, steps: Int, batch: Int
    var batchFirst: Bool, bidirectional: Bool, padding: Int?, withState: Bool
    var lengths: [Int]? = nil
    var testDescription: String {
        "V\(vocab) I\(dim) H\(hidden) L\(layers) T\(steps) N\(batch)\(batchFirst ? " batchFirst" : "")"
            + "\(bidirectional ? " bidirectional" : "")\(padding.map { " pad \($0)" } ?? "")\(withState ? " h0" : "")"
            + (lengths.map { " lengths \($0)" } ?? "")
    }
}

private let cases = [
    // Few distinct tokens, repeated many times; padding rows get no gradient.
    TokenCase(vocab: 7, dim: 5, hidden: 4, layers: 1, steps: 6, batch: 3, batchFirst: true, bidirectional: false,
              padding: 0, withState: false),
    TokenCase(vocab: 9, dim: 6, hidden: 3, layers: 2, steps: 5, batch: 4, batchFirst: false, bidirectional: true,
              padding: -1, withState: true),
    // Packed sequences (unsorted lengths, 1 and the maximum among them) take the same token path.
    TokenCase(vocab: 9, dim: 6, hidden: 3, layers: 2, steps: 5, batch: 4, batchFirst: true, bidirectional: true,
              padding: 0, withState: true, lengths: [3, 5, 1, 5]),
    // Large enough that the gather and the gradient sums split across the two cores; some ids unused.
    TokenCase(vocab: 300, dim: 24, hidden: 64, layers: 2, steps: 8, batch: 32, batchFirst: true, bidirectional: false,
              padding: nil, withState: true),
]

/// What a test runs: the ids, the table, the weights and initial states -> every output; `fused`
/// selects the token call over embedding-then-recurrent.
private typealias Call = (_ ids: IndexTensor, _ table: Tensor, _ fused: Bool, _ w: [RecurrentLayerWeights],
                          _ h0: Tensor?, _ c0: Tensor?) -> [Tensor]

/// The composed and the token call on the same values, with the same upstream gradients.
private func compare(_ c: TokenCase, gates: Int, _ run: Call) {
    var g = Generator(seed: UInt64(c.vocab * 31 + c.hidden))
    let D = c.bidirectional ? 2 : 1
    // Ids from the first third of the table (repeats, unused rows), every fifth one the padding row.
    let padRow = c.padding.map { $0 < 0 ? $0 + c.vocab : $0 }
    let ids = IndexTensor(shape: c.batchFirst ? [c.batch, c.steps] : [c.steps, c.batch],
                          data: (0..<(c.steps * c.batch)).map { i in
                              i % 5 == 4 ? padRow ?? 0 : g.integer(below: c.vocab / 3 + 2)
                          })
    let table = Tensor.normal([c.vocab, c.dim], generator: &g)
    let weights = (0..<(c.layers * D)).map { k in
        let input = k < D ? c.dim : D * c.hidden
        return RecurrentLayerWeights(
            weightIh: Tensor.normal([gates * c.hidden, input], std: 0.3, generator: &g),
            weightHh: Tensor.normal([gates * c.hidden, c.hidden], std: 0.3, generator: &g),
            biasIh: Tensor.normal([gates * c.hidden], std: 0.1, generator: &g),
            biasHh: Tensor.normal([gates * c.hidden], std: 0.1, generator: &g))
    }
    let stateShape = [c.layers * D, c.batch, c.hidden]
    let h0 = c.withState ? Tensor.normal(stateShape, generator: &g) : nil
    let c0 = c.withState && gates == 4 ? Tensor.normal(stateShape, generator: &g) : nil

    func leaves() -> (Tensor, [RecurrentLayerWeights], Tensor?, Tensor?) {
        (table.detach().requiringGrad(),
         weights.map { w in RecurrentLayerWeights(weightIh: w.weightIh.detach().requiringGrad(),
                                                  weightHh: w.weightHh.detach().requiringGrad(),
                                                  biasIh: w.biasIh!.detach().requiringGrad(),
                                                  biasHh: w.biasHh!.detach().requiringGrad()) },
         h0?.detach().requiringGrad(), c0?.detach().requiringGrad())
    }
    var u = Generator(seed: 99)
    func backward(_ outputs: [Tensor]) {
        outputs.map { ($0 * Tensor.normal($0.shape, generator: &u)).sum() }.reduce(Tensor(0), +).backward()
    }

    let (e1, w1, h1, c1) = leaves()
    let composed = run(ids, e1, false, w1, h1, c1)
    backward(composed)
    u = Generator(seed: 99)
    let (e2, w2, h2, c2) = leaves()
    let fused = run(ids, e2, true, w2, h2, c2)
    backward(fused)

    func check(_ a: Tensor?, _ b: Tensor?, _ what: String) {
        guard let a, let b else { #expect(a == nil && b == nil, "\(what): one side missing"); return }
        #expect(a.shape == b.shape, "\(what) shape")
        // The token call regroups sums (per distinct token first), so float rounding scales with the
        // tensor's largest entries, not with each entry: absolute tolerance 1e-5 of the largest |entry|
        // (a wrong row or a lost repeat moves entries by O(their size)).
        let scale = Swift.max(1, a.data.map { abs($0) }.max() ?? 0)
        let r = closeness(b.data, a.data, atol: 1e-5 * scale, rtol: 1e-4)
        #expect(r.passed, "\(c.testDescription) \(what): \(r)")
    }
    for (k, (a, b)) in zip(composed, fused).enumerated() { check(a, b, "output \(k)") }
    check(e1.grad, e2.grad, "d embedding")
    if let row = padRow {
        #expect(e2.grad!.data[row * c.dim ..< (row + 1) * c.dim].allSatisfy { $0 == 0 }, "padding row gradient")
    }
    for (k, (a, b)) in zip(w1, w2).enumerated() {
        for (name, ta, tb) in [("weight_ih", a.weightIh, b.weightIh), ("weight_hh", a.weightHh, b.weightHh),
                               ("bias_ih", a.biasIh!, b.biasIh!), ("bias_hh", a.biasHh!, b.biasHh!)] {
            check(ta.grad, tb.grad, "\(name) of layer-direction \(k)")
        }
    }
    check(h1?.grad, h2?.grad, "dh0")
    check(c1?.grad, c2?.grad, "dc0")
}

struct RecurrentTokenTests {
    @Test(arguments: cases) private func lstmTokensMatchEmbeddingThenLstm(_ c: TokenCase) {
        compare(c, gates: 4) { ids, table, fused, w, h0, c0 in
            let r = fused
                ? F.lstm(tokens: ids, embedding: table, paddingIdx: c.padding, h0: h0, c0: c0, weights: w,
                         numLayers: c.layers, batchFirst: c.batchFirst, bidirectional: c.bidirectional, lengths: c.lengths)
                : F.lstm(F.embedding(ids, weight: table, paddingIdx: c.padding), h0: h0, c0: c0, weights: w,
                         numLayers: c.layers, batchFirst: c.batchFirst, bidirectional: c.bidirectional, lengths: c.lengths)
            return [r.output, r.hN, r.cN]
        }
    }

    @Test(arguments: cases) private func gruTokensMatchEmbeddingThenGru(_ c: TokenCase) {
        compare(c, gates: 3) { ids, table, fused, w, h0, _ in
            let r = fused
                ? F.gru(tokens: ids, embedding: table, paddingIdx: c.padding, h0: h0, weights: w,
                        numLayers: c.layers, batchFirst: c.batchFirst, bidirectional: c.bidirectional, lengths: c.lengths)
                : F.gru(F.embedding(ids, weight: table, paddingIdx: c.padding), h0: h0, weights: w,
                        numLayers: c.layers, batchFirst: c.batchFirst, bidirectional: c.bidirectional, lengths: c.lengths)
            return [r.output, r.hN]
        }
    }
}
