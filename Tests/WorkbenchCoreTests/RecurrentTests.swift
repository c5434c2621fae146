// LSTM / GRU ops: finite-difference gradient checks, cell consistency, gate activations. The values and
// gradients against PyTorch are the op fixtures (OpFixtureTests: Tests/Fixtures/ops/lstm_*, gru_*).
import Foundation
import Testing
import WorkbenchTesting

/// Deterministic test values: sin(0.37 * i + seed) / 2 in row-major order.
private func pattern(_ shape: [Int], _ seed: Double, requiresGrad: Bool = false) -> Tensor {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, data: (0..<n).map { Float(sin(0.37 * Double($0) + seed) * 0.5) },
                  requiresGrad: requiresGrad)
}

/// Layer-directions in PyTorch's parameter order, each filled with `pattern` from consecutive seeds
/// starting at 1 (weight_ih, weight_hh, bias_ih, bias_hh).
private func patternWeights(gates: Int, input: Int, hidden: Int, layers: Int, directions: Int,
                            bias: Bool = true) -> [RecurrentLayerWeights] {
    var seed = 1.0
    func next(_ shape: [Int]) -> Tensor {
        defer { seed += 1 }
        return pattern(shape, seed, requiresGrad: true)
    }
    var result: [RecurrentLayerWeights] = []
    for l in 0..<layers {
        for _ in 0..<directions {
            let inF = l == 0 ? input : directions * hidden
            let wIh = next([gates * hidden, inF]), wHh = next([gates * hidden, hidden])
            let bIh = bias ? next([gates * hidden]) : nil, bHh = bias ? next([gates * hidden]) : nil
            result.append(RecurrentLayerWeights(weightIh: wIh, weightHh: wHh, biasIh: bIh, biasHh: bHh))
        }
    }
    return result
}

/// Rebuilds layer weights from the flat parameter list that gradcheck perturbs.
private func regroup(_ flat: ArraySlice<Tensor>, bias: Bool) -> [RecurrentLayerWeights] {
    let per = bias ? 4 : 2
    return stride(from: flat.startIndex, to: flat.endIndex, by: per).map { i in
        RecurrentLayerWeights(weightIh: flat[i], weightHh: flat[i + 1],
                              biasIh: bias ? flat[i + 2] : nil, biasHh: bias ? flat[i + 3] : nil)
    }
}

// Serialized: gradcheck toggles the process-wide GradMode, which parallel test cases would see.
@Suite(.serialized) struct RecurrentTests {
    // MARK: gradient checks (every input and weight)

