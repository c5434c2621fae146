// Default initialisation of each module matches PyTorch's distributions, checked statistically on
// layers large enough that a wrong bound or fan is far outside the sampling error.
import Testing
import WorkbenchNN
import WorkbenchTesting

/// min, max, mean and variance of the values.
private func stats(_ t: Tensor) -> (min: Float, max: Float, mean: Double, variance: Double) {
    let n = Double(t.count)
    let mean = t.data.reduce(0.0) { $0 + Double($1) } / n
    let variance = t.data.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (t.data.min()!, t.data.max()!, mean, variance)
}

/// Expects uniform(-bound, bound): inside the bounds, reaching near both ends, and (for large
/// tensors) the mean and variance of that distribution.
private func expectUniform(_ t: Tensor, bound: Float, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let s = stats(t)
    #expect(s.min >= -bound && s.max <= bound, "\(what): values [\(s.min), \(s.max)] outside ±\(bound)", sourceLocation: sourceLocation)
    let reach: Float = t.count >= 1000 ? 0.99 : 0.8
    #expect(s.min < -reach * bound && s.max > reach * bound, "\(what): values [\(s.min), \(s.max)] do not fill ±\(bound)",
            sourceLocation: sourceLocation)
    if t.count >= 10_000 {
        let b = Double(bound)
        #expect(abs(s.mean) < 0.02 * b, "\(what): mean \(s.mean)", sourceLocation: sourceLocation)
        #expect(abs(s.variance / (b * b / 3) - 1) < 0.03, "\(what): variance \(s.variance), expected \(b * b / 3)",
                sourceLocation: sourceLocation)
    }
}

@Suite struct InitTests {
    @Test func linearIsKaimingUniformWithBias() {
        var g = Generator(seed: 11)
        let layer = Linear(1000, 300, generator: &g)
        // kaiming_uniform_(a=sqrt(5)) on fan_in 1000: gain sqrt(2/6), bound gain * sqrt(3/1000) = 1/sqrt(1000).
        expectUniform(layer.weight, bound: 1 / Float(1000).squareRoot(), "weight")
        expectUniform(layer.bias!, bound: 1 / Float(1000).squareRoot(), "bias")
        #expect(layer.weight.requiresGrad && layer.bias!.requiresGrad)
    }

    @Test func conv2dUsesInTimesKernelAsFanIn() {
        var g = Generator(seed: 12)
        let layer = Conv2d(64, 48, kernelSize: (3, 2), generator: &g)
        let bound = 1 / Float(64 * 3 * 2).squareRoot()
        expectUniform(layer.weight, bound: bound, "weight")
        expectUniform(layer.bias!, bound: bound, "bias")
    }

    @Test func convTransposeTakesFanInFromWeightDim1() {
        var g = Generator(seed: 13)
        // weight [in 64, out 32, 3, 3]: PyTorch's fan_in is dim 1 times the kernel, 32 * 9 = 288,
        // so the bound is 1/sqrt(288) ≈ 0.059, not 1/sqrt(64 * 9) = 0.042.
        let layer = ConvTranspose2d(64, 32, kernelSize: 3, generator: &g)
        let bound = 1 / Float(32 * 9).squareRoot()
        expectUniform(layer.weight, bound: bound, "weight")
        expectUniform(layer.bias!, bound: bound, "bias")
    }

    @Test func recurrentLayersAreUniformOverHidden() {
        var g = Generator(seed: 14)
        let bound = 1 / Float(100).squareRoot()
        let lstm = LSTM(20, 100, numLayers: 2, bidirectional: true, generator: &g)
        for (name, t) in lstm.namedParameters() { expectUniform(t, bound: bound, name) }
        let gru = GRU(30, 100, generator: &g)
        for (name, t) in gru.namedParameters() { expectUniform(t, bound: bound, name) }
        let cell = LSTMCell(30, 100, generator: &g)
        for (name, t) in cell.namedParameters() { expectUniform(t, bound: bound, name) }
    }

    @Test func embeddingIsStandardNormalWithZeroPaddingRow() {
        var g = Generator(seed: 15)
        let e = Embedding(2000, 50, paddingIdx: 3, generator: &g)
        let s = stats(e.weight)
        #expect(abs(s.mean) < 0.01 && abs(s.variance - 1) < 0.02, "mean \(s.mean), variance \(s.variance)")
        #expect(e.weight.data[(3 * 50)..<(4 * 50)].allSatisfy { $0 == 0 })
        #expect(e.weight.data[(2 * 50)..<(3 * 50)].allSatisfy { $0 != 0 })
        // A negative padding_idx counts from the end, as in PyTorch.
        let last = Embedding(10, 4, paddingIdx: -1, generator: &g)
        #expect(last.weight.data[36..<40].allSatisfy { $0 == 0 })
        #expect(last.weight.data[32..<36].allSatisfy { $0 != 0 })
    }

    @Test func batchNormStartsAtIdentity() {
        let bn = BatchNorm2d(7)
        #expect(bn.weight!.data == [Float](repeating: 1, count: 7) && bn.bias!.data == [Float](repeating: 0, count: 7))
        #expect(bn.runningMean.data == [Float](repeating: 0, count: 7) && bn.runningVar.data == [Float](repeating: 1, count: 7))
        #expect(bn.numBatchesTracked.data == [0] && bn.numBatchesTracked.shape == [])
        #expect(bn.weight!.requiresGrad && !bn.runningMean.requiresGrad)
    }

    @Test func initialisers() {
        var g = Generator(seed: 16)
        // xavier_uniform_: bound sqrt(6 / (fan_in + fan_out)); fans of [200, 30, 2, 2] are 120 and 800.
        expectUniform(Init.xavierUniform([200, 30, 2, 2], generator: &g), bound: (6 / Float(920)).squareRoot(), "xavier_uniform")
        expectUniform(Init.xavierUniform([300, 200], gain: 2, generator: &g), bound: 2 * (6 / Float(500)).squareRoot(), "xavier gain 2")
        let xn = stats(Init.xavierNormal([300, 200], generator: &g))
        #expect(abs(xn.variance / (2.0 / 500) - 1) < 0.03, "xavier_normal variance \(xn.variance)")
        // normal(0, 0.02), the DCGAN init.
        let n = stats(Init.normal([200, 300], mean: 0, std: 0.02, generator: &g))
        #expect(abs(n.mean) < 2e-4 && abs(n.variance.squareRoot() / 0.02 - 1) < 0.02, "normal mean \(n.mean) std \(n.variance.squareRoot())")
        // kaiming_uniform_(a=0) (ReLU gain sqrt 2): bound sqrt(6 / fan_in).
        expectUniform(Init.kaimingUniform([100, 150], a: 0, generator: &g), bound: (6 / Float(150)).squareRoot(), "kaiming a=0")
        #expect(Init.fans([8, 3, 5, 5]) == (fanIn: 75, fanOut: 200))
    }

    @Test func sameSeedSameWeights() {
        var a = Generator(seed: 5), b = Generator(seed: 5)
        let x = Sequential(Linear(4, 3, generator: &a), Linear(3, 2, generator: &a))
        let y = Sequential(Linear(4, 3, generator: &b), Linear(3, 2, generator: &b))
        #expect(zip(x.parameters(), y.parameters()).allSatisfy { identical($0, $1) })
    }
}
