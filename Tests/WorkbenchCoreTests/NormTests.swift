// Batch norm and local response norm: PyTorch values, running statistics and gradients. Training-mode
// batch norm with running statistics on [N, C, L] and local response norm are also op fixtures
// (OpFixtureTests: Tests/Fixtures/ops/batch_norm1d_ncl_train, local_response_norm_*).
import Testing
import WorkbenchTesting

/// 24 fixed values shared with the PyTorch calls quoted below.
private let xValues: [Float] = [0.5, -1.2, 2.0, 0.3, 1.1, -0.4, 0.9, 1.7, -2.2, 0.6, 0.0, 1.4,
                                -0.7, 2.5, 0.8, -1.9, 1.3, 0.2, -0.5, 0.4, 3.0, -1.0, 0.1, 0.7]

@Suite struct NormTests {
    @Test func batchNorm2dRunningStatsWithoutAffine() {
        // F.batch_norm(x.reshape(2, 2, 3, 2), zeros(2), ones(2), None, None, training=True, momentum=0.3)
        let x = Tensor(shape: [2, 2, 3, 2], data: xValues)
        let rm = Tensor.zeros([2]), rv = Tensor.ones([2])
        let y = F.batchNorm(x, runningMean: rm, runningVar: rv, weight: nil, bias: nil, training: true, momentum: 0.3)
        #expect(allClose(rm, Tensor([0.11250000447034836, 0.1275000125169754])))
        #expect(allClose(rv, Tensor([1.1958863735198975, 1.2346136569976807])))
        #expect(allClose(y.reshape([-1]).narrow(0, start: 0, length: 6), Tensor(
            [0.10154825448989868, -1.2795078754425049, 1.3201271295547485, -0.06092891842126846, 0.5889798402786255, -0.6295990943908691])))
    }

    @Test func batchNormEvalUsesRunningStats() {
        // F.batch_norm(x.reshape(2, 2, 3, 2), [0.5, -0.2], [1.5, 0.8], [1.5, -0.7], [0.2, 0.3], training=False)
        let x = Tensor(shape: [2, 2, 3, 2], data: xValues)
        let rm = Tensor([0.5, -0.2]), rv = Tensor([1.5, 0.8])
        let y = F.batchNorm(x, runningMean: rm, runningVar: rv, weight: Tensor([1.5, -0.7]), bias: Tensor([0.2, 0.3]),
                            training: false)
        #expect(allClose(y.reshape([-1]).narrow(0, start: 0, length: 6), Tensor(
            [0.19999998807907104, -1.8820593357086182, 2.0371110439300537, -0.04494814574718475, 0.934844434261322, -0.9022666811943054])))
        #expect(rm.data == [0.5, -0.2] && rv.data == [1.5, 0.8])
    }

    /// The fused node gives bit-identical values, running stats and gradients to batch_norm then
    /// relu (row lengths with SIMD tails, and a size large enough for the two-core split).
    @Test(arguments: [[5, 3], [3, 2, 21], [2, 3, 5, 5], [4, 8, 40, 40]], [true, false])
    func batchNormReLUMatchesUnfused(shape: [Int], training: Bool) {
        var g = Generator(seed: 11)
        let c = shape[1]
        let x = Tensor.normal(shape, generator: &g)
        let w = Tensor.uniform([c], low: -1, high: 1.5, generator: &g), b = Tensor.normal([c], generator: &g)
        let seed = Tensor.normal(shape, generator: &g)
        func run(_ fused: Bool) -> (y: Tensor, stats: [Float], grads: [Tensor?]) {
            let (xi, wi, bi) = (x.clone().requiringGrad(), w.clone().requiringGrad(), b.clone().requiringGrad())
            let rm = Tensor.full([c], 0.3), rv = Tensor.full([c], 1.2)
            let y = fused
                ? F.batchNormReLU(xi, runningMean: rm, runningVar: rv, weight: wi, bias: bi, training: training)
                : F.relu(F.batchNorm(xi, runningMean: rm, runningVar: rv, weight: wi, bias: bi, training: training))
            y.backward(seed)
            return (y, rm.data + rv.data, [xi.grad, wi.grad, bi.grad])
        }
        let (fused, plain) = (run(true), run(false))
        #expect(fused.y.data == plain.y.data)
        #expect(fused.stats == plain.stats)
        for (a, e) in zip(fused.grads, plain.grads) { #expect(a?.data == e?.data) }
        #expect(fused.y.data.allSatisfy { $0 >= 0 })
    }

    @Test(arguments: [[4, 3], [3, 2, 5], [2, 3, 3, 2]], [true, false])
    func gradcheckBatchNormTraining(shape: [Int], affine: Bool) {
        var g = Generator(seed: 5)
        let c = shape[1]
        let x = Tensor.normal(shape, generator: &g).requiringGrad()
        let w = Tensor.uniform([c], low: 0.5, high: 1.5, generator: &g).requiringGrad()
        let b = Tensor.normal([c], generator: &g).requiringGrad()
        let inputs = affine ? [x, w, b] : [x]
        let failures = gradcheck(inputs) { xs in
            weightedSum(F.batchNorm(xs[0], runningMean: nil, runningVar: nil, weight: affine ? xs[1] : nil,
                                    bias: affine ? xs[2] : nil, training: true))
        }
        #expect(failures == [])
    }

    @Test func gradcheckBatchNormEval() {
        var g = Generator(seed: 6)
        let x = Tensor.normal([3, 4, 2, 3], generator: &g).requiringGrad()
        let w = Tensor.uniform([4], low: 0.5, high: 1.5, generator: &g).requiringGrad()
        let b = Tensor.normal([4], generator: &g).requiringGrad()
        let rm = Tensor.normal([4], generator: &g), rv = Tensor.uniform([4], low: 0.5, high: 2, generator: &g)
        let failures = gradcheck([x, w, b]) { xs in
            weightedSum(F.batchNorm(xs[0], runningMean: rm, runningVar: rv, weight: xs[1], bias: xs[2], training: false))
        }
        #expect(failures == [])
    }

    @Test func batchNormTrainingRunningStatsSeeOnlyTheForward() {
        // Running stats are buffers: the backward must leave them alone, and they get no grad.
        let x = Tensor(shape: [3, 2, 4], data: xValues, requiresGrad: true)
        let rm = Tensor.zeros([2]), rv = Tensor.ones([2])
        let y = F.batchNorm(x, runningMean: rm, runningVar: rv, weight: nil, bias: nil, training: true)
        let saved = (rm.data, rv.data)
        weightedSum(y).backward()
        #expect(rm.data == saved.0 && rv.data == saved.1 && rm.grad == nil)
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func gradcheckLocalResponseNorm(size: Int) {
        var g = Generator(seed: 9)
        // A large alpha makes the cross-channel term as big as the direct one, so a wrong window fails.
        let x = Tensor.normal([2, 6, 2, 3], generator: &g).requiringGrad()
        let failures = gradcheck([x]) { weightedSum(F.localResponseNorm($0[0], size: size, alpha: 0.8, beta: 0.75, k: 1)) }
        #expect(failures == [])
    }
}
