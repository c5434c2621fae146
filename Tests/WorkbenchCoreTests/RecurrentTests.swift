// LSTM / GRU ops: values against PyTorch, finite-difference gradient checks, cell consistency.
import Foundation
import Testing
import WorkbenchTesting

/// Deterministic test values that PyTorch reproduces exactly:
/// `torch.tensor((np.sin(0.37 * np.arange(n) + seed) * 0.5).astype(np.float32)).reshape(shape)`.
private func pattern(_ shape: [Int], _ seed: Double, requiresGrad: Bool = false) -> Tensor {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, data: (0..<n).map { Float(sin(0.37 * Double($0) + seed) * 0.5) },
                  requiresGrad: requiresGrad)
}

/// Layer-directions in PyTorch's parameter order, each filled with `pattern` from consecutive seeds
/// starting at 1 (weight_ih, weight_hh, bias_ih, bias_hh), as `setw` does in the reference script.
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

private func expectClose(_ t: Tensor, _ expected: [Float], shape: [Int], atol: Float = 1e-5, rtol: Float = 1e-4,
                         _ what: String) {
    #expect(t.shape == shape, "\(what) shape")
    let c = closeness(t.data, expected, atol: atol, rtol: rtol)
    #expect(c.passed, "\(what): \(c)")
}

// Serialized: gradcheck toggles the process-wide GradMode, which parallel test cases would see.
@Suite(.serialized) struct RecurrentTests {
    // MARK: values against PyTorch (torch 2.x, CPU). `pat` is the formula in `pattern`; `setw(m, 1)` copies
    // pat(p.shape, 1), pat(p.shape, 2), ... into `m.named_parameters()` in order; x = pat(shape, 20),
    // h0 = pat(shape, 21), c0 = pat(shape, 22); upstream weights pat(.., 30 / 31 / 32). Values printed
    // with "%.7g".

    /// m = nn.LSTM(3, 2, num_layers=2, batch_first=True); y, (h, c) = m(x [2,3,3], (h0, c0));
    /// loss = (y*pat(y,30)).sum() + (h*pat(h,31)).sum() + (c*pat(c,32)).sum(); loss.backward().
    @Test func lstmTwoLayersBatchFirstMatchesPyTorch() {
        let w = patternWeights(gates: 4, input: 3, hidden: 2, layers: 2, directions: 1)
        let x = pattern([2, 3, 3], 20, requiresGrad: true)
        let h0 = pattern([2, 2, 2], 21, requiresGrad: true), c0 = pattern([2, 2, 2], 22, requiresGrad: true)
        let (y, h, c) = F.lstm(x, h0: h0, c0: c0, weights: w, numLayers: 2, batchFirst: true)
        expectClose(y, [-0.1174275, -0.09560859, -0.005683878, -0.04465815, 0.0798156, -0.01928313, -0.06831697,
                        0.004779647, 0.0435098, 0.008091327, 0.101496, -0.003181144], shape: [2, 3, 2], "y")
        expectClose(h, [-0.0978676, -0.1260034, -0.2098871, -0.09652989, 0.0798156, -0.01928313, 0.101496,
                        -0.003181144], shape: [2, 2, 2], "hN")
        expectClose(c, [-0.3474077, -0.3159803, -0.4579739, -0.2149308, 0.1798585, -0.0489506, 0.2372262,
                        -0.008175409], shape: [2, 2, 2], "cN")
        let loss = (y * pattern(y.shape, 30)).sum() + (h * pattern(h.shape, 31)).sum() + (c * pattern(c.shape, 32)).sum()
        loss.backward()
        expectClose(x.grad!, [0.005255854, 0.007329818, 0.008411726, -0.02381587, -0.0003792159, 0.02310877,
                              -0.05798654, -0.01914886, 0.02228054, -0.02519298, -0.01291401, 0.001112813,
                              -0.02905921, -0.01101216, 0.008525343, -0.1030209, -0.02580771, 0.05489843],
                    shape: [2, 3, 3], rtol: 1e-3, "dx")
        expectClose(h0.grad!, [-0.003529524, 0.001713941, -0.02438549, -0.01656455, -0.01911502, -0.007709266,
                               0.03280811, -0.07833525], shape: [2, 2, 2], rtol: 1e-3, "dh0")
        expectClose(c0.grad!, [0.002562598, 0.004171651, 0.04391277, 0.05826188, -0.02481657, -0.03568289,
                               0.3580186, 0.210627], shape: [2, 2, 2], rtol: 1e-3, "dc0")
        expectClose(w[0].weightHh.grad!, [0.02414343, 0.02643343, 0.02579908, 0.02291979, 0.0161579, 0.01346204,
                                          0.01186217, 0.01370609, -0.03851109, -0.04184361, -0.05771581,
                                          -0.05604667, 0.0116802, 0.01205773, 0.006495891, 0.008666856],
                    shape: [8, 2], rtol: 1e-3, "dweight_hh_l0")
        expectClose(w[1].biasIh!.grad!, [0.1185232, 0.02347596, -0.0784363, -0.0440346, 1.810538, 1.208692,
                                         0.09971318, 0.02532956], shape: [8], rtol: 1e-3, "dbias_ih_l1")
    }

