// Batch norm and local response norm: PyTorch values, running statistics and gradients.
import Testing
import WorkbenchTesting

/// 24 fixed values shared with the PyTorch calls quoted below.
private let xValues: [Float] = [0.5, -1.2, 2.0, 0.3, 1.1, -0.4, 0.9, 1.7, -2.2, 0.6, 0.0, 1.4,
                                -0.7, 2.5, 0.8, -1.9, 1.3, 0.2, -0.5, 0.4, 3.0, -1.0, 0.1, 0.7]

@Suite struct NormTests {
    @Test func batchNormTrainingMatchesPyTorchAndUpdatesRunningStats() {
        // x = tensor(xValues).reshape(3, 2, 4); rm = [0.5, -0.2]; rv = [1.5, 0.8]
        // F.batch_norm(x, rm, rv, weight=[1.5, -0.7], bias=[0.2, 0.3], training=True, momentum=0.1, eps=1e-5)
        let x = Tensor(shape: [3, 2, 4], data: xValues)
        let rm = Tensor([0.5, -0.2]), rv = Tensor([1.5, 0.8])
        let y = F.batchNorm(x, runningMean: rm, runningVar: rv, weight: Tensor([1.5, -0.7]), bias: Tensor([0.2, 0.3]),
                            training: true, momentum: 0.1)
        #expect(allClose(rm, Tensor([0.47333332896232605, -0.12333332002162933])))
        #expect(allClose(rv, Tensor([1.4811514616012573, 0.9264242053031921])))
        let expected: [Float] = [
            0.564809262752533, -1.7608495950698853, 2.61686110496521, 0.2912023365497589,
            0.028600210323929787, 0.7919121384620667, 0.13037514686584473, -0.27672454714775085,
            -3.1288843154907227, 0.7016127109527588, -0.11920805275440216, 1.796040415763855,
            0.9445744752883911, -0.6838241815567017, 0.18126259744167328, 1.5552239418029785,
            1.6592369079589844, 0.1543988734483719, -0.8032253384590149, 0.42800578474998474,
            -0.9382615089416504, 1.0972368717193604, 0.5374748110771179, 0.23215006291866302]
        #expect(allClose(y, Tensor(shape: [3, 2, 4], data: expected)))
    }

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

    @Test(arguments: [
        // F.local_response_norm(tensor(xValues[:15]).reshape(1, 5, 3), size, alpha=0.5, beta=0.75, k=1.0)
        (2, [0.47777488827705383, -0.9528555274009705, 1.1892070770263672, 0.28219476342201233, 0.7513139843940735,
             -0.23433512449264526, 0.7729305028915405, 1.001452088356018, -1.19752836227417, 0.4949693977832794, 0.0,
             0.6646686792373657, -0.6058104038238525, 1.234360694885254, 0.5495117902755737] as [Float]),
        (3, [0.47975167632102966, -0.9120792746543884, 1.347327470779419, 0.26302996277809143, 0.6735219359397888,
             -0.20118935406208038, 0.780105710029602, 1.1503269672393799, -1.2347595691680908, 0.49956631660461426, 0.0,
             0.7646135687828064, -0.6337873339653015, 1.4636976718902588, 0.610702395439148]),
        (4, [0.4846329689025879, -0.9682478904724121, 1.460990309715271, 0.27125200629234314, 0.7413037419319153,
             -0.22726932168006897, 0.7905412912368774, 1.1456512212753296, -1.1517585515975952, 0.517267644405365, 0.0,
             0.848402738571167, -0.6076908707618713, 1.4117226600646973, 0.4885646104812622]),
    ])
    func localResponseNormMatchesPyTorch(size: Int, expected: [Float]) {
        let x = Tensor(shape: [1, 5, 3], data: Array(xValues.prefix(15)))
        let y = F.localResponseNorm(x, size: size, alpha: 0.5, beta: 0.75, k: 1)
        #expect(allClose(y, Tensor(shape: [1, 5, 3], data: expected)))
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
