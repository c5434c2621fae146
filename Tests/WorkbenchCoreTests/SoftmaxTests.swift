// Softmax and log-softmax: values, numerical stability, middle dimensions and gradients.
import Testing
import WorkbenchTesting

@Suite struct SoftmaxTests {
    @Test func smallCaseValues() {
        // softmax([1, 2, 3]) = e^k / (e + e^2 + e^3).
        let x = Tensor([1, 2, 3])
        #expect(allClose(F.softmax(x, dim: 0), Tensor([0.09003057, 0.24472847, 0.66524096])))
        #expect(allClose(F.logSoftmax(x, dim: 0), Tensor([-2.40760596, -1.40760596, -0.40760596])))
    }

    @Test func extremeInputsStayFinite() {
        let x = Tensor(shape: [2, 3], data: [1000, -1000, 0, 1000, 1000, -1000])
        let y = F.softmax(x, dim: 1), ly = F.logSoftmax(x, dim: 1)
        #expect(y.data.allSatisfy { $0.isFinite } && ly.data.allSatisfy { $0.isFinite })
        #expect(allClose(y, Tensor(shape: [2, 3], data: [1, 0, 0, 0.5, 0.5, 0])))
        #expect(allClose(ly, Tensor(shape: [2, 3], data: [0, -2000, -1000, -0.69314718, -0.69314718, -2000.6931472])))
        // Gradients through the extreme values are finite too.
        let xg = x.clone().requiringGrad()
        weightedSum(F.logSoftmax(xg, dim: 1)).backward()
        #expect(xg.grad!.data.allSatisfy { $0.isFinite })
    }

    @Test func middleDimensionMatchesPermutedLastDimension() {
        var g = Generator(seed: 3)
        let x = Tensor.normal([2, 3, 4, 5], generator: &g)
        for log in [false, true] {
            let f = { (t: Tensor, d: Int) in log ? F.logSoftmax(t, dim: d) : F.softmax(t, dim: d) }
            let direct = f(x, 1)
            let viaLast = f(x.permute([0, 2, 3, 1]), -1).permute([0, 3, 1, 2])
            #expect(allClose(direct, viaLast))
        }
        let sums = F.softmax(x, dim: 1).sum(dim: 1)
        #expect(allClose(sums, Tensor.ones([2, 4, 5])))
    }

    @Test(arguments: [0, 1, 2, -1])
    func gradcheckSoftmax(dim: Int) {
        var g = Generator(seed: 11)
        let x = Tensor.normal([2, 3, 4], generator: &g).requiringGrad()
        #expect(gradcheck([x]) { weightedSum(F.softmax($0[0], dim: dim)) } == [])
        #expect(gradcheck([x]) { weightedSum(F.logSoftmax($0[0], dim: dim)) } == [])
    }
}
