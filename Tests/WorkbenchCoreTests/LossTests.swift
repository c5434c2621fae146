// Losses: PyTorch values, ignore_index / label smoothing / class weights, reductions, gradients
// and numerically hard inputs.
import Testing
import WorkbenchTesting

/// Logits [3, 4].
private func logits() -> Tensor {
    Tensor(shape: [3, 4], data: [1.0, 2.0, 0.5, -1.0, 0.3, -0.2, 2.2, 0.0, -1.5, 0.4, 0.4, 1.8], requiresGrad: true)
}
private var classWeights: Tensor { Tensor([0.5, 2.0, 1.0, 1.5]) }

@Suite struct LossTests {
    // MARK: cross entropy and nll, against PyTorch

    /// Tests/Fixtures/literals/cross_entropy_none (the verifier's loss ops are scalars).
    @Test func crossEntropyReductionNoneMatchesPyTorch() throws {
        let f = try LiteralFixture("cross_entropy_none")
        let x = try f.tensor("input.x").requiringGrad()
        let y = F.crossEntropy(x, target: try f.indices("input.target"), reduction: .none)
        (y * (try f.tensor("upstream.y"))).sum().backward()
        #expect(try f.mismatch("expect.output.y", y) == nil)
        #expect(try f.mismatch("expect.grad.input.x", x.grad!) == nil)
    }

    // Against PyTorch with forward and gradients, the op fixtures (OpFixtureTests): ops/cross_entropy
    // (mean), cross_entropy_smooth0.2_ignore-100, cross_entropy_weight_smooth0.1, cross_entropy_kdim_smooth0.1,
    // nll_loss_weight_ignore0 and the other cross_entropy_* / nll_loss_* files.

    @Test func nllLossWeightsAndIgnoreIndexByHand() {
        // Targets [1, 0, 3] with class 0 ignored: -(w1 * z[0, 1] + w3 * z[2, 3]) / (w1 + w3).
        let loss = F.nllLoss(logits(), target: IndexTensor([1, 0, 3]), weight: classWeights, ignoreIndex: 0)
        #expect(allClose(loss, Tensor(-(2.0 * 2.0 + 1.5 * 1.8) / (2.0 + 1.5))))
    }

    @Test func crossEntropyEqualsNllOfLogSoftmax() {
        var g = Generator(seed: 2)
        let z = Tensor.normal([4, 5, 3], generator: &g)
        let t = IndexTensor(shape: [4, 3], data: [0, 4, 2, 1, 1, 3, -100, 2, 0, 4, 4, 1])
        let w = Tensor([0.5, 2.0, 1.0, 1.5, 0.8])
        for r in [Reduction.none, .sum, .mean] {
            let a = F.crossEntropy(z, target: t, weight: w, reduction: r)
            let b = F.nllLoss(F.logSoftmax(z, dim: 1), target: t, weight: w, reduction: r)
            #expect(allClose(a, b))
        }
    }

    // MARK: gradchecks of every variant

    @Test(arguments: [Reduction.none, .sum, .mean], [Float(0), 0.3])
    func gradcheckCrossEntropy(reduction: Reduction, smoothing: Float) {
        var g = Generator(seed: 4)
        let z = Tensor.normal([5, 4], generator: &g).requiringGrad()
        let t = IndexTensor([3, -100, 0, 2, 1])
        for w in [nil, classWeights] {
            let failures = gradcheck([z]) { xs in
                weightedSum(F.crossEntropy(xs[0], target: t, weight: w, labelSmoothing: smoothing, reduction: reduction))
            }
            #expect(failures == [])
        }
    }

    @Test(arguments: [Reduction.none, .mean])
    func gradcheckCrossEntropyKDim(reduction: Reduction) {
        var g = Generator(seed: 8)
        let z = Tensor.normal([2, 4, 3, 2], generator: &g).requiringGrad()
        // ignore_index 1 is a real class id: its positions must be masked, not scored.
        let t = IndexTensor(shape: [2, 3, 2], data: [0, 3, 1, 2, 2, 0, 1, 3, 3, 0, 2, 1])
        let failures = gradcheck([z]) { xs in
            weightedSum(F.crossEntropy(xs[0], target: t, weight: classWeights, ignoreIndex: 1, labelSmoothing: 0.2,
                                       reduction: reduction))
        }
        #expect(failures == [])
    }

    @Test(arguments: [Reduction.none, .sum, .mean])
    func gradcheckNllLoss(reduction: Reduction) {
        var g = Generator(seed: 10)
        let z = Tensor.normal([3, 4, 2], generator: &g).requiringGrad()
        let t = IndexTensor(shape: [3, 2], data: [0, 3, -100, 2, 1, 1])
        for w in [nil, classWeights] {
            let failures = gradcheck([z]) { weightedSum(F.nllLoss($0[0], target: t, weight: w, reduction: reduction)) }
            #expect(failures == [])
        }
    }

    @Test(arguments: [Reduction.none, .sum, .mean])
    func gradcheckBinaryCrossEntropyWithLogits(reduction: Reduction) {
        var g = Generator(seed: 12)
        let x = Tensor.normal([3, 4], std: 2, generator: &g).requiringGrad()
        let y = Tensor.uniform([3, 4], generator: &g).requiringGrad()
        for pw in [nil, Tensor([0.5, 2.0, 1.0, 3.0])] {
            let failures = gradcheck([x, y]) { xs in
                weightedSum(F.binaryCrossEntropyWithLogits(xs[0], target: xs[1], posWeight: pw, reduction: reduction))
            }
            #expect(failures == [])
        }
    }

