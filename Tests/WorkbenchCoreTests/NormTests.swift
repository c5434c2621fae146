// Batch norm and local response norm: running statistics, the fused batch-norm-ReLU node and
// gradchecks. The values, gradients and running statistics against PyTorch are the op fixtures
// (OpFixtureTests: Tests/Fixtures/ops/batch_norm1d_*, batch_norm2d_*, local_response_norm_*).
import Testing
import WorkbenchTesting

/// 24 fixed values.
private let xValues: [Float] = [0.5, -1.2, 2.0, 0.3, 1.1, -0.4, 0.9, 1.7, -2.2, 0.6, 0.0, 1.4,
                                -0.7, 2.5, 0.8, -1.9, 1.3, 0.2, -0.5, 0.4, 3.0, -1.0, 0.1, 0.7]

@Suite struct NormTests {
    /// Eval mode reads the running statistics and leaves them alone (its values against PyTorch:
    /// ops/batch_norm2d_eval, batch_norm1d_nc_eval, unseen/batch_norm1d_ncl_eval).
    @Test func batchNormEvalLeavesRunningStatsAlone() {
        let x = Tensor(shape: [2, 2, 3, 2], data: xValues)
        let rm = Tensor([0.5, -0.2]), rv = Tensor([1.5, 0.8])
        let y = F.batchNorm(x, runningMean: rm, runningVar: rv, weight: Tensor([1.5, -0.7]), bias: Tensor([0.2, 0.3]),
                            training: false)
        // Element 0 is channel 0: (0.5 - 0.5) / sqrt(1.5 + 1e-5) * 1.5 + 0.2 = 0.2.
        #expect(abs(y.data[0] - 0.2) < 1e-6)
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
