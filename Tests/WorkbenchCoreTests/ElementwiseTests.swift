// Broadcasting arithmetic, unary math and activations: values and gradients.
import Testing
import WorkbenchTesting

@Suite struct ElementwiseTests {
    var g = Generator(seed: 1)

    @Test func broadcastShapesFollowPyTorch() {
        #expect(broadcastShapes([3, 1, 5], [4, 1]) == [3, 4, 5])
        #expect(broadcastShapes([], [2, 3]) == [2, 3])
        #expect(broadcastShapes([2, 3], [3]) == [2, 3])
    }

    @Test func broadcastValues() {
        let a = Tensor(shape: [2, 1, 3], data: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [2, 1], data: [10, 20])
        let c = a + b   // [2, 2, 3]
        #expect(c.shape == [2, 2, 3])
        #expect(c.data == [11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26])
        #expect((a - b).data[3] == -19)
        let m = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]) * Tensor([1, 0, -1])
        #expect(m.data == [1, 0, -3, 4, 0, -6])
    }

    @Test mutating func broadcastGradientsSumBack() {
        let a = Tensor.normal([3, 1, 5], generator: &g).requiringGrad()
        let b = Tensor.uniform([4, 1], low: 0.5, high: 2, generator: &g).requiringGrad()
        for op in [{ (x: Tensor, y: Tensor) in x + y }, { $0 - $1 }, { $0 * $1 }, { $0 / $1 },
                   { Tensor.maximum($0, $1) }] {
            let failures = gradcheck([a, b]) { xs in weightedSum(op(xs[0], xs[1])) }
            #expect(failures.isEmpty, "\(failures)")
        }
    }

    @Test mutating func unaryGradients() {
        let x = Tensor.uniform([3, 4], low: 0.3, high: 2, generator: &g).requiringGrad()
        let ops: [(String, (Tensor) -> Tensor)] = [
            ("exp", { $0.exp() }), ("log", { $0.log() }), ("sqrt", { $0.sqrt() }), ("pow", { $0.pow(2.5) }),
            ("abs", { ($0 - 1).abs() }), ("neg", { -$0 }),
            ("scale", { $0 * 3 + 1 }), ("relu", { F.relu($0 - 1) }), ("leaky", { F.leakyRelu($0 - 1, negativeSlope: 0.2) }),
            ("tanh", { F.tanh($0 - 1) }), ("sigmoid", { F.sigmoid($0 - 1) }), ("expand", { $0.reshape([3, 1, 4]).expand([3, 2, 4]) }),
        ]
        for (name, op) in ops {
            let failures = gradcheck([x]) { xs in weightedSum(op(xs[0])) }
            #expect(failures.isEmpty, "\(name): \(failures)")
        }
    }

    @Test func clampPassesGradientInsideOnly() {
        let x = Tensor([0.5, 1.0, 1.2, 1.9], requiresGrad: true)
        let y = x.clamp(min: 0.8, max: 1.5)
        #expect(y.data == [0.8, 1.0, 1.2, 1.5])
        y.sum().backward()
        #expect(x.grad!.data == [0, 1, 1, 0])
    }

    /// The 8-lane kernels over a length with a tail: values, masks from the output, and ReLU's
    /// true zero for -inf and NaN (0 * x would give NaN).
    @Test func reluAndLeakyReluVectorLanes() {
        let values: [Float] = [-2, -0.5, 0, 0.5, 2, -.infinity, .nan, 3, -1, 1e-30, -1e-30, 4, -4]
        let x = Tensor(values, requiresGrad: true)
        let y = F.relu(x)
        #expect(y.data == values.map { $0 > 0 ? $0 : 0 })
        let g = Tensor((0..<values.count).map { Float($0) + 1 })
        y.backward(g)
        #expect(x.grad!.data == zip(values, g.data).map { $0 > 0 ? $1 : 0 })
        let x2 = Tensor(values, requiresGrad: true)
        let y2 = F.leakyRelu(x2, negativeSlope: 0.25)
        #expect(y2.data.enumerated().allSatisfy { i, v in
            let e = values[i] > 0 ? values[i] : 0.25 * values[i]
            return v == e || (v.isNaN && e.isNaN)
        })
        y2.backward(g)
        #expect(x2.grad!.data == zip(values, g.data).map { $0 > 0 ? $1 : 0.25 * $1 })
    }

    @Test func activationValues() {
        let x = Tensor([-2, -0.5, 0, 0.5, 2])
        #expect(F.relu(x).data == [0, 0, 0, 0.5, 2])
        #expect(F.leakyRelu(x, negativeSlope: 0.1).data == [-0.2, -0.05, 0, 0.5, 2])
        // torch.sigmoid(torch.tensor([-2., -0.5, 0., 0.5, 2.]))
        #expect(closeness(F.sigmoid(x).data, [0.1192029, 0.3775407, 0.5, 0.6224593, 0.8807971], atol: 1e-6, rtol: 0).passed)
        // torch.tanh(...)
        #expect(closeness(F.tanh(x).data, [-0.9640276, -0.4621172, 0, 0.4621172, 0.9640276], atol: 1e-6, rtol: 0).passed)
        #expect(F.sigmoid(Tensor([-1000, 1000])).data == [0, 1])
    }

    @Test func dropoutWithMaskScalesKeptUnits() {
        let x = Tensor([1, 2, 3, 4], requiresGrad: true)
        let y = F.dropout(x, mask: Tensor([1, 0, 1, 0]), p: 0.5)
        #expect(y.data == [2, 0, 6, 0])
        y.sum().backward()
        #expect(x.grad!.data == [2, 0, 2, 0])
    }

    @Test func dropoutIsSeededAndIdentityInEval() {
        var g1 = Generator(seed: 5), g2 = Generator(seed: 5)
        let x = Tensor.ones([1000])
        let a = F.dropout(x, p: 0.3, training: true, generator: &g1)
        let b = F.dropout(x, p: 0.3, training: true, generator: &g2)
        #expect(a.data == b.data)
        let kept = a.data.filter { $0 != 0 }.count
        #expect(kept > 620 && kept < 780)
        #expect(F.dropout(x, p: 0.3, training: false, generator: &g1) === x)
    }

    @Test func embeddingGathersRowsAndAccumulates() {
        let w = Tensor(shape: [4, 2], data: [0, 1, 10, 11, 20, 21, 30, 31], requiresGrad: true)
        let idx = IndexTensor(shape: [2, 2], data: [1, 3, 1, 0])
        let y = F.embedding(idx, weight: w, paddingIdx: 0)
        #expect(y.shape == [2, 2, 2])
        #expect(y.data == [10, 11, 30, 31, 10, 11, 0, 1])
        y.sum().backward()
        #expect(w.grad!.data == [0, 0, 2, 2, 0, 0, 1, 1])
    }
}

@Suite struct LookupGradcheckTests {
    @Test func embeddingGradcheck() {
        var g = Generator(seed: 21)
        let w = Tensor.normal([7, 3], generator: &g).requiringGrad()
        let idx = IndexTensor(shape: [2, 3], data: [1, 4, 1, 6, 0, 4])
        // No padding_idx here: PyTorch deliberately gives the padding row no gradient, which a
        // finite difference cannot see (embeddingGathersRowsAndAccumulates covers that rule).
        #expect(gradcheck([w]) { weightedSum(F.embedding(idx, weight: $0[0])) }.isEmpty)
    }

    @Test func dropoutGradcheck() {
        var g = Generator(seed: 22)
        let x = Tensor.normal([4, 5], generator: &g).requiringGrad()
        let mask = Tensor.bernoulli([4, 5], p: 0.6, generator: &g)
        #expect(gradcheck([x]) { weightedSum(F.dropout($0[0], mask: mask, p: 0.4)) }.isEmpty)
    }
}