    /// m = nn.LSTM(3, 2, bidirectional=True); y, (h, c) = m(x [3,2,3]).
    @Test func lstmBidirectionalMatchesPyTorch() {
        let w = patternWeights(gates: 4, input: 3, hidden: 2, layers: 1, directions: 2)
        let (y, h, c) = F.lstm(pattern([3, 2, 3], 20), weights: w, numLayers: 1, bidirectional: true)
        expectClose(y, [-0.2472318, -0.0662071, 0.1679005, -0.05861043, -0.1747853, -0.1022287, 0.1878984,
                        -0.006950798, -0.09601613, -0.1098849, 0.2362255, 0.1086803, -0.05791111, -0.1124429,
                        0.2438785, 0.08039495, -0.09625691, -0.1173525, 0.1308121, 0.06691421, -0.2112587,
                        -0.09434544, 0.03584071, -0.12525], shape: [3, 2, 4], "y")
        expectClose(h, [-0.09625691, -0.1173525, -0.2112587, -0.09434544, 0.1679005, -0.05861043, 0.1878984,
                        -0.006950798], shape: [2, 2, 2], "hN")
        expectClose(c, [-0.304753, -0.2972259, -0.459116, -0.2071788, 0.5837248, -0.1410772, 0.5995077,
                        -0.01914454], shape: [2, 2, 2], "cN")
    }

    /// m = nn.LSTMCell(3, 2); h, c = m(pat([2,3],20), (pat([2,2],21), pat([2,2],22))).
    @Test func lstmCellMatchesPyTorch() {
        let w = patternWeights(gates: 4, input: 3, hidden: 2, layers: 1, directions: 1)[0]
        let (h, c) = F.lstmCell(pattern([2, 3], 20), h: pattern([2, 2], 21), c: pattern([2, 2], 22), weights: w)
        expectClose(h, [-0.3072192, -0.1275853, -0.2180162, -0.1559813], shape: [2, 2], "h")
        expectClose(c, [-0.593727, -0.2236362, -0.5066081, -0.3226154], shape: [2, 2], "c")
    }

    /// m = nn.GRU(3, 2, num_layers=2, bidirectional=True); y, h = m(x [3,2,3], h0 [4,2,2]);
    /// loss = (y*pat(y,30)).sum() + (h*pat(h,31)).sum(); loss.backward().
    @Test func gruTwoLayersBidirectionalMatchesPyTorch() {
        let w = patternWeights(gates: 3, input: 3, hidden: 2, layers: 2, directions: 2)
        let x = pattern([3, 2, 3], 20, requiresGrad: true), h0 = pattern([4, 2, 2], 21, requiresGrad: true)
        let (y, h) = F.gru(x, h0: h0, weights: w, numLayers: 2, bidirectional: true)
        expectClose(y, [-0.350912, -0.003622949, -0.3392466, -0.5906692, -0.1948783, 0.2219756, -0.3385837,
                        -0.5969844, -0.2830788, 0.2060201, -0.3396413, -0.529817, -0.1752451, 0.349398, -0.3199075,
                        -0.5298117, -0.2097761, 0.4279744, -0.3261151, -0.3721639, -0.1171141, 0.6270111,
                        -0.1921176, -0.3517548], shape: [3, 2, 4], "y")
        expectClose(h, [-0.3578839, -0.4867885, -0.4963676, -0.2828868, 0.2037036, 0.01532966, 0.1794297,
                        0.07716691, -0.2097761, 0.4279744, -0.1171141, 0.6270111, -0.3392466, -0.5906692,
                        -0.3385837, -0.5969844], shape: [4, 2, 2], "hN")
        ((y * pattern(y.shape, 30)).sum() + (h * pattern(h.shape, 31)).sum()).backward()
        expectClose(x.grad!, [0.001318298, -0.02918768, -0.05574324, -0.02744606, -0.05439325, -0.07397859,
                              -0.05629997, -0.0745702, -0.08274769, -0.07689165, -0.1010247, -0.1114844,
                              -0.0339506, -0.06145826, -0.08064782, -0.005853113, 0.0270214, 0.05623869],
                    shape: [3, 2, 3], rtol: 1e-3, "dx")
        expectClose(h0.grad!, [0.004527027, 0.008133518, -0.002909329, 0.001392937, 0.1065492, 0.07395608,
                               0.07547882, 0.03972641, -0.1965014, -0.1724471, 0.003264319, 0.04963385,
                               -0.09805218, -0.03300337, 0.04295242, 0.04758254], shape: [4, 2, 2], rtol: 1e-3, "dh0")
        expectClose(w[1].weightHh.grad!, [0.001826599, 0.002321229, -0.0009535784, -0.0008205373, 0.03222416,
                                          0.04310233, 0.04600005, 0.05876579, -0.04349782, -0.06207563,
                                          -0.0145052, -0.02538081], shape: [6, 2], rtol: 1e-3, "dweight_hh_l0_reverse")
        expectClose(w[2].biasHh!.grad!, [-0.01779288, -0.02416166, 0.01677256, 0.0768749, -0.06741944, -0.120093],
                    shape: [6], rtol: 1e-3, "dbias_hh_l1")
    }

    /// m = nn.GRUCell(3, 2); h = m(pat([2,3],20), pat([2,2],21)).
    @Test func gruCellMatchesPyTorch() {
        let w = patternWeights(gates: 3, input: 3, hidden: 2, layers: 1, directions: 1)[0]
        let h = F.gruCell(pattern([2, 3], 20), h: pattern([2, 2], 21), weights: w)
        expectClose(h, [-0.5636724, -0.1798653, -0.4666129, -0.3353149], shape: [2, 2], "h")
    }

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