    @Test(arguments: [
        (layers: 1, batchFirst: false, states: false, bidirectional: false, bias: true),
        (layers: 1, batchFirst: true, states: true, bidirectional: false, bias: true),
        (layers: 2, batchFirst: false, states: true, bidirectional: false, bias: true),
        (layers: 2, batchFirst: true, states: false, bidirectional: false, bias: false),
        (layers: 1, batchFirst: true, states: true, bidirectional: true, bias: true),
        (layers: 2, batchFirst: false, states: true, bidirectional: true, bias: true),
        (layers: 2, batchFirst: true, states: false, bidirectional: true, bias: true),
    ])
    func lstmGradcheck(_ c: (layers: Int, batchFirst: Bool, states: Bool, bidirectional: Bool, bias: Bool)) {
        let T = 4, N = 3, I = 3, H = 4, D = c.bidirectional ? 2 : 1
        let w = patternWeights(gates: 4, input: I, hidden: H, layers: c.layers, directions: D, bias: c.bias)
        let x = pattern(c.batchFirst ? [N, T, I] : [T, N, I], 20, requiresGrad: true)
        let states = c.states ? [pattern([c.layers * D, N, H], 21, requiresGrad: true),
                                 pattern([c.layers * D, N, H], 22, requiresGrad: true)] : []
        let inputs = [x] + states + w.flatMap(\.tensors)
        let failures = gradcheck(inputs) { xs in
            let s = c.states ? 3 : 1
            let (y, h, cN) = F.lstm(xs[0], h0: c.states ? xs[1] : nil, c0: c.states ? xs[2] : nil,
                                    weights: regroup(xs[s...], bias: c.bias), numLayers: c.layers,
                                    batchFirst: c.batchFirst, bidirectional: c.bidirectional)
            return weightedSum(y) + weightedSum(h, seed: 8) + weightedSum(cN, seed: 9)
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test func lstmCellGradcheck() {
        let w = patternWeights(gates: 4, input: 3, hidden: 4, layers: 1, directions: 1)[0]
        let inputs = [pattern([3, 3], 20, requiresGrad: true), pattern([3, 4], 21, requiresGrad: true),
                      pattern([3, 4], 22, requiresGrad: true)] + w.tensors
        let failures = gradcheck(inputs) { xs in
            let (h, c) = F.lstmCell(xs[0], h: xs[1], c: xs[2], weights: regroup(xs[3...], bias: true)[0])
            return weightedSum(h) + weightedSum(c, seed: 8)
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test(arguments: [
        (layers: 1, batchFirst: false, state: false, bidirectional: false, bias: true),
        (layers: 1, batchFirst: true, state: true, bidirectional: false, bias: false),
        (layers: 2, batchFirst: false, state: true, bidirectional: false, bias: true),
        (layers: 1, batchFirst: false, state: true, bidirectional: true, bias: true),
        (layers: 2, batchFirst: true, state: true, bidirectional: true, bias: true),
        (layers: 2, batchFirst: false, state: false, bidirectional: true, bias: true),
    ])
    func gruGradcheck(_ c: (layers: Int, batchFirst: Bool, state: Bool, bidirectional: Bool, bias: Bool)) {
        let T = 4, N = 3, I = 3, H = 4, D = c.bidirectional ? 2 : 1
        let w = patternWeights(gates: 3, input: I, hidden: H, layers: c.layers, directions: D, bias: c.bias)
        let x = pattern(c.batchFirst ? [N, T, I] : [T, N, I], 20, requiresGrad: true)
        let state = c.state ? [pattern([c.layers * D, N, H], 21, requiresGrad: true)] : []
        let inputs = [x] + state + w.flatMap(\.tensors)
        let failures = gradcheck(inputs) { xs in
            let (y, h) = F.gru(xs[0], h0: c.state ? xs[1] : nil, weights: regroup(xs[(c.state ? 2 : 1)...], bias: c.bias),
                               numLayers: c.layers, batchFirst: c.batchFirst, bidirectional: c.bidirectional)
            return weightedSum(y) + weightedSum(h, seed: 8)
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test func gruCellGradcheck() {
        let w = patternWeights(gates: 3, input: 3, hidden: 4, layers: 1, directions: 1)[0]
        let inputs = [pattern([3, 3], 20, requiresGrad: true), pattern([3, 4], 21, requiresGrad: true)] + w.tensors
        let failures = gradcheck(inputs) { xs in
            weightedSum(F.gruCell(xs[0], h: xs[1], weights: regroup(xs[2...], bias: true)[0]))
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    // MARK: consistency

    /// A one-step sequence is exactly one cell step, forward and backward.
    @Test func lstmWithOneStepEqualsLstmCell() {
        let w = patternWeights(gates: 4, input: 3, hidden: 4, layers: 1, directions: 1)
        let x = pattern([2, 3], 20, requiresGrad: true)
        let h0 = pattern([2, 4], 21, requiresGrad: true), c0 = pattern([2, 4], 22, requiresGrad: true)
        let (y, hN, cN) = F.lstm(x.reshape([1, 2, 3]), h0: h0.reshape([1, 2, 4]), c0: c0.reshape([1, 2, 4]),
                                 weights: w, numLayers: 1)
        (weightedSum(y) + weightedSum(cN, seed: 8)).backward()
        let seqGrads = [x, h0, c0, w[0].weightIh, w[0].weightHh, w[0].biasIh!].map { $0.grad!.data }
        for t in [x, h0, c0] + w[0].tensors { t.grad = nil }
        let (h, c) = F.lstmCell(x, h: h0, c: c0, weights: w[0])
        #expect(y.data == h.data && hN.data == h.data && cN.data == c.data)
        (weightedSum(h.reshape([1, 2, 4])) + weightedSum(c.reshape([1, 2, 4]), seed: 8)).backward()
        let cellGrads = [x, h0, c0, w[0].weightIh, w[0].weightHh, w[0].biasIh!].map { $0.grad!.data }
        for (a, b) in zip(seqGrads, cellGrads) {
            #expect(closeness(a, b, atol: 1e-6, rtol: 1e-5).passed)
        }
    }

    @Test func gruWithOneStepEqualsGruCell() {
        let w = patternWeights(gates: 3, input: 3, hidden: 4, layers: 1, directions: 1)
        let x = pattern([2, 3], 20), h0 = pattern([2, 4], 21)
        let (y, hN) = F.gru(x.reshape([1, 2, 3]), h0: h0.reshape([1, 2, 4]), weights: w, numLayers: 1)
        let h = F.gruCell(x, h: h0, weights: w[0])
        #expect(y.data == h.data && hN.data == h.data)
    }

    /// The vectorised activations against libm over [-30, 30], with NaN propagated: an LSTM cell with
    /// I = H = 1 and c = 0 whose saturated gates make c' = tanh(x) (only g sees x) or c' = σ(x)
    /// (only i sees x).
    @Test func gateActivationsMatchLibm() {
        let xs = stride(from: -30.0, through: 30.0, by: 0.0173).map { Float($0) } + [0, 1e-30, -1e-20, .nan]
        let x = Tensor(shape: [xs.count, 1], data: xs), zero = Tensor.zeros([xs.count, 1])
        func cell(wIh: [Float], bias: [Float]) -> Tensor {
            F.lstmCell(x, h: zero, c: zero, weights: RecurrentLayerWeights(
                weightIh: Tensor(shape: [4, 1], data: wIh), weightHh: Tensor.zeros([4, 1]),
                biasIh: Tensor(bias), biasHh: Tensor.zeros([4]))).c
        }
        let tanhC = cell(wIh: [0, 0, 1, 0], bias: [100, 0, 0, 100])   // i = σ(100) = 1
        let sigmoidC = cell(wIh: [1, 0, 0, 0], bias: [0, 0, 100, 100])   // g = tanh(100) = 1
        let expectTanh = xs.map { Float(tanh(Double($0))) }, expectSigmoid = xs.map { Float(1 / (1 + exp(-Double($0)))) }
        let t = closeness(tanhC.data, expectTanh, atol: 2e-7, rtol: 2e-6)
        let s = closeness(sigmoidC.data, expectSigmoid, atol: 2e-7, rtol: 2e-6)
        #expect(t.passed, "tanh: \(t)")
        #expect(s.passed, "sigmoid: \(s)")
        #expect(tanhC.data.last!.isNaN && sigmoidC.data.last!.isNaN)
    }
}
