// Tests of max, average and adaptive average pooling: PyTorch values, shapes, gradchecks.
import Testing
import WorkbenchTesting

/// x = ((i*7) % 13 - 6) / 4 of shape [1, 1, 5, 6], the input of every PyTorch literal below.
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
    @Test func maxPoolMatchesPyTorch() {
        // F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        #expect(allClose(F.maxPool2d(plane, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true),
                         Tensor(shape: [1, 1, 3, 4], data: [1, 1.25, 1.5, 1.5, 1, 1.25, 1.5, 1.5, 1.5, 1, 1.25, 0.5])))
        // F.max_pool2d(x, (2,3), stride=(1,2), dilation=(2,1))
        #expect(allClose(F.maxPool2d(plane, kernelSize: (2, 3), stride: (1, 2), dilation: (2, 1)),
                         Tensor(shape: [1, 1, 3, 2], data: [0.25, 0.5, 1, 1.25, 1.5, 0.5])))
        // Strides above 2 take the general lane path. F.max_pool2d(x, (2,3), stride=(2,3), ceil_mode=True)
        #expect(allClose(F.maxPool2d(plane, kernelSize: (2, 3), stride: (2, 3), ceilMode: true),
                         Tensor(shape: [1, 1, 3, 2], data: [1, 1.5, 1, 1.25, 1.5, 0.5])))
        // F.max_pool2d(x, 3, stride=3, padding=1, ceil_mode=True)
        #expect(allClose(F.maxPool2d(plane, kernelSize: (3, 3), stride: (3, 3), padding: (1, 1), ceilMode: true),
                         Tensor(shape: [1, 1, 2, 3], data: [1, 1.25, 1.5, 1.5, 1.25, 0.5])))
    }

    @Test func maxPoolPropagatesNaN() {
        // torch: max_pool2d([[1, nan, 3, nan], [3, 2, 1, 0]], 2) -> [nan, nan], grad [[0, 1, 0, 1], [0, 0, 0, 0]].
        let x = Tensor(shape: [1, 1, 2, 4], data: [1, .nan, 3, .nan, 3, 2, 1, 0], requiresGrad: true)
        let y = F.maxPool2d(x, kernelSize: (2, 2))
        #expect(y.data.allSatisfy { $0.isNaN })
        y.backward(Tensor.ones(y.shape))
        #expect(x.grad?.data == [0, 1, 0, 1, 0, 0, 0, 0])
    }

    @Test func avgPoolMatchesPyTorch() {
        // F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        #expect(allClose(F.avgPool2d(plane, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true),
                         Tensor(shape: [1, 1, 3, 4], data: [-0.111111, 0.138889, 0.305556, 0.375, -0.138889, -0.111111,
                                                            0.138889, 0.0416667, 0.166667, -0.166667, 0, 0.0416667])))
        // F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        #expect(allClose(F.avgPool2d(plane, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true, countIncludePad: false),
                         Tensor(shape: [1, 1, 3, 4], data: [-0.25, 0.208333, 0.458333, 1.125, -0.208333, -0.111111,
                                                            0.138889, 0.0833333, 0.375, -0.25, 0, 0.125])))
        // F.avg_pool2d(x, 2, stride=2, ceil_mode=True)
        #expect(allClose(F.avgPool2d(plane, kernelSize: (2, 2), ceilMode: true),
                         Tensor(shape: [1, 1, 3, 3], data: [-0.25, 0, 0.25, -0.375, -0.125, 0.125, 0.75, -0.625, -0.375])))
        // F.avg_pool2d(x, 3, stride=2, padding=1, divisor_override=2)
        #expect(allClose(F.avgPool2d(plane, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), divisorOverride: 2),
                         Tensor(shape: [1, 1, 3, 3], data: [-0.5, 0.625, 1.375, -0.625, -0.5, 0.625, 0.75, -0.75, 0])))
    }

    @Test func adaptiveAvgPoolMatchesPyTorch() {
        // F.adaptive_avg_pool2d(x, (3, 4))
        #expect(allClose(F.adaptiveAvgPool2d(plane, outputSize: (3, 4)),
                         Tensor(shape: [1, 1, 3, 4], data: [-0.25, -0.125, 0.125, 0.25, -0.208333, -0.0833333,
                                                            0.166667, 0.291667, 0.375, -0.3125, -0.0625, 0.0625])))
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