    /// Differences d = input - target with every |d| far (> 0.1) from the branch points 0.5 and 1.5,
    /// so central differences stay inside one branch and both branches are exercised.
    private func regressionPair() -> (Tensor, Tensor) {
        let target = Tensor(shape: [2, 4], data: [0.0, 0.5, 1.0, -0.1, 0.3, -0.7, 2.0, 0.0])
        let d: [Float] = [0.2, -1.0, 3.0, 0.3, -0.25, 1.8, -2.4, 1.1]
        let input = Tensor(shape: [2, 4], data: zip(target.data, d).map { $0 + $1 }, requiresGrad: true)
        return (input, target.requiringGrad())
    }

    @Test(arguments: [Reduction.none, .sum, .mean])
    func gradcheckRegressionLosses(reduction: Reduction) {
        let (x, y) = regressionPair()
        #expect(gradcheck([x, y]) { weightedSum(F.mseLoss($0[0], target: $0[1], reduction: reduction)) } == [])
        #expect(gradcheck([x, y]) { weightedSum(F.smoothL1Loss($0[0], target: $0[1], reduction: reduction, beta: 0.5)) } == [])
        #expect(gradcheck([x, y]) { weightedSum(F.huberLoss($0[0], target: $0[1], reduction: reduction, delta: 1.5)) } == [])
    }

    @Test func regressionLossesMatchPyTorch() {
        // xi = [0.2, -1.5, 3.0, 0.05], ti = [0.0, 0.5, 1.0, -0.1]:
        // F.smooth_l1_loss(xi, ti, beta=0.5), F.huber_loss(xi, ti, delta=1.5), F.mse_loss(xi, ti)
        let x = Tensor([0.2, -1.5, 3.0, 0.05]), t = Tensor([0.0, 0.5, 1.0, -0.1])
        #expect(allClose(F.smoothL1Loss(x, target: t, beta: 0.5), Tensor(0.890625)))
        #expect(allClose(F.huberLoss(x, target: t, delta: 1.5), Tensor(0.9453125)))
        #expect(allClose(F.mseLoss(x, target: t), Tensor(2.015625)))
        // Both branches by hand: 0.5*0.2^2/0.5 = 0.04 inside, |2.0| - 0.25 = 1.75 outside.
        #expect(allClose(F.smoothL1Loss(x, target: t, reduction: .none, beta: 0.5), Tensor([0.04, 1.75, 1.75, 0.0225])))
        #expect(allClose(F.huberLoss(x, target: t, reduction: .sum, delta: 1.5), Tensor(0.02 + 1.875 + 1.875 + 0.01125)))
    }

    // MARK: numerically hard cases

    @Test func bceWithLogitsExtremeLogitsMatchPyTorch() {
        // F.binary_cross_entropy_with_logits(xb, yb) and with pos_weight=tensor([2.0])
        let x = Tensor([-100, 100, 0.5, -2, 3, 100], requiresGrad: true)
        let y = Tensor([1, 0, 0.3, 1, 0, 1])
        let loss = F.binaryCrossEntropyWithLogits(x, target: y)
        #expect(allClose(loss, Tensor(34.3332633972168)))
        #expect(allClose(F.binaryCrossEntropyWithLogits(x, target: y, posWeight: Tensor([2])), Tensor(51.37812423706055)))
        loss.backward()
        // d/dx = (sigmoid(x) - y) / 6: exactly -1/6 and 1/6 at the saturated ±100 entries.
        #expect(x.grad!.data.allSatisfy { $0.isFinite })
        #expect(allClose(Tensor([x.grad!.data[0], x.grad!.data[1], x.grad!.data[5]]), Tensor([-1.0 / 6, 1.0 / 6, 0])))
    }

    @Test func crossEntropyWithLogitsFiftyApartIsFinite() {
        let z = Tensor(shape: [2, 3], data: [50, 0, -50, -50, 50, 0], requiresGrad: true)
        let loss = F.crossEntropy(z, target: IndexTensor([2, 1]), reduction: .sum)
        loss.backward()
        // Row 0: lse = 50 + log(1 + e^-50 + e^-100) = 50 (in Float), so -log p_2 = 100; row 1: 0.
        #expect(allClose(loss, Tensor(100)))
        #expect(allClose(z.grad!, Tensor(shape: [2, 3], data: [1, 0, -1, 0, 0, 0])))
        let smoothed = F.crossEntropy(z, target: IndexTensor([2, 1]), labelSmoothing: 0.1)
        #expect(smoothed.item().isFinite)
    }

    @Test func outOfRangeTargetIsRejected() async {
        await #expect(processExitsWith: .failure) {
            _ = F.crossEntropy(Tensor.zeros([2, 3]), target: IndexTensor([0, 3]))
        }
        await #expect(processExitsWith: .failure) {
            _ = F.nllLoss(Tensor.zeros([2, 3]), target: IndexTensor([-1, 0]))
        }
    }
}
