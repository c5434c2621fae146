// Tests of max, average and adaptive average pooling: shapes, gradchecks, NaN-free paths. The values
// (and NaN propagation) against PyTorch are the op fixtures (OpFixtureTests: Tests/Fixtures/ops/
// max_pool2d_*, avg_pool2d_*, adaptive_avg_pool2d_*).
import Testing
import WorkbenchTesting

/// x = ((i*7) % 13 - 6) / 4 of shape [1, 1, 5, 6].
private var plane: Tensor { Tensor(shape: [1, 1, 5, 6], data: (0..<30).map { Float((($0 * 7) % 13) - 6) / 4 }) }

/// Distinct values 0.1 apart in random order, so a ±1e-2 gradcheck step never changes a window's max.
private func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
    var g = Generator(seed: seed)
    return Tensor(shape: shape, data: g.permutation(shape.product).map { Float($0) * 0.1 - 1 }, requiresGrad: true)
}

private func random(_ shape: [Int], seed: UInt64) -> Tensor {
    var g = Generator(seed: seed)
    return Tensor.uniform(shape, low: -1, high: 1, generator: &g).requiringGrad()
}

@Suite struct PoolTests {
    @Test func globalAdaptiveAvgPoolIsTheMean() {
        let global = F.adaptiveAvgPool2d(plane, outputSize: (1, 1))
        #expect(abs(global.item() - plane.data.reduce(0, +) / 30) < 1e-6)
    }

    @Test func outputShapes() {
        // GoogLeNet's ceil_mode pools on 28x28 input: 28 -> 14 -> 7 with k3 s2.
        let x28 = Tensor.zeros([2, 3, 28, 28])
        let p14 = F.maxPool2d(x28, kernelSize: (3, 3), stride: (2, 2), ceilMode: true)
        #expect(p14.shape == [2, 3, 14, 14])
        #expect(F.maxPool2d(p14, kernelSize: (3, 3), stride: (2, 2), ceilMode: true).shape == [2, 3, 7, 7])
        // torch: max_pool2d(zeros(1,1,7,7), 3, 2, padding=1, ceil_mode=True) -> 4x4.
        #expect(F.maxPool2d(Tensor.zeros([1, 1, 7, 7]), kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true).shape == [1, 1, 4, 4])
        // The last ceil window must start inside the input or left padding, else it is dropped:
        // torch max_pool2d(zeros(1,1,5,5), 2, 2, padding=1, ceil_mode=True) -> 3x3 (not 4x4) and
        // avg_pool2d(zeros(1,1,6,6), 2, 3, ceil_mode=True) -> 2x2 (not 3x3).
        #expect(F.maxPool2d(Tensor.zeros([1, 1, 5, 5]), kernelSize: (2, 2), stride: (2, 2), padding: (1, 1), ceilMode: true).shape == [1, 1, 3, 3])
        #expect(F.avgPool2d(Tensor.zeros([1, 1, 6, 6]), kernelSize: (2, 2), stride: (3, 3), ceilMode: true).shape == [1, 1, 2, 2])
    }

    @Test func maxPoolGradientGoesToFirstMax() {
        let x = Tensor.ones([1, 1, 2, 4], requiresGrad: true)
        F.maxPool2d(x, kernelSize: (2, 2)).sum().backward()
        #expect(x.grad?.data == [1, 0, 1, 0, 0, 0, 0, 0])
    }

    @Test func maxPoolGradcheck() {
        let x = distinct([2, 3, 7, 9], seed: 1)
        #expect(gradcheck([x]) { t in
            weightedSum(F.maxPool2d(t[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true))
        }.isEmpty)
        #expect(gradcheck([x]) { t in
            weightedSum(F.maxPool2d(t[0], kernelSize: (2, 3), stride: (1, 2), padding: (1, 0), dilation: (2, 1)))
        }.isEmpty)
    }

    @Test func avgPoolGradcheck() {
        let x = random([2, 3, 7, 9], seed: 2)
        for includePad in [true, false] {
            #expect(gradcheck([x]) { t in
                weightedSum(F.avgPool2d(t[0], kernelSize: (3, 2), stride: (2, 2), padding: (1, 1), ceilMode: true,
                                        countIncludePad: includePad))
            }.isEmpty)
        }
        #expect(gradcheck([x]) { t in
            weightedSum(F.avgPool2d(t[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), divisorOverride: 4))
        }.isEmpty)
    }

    @Test func adaptiveAvgPoolGradcheck() {
        let x = random([2, 3, 7, 9], seed: 3)
        for size in [(3, 4), (1, 1), (7, 9)] {
            #expect(gradcheck([x]) { t in weightedSum(F.adaptiveAvgPool2d(t[0], outputSize: size)) }.isEmpty)
        }
    }

    @Test func largePoolsSplitAcrossCoresMatchOnePlaneAtATime() {
        // Big enough to take the two-core path; each plane must equal its own one-plane pooling.
        let x = random([4, 16, 28, 28], seed: 4).detach()
        let whole = F.maxPool2d(x, kernelSize: (3, 3), stride: (2, 2), ceilMode: true)
        let last = F.maxPool2d(x.narrow(0, start: 3, length: 1).narrow(1, start: 15, length: 1),
                               kernelSize: (3, 3), stride: (2, 2), ceilMode: true)
        #expect(Array(whole.data.suffix(last.count)) == last.data)
        let avg = F.avgPool2d(x, kernelSize: (3, 3), stride: (1, 1), padding: (1, 1))
        let avgLast = F.avgPool2d(x.narrow(0, start: 3, length: 1).narrow(1, start: 15, length: 1),
                                  kernelSize: (3, 3), stride: (1, 1), padding: (1, 1))
        #expect(Array(avg.data.suffix(avgLast.count)) == avgLast.data)
    }
}
