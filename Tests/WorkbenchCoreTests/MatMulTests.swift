// matmul, batched matmul and linear on sgemm: values against naive products, gradients.
import Testing
import WorkbenchTesting

@Suite struct MatMulTests {
    func naive(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return c
    }

    @Test func matmulMatchesNaiveProduct() {
        var g = Generator(seed: 11)
        let a = Tensor.normal([5, 7], generator: &g), b = Tensor.normal([7, 3], generator: &g)
        #expect(closeness(a.matmul(b).data, naive(a.data, b.data, m: 5, k: 7, n: 3), atol: 1e-5, rtol: 1e-5).passed)
        let a3 = Tensor.normal([2, 5, 7], generator: &g), b3 = Tensor.normal([2, 7, 3], generator: &g)
        let c3 = a3.matmul(b3)
        #expect(c3.shape == [2, 5, 3])
        let second = naive(Array(a3.data[35...]), Array(b3.data[21...]), m: 5, k: 7, n: 3)
        #expect(closeness(Array(c3.data[15...]), second, atol: 1e-5, rtol: 1e-5).passed)
        #expect(a3.matmul(b).shape == [2, 5, 3])
    }

    @Test func gradients() {
        var g = Generator(seed: 12)
        let a = Tensor.normal([2, 5, 7], generator: &g).requiringGrad()
        let b = Tensor.normal([2, 7, 3], generator: &g).requiringGrad()
        let w = Tensor.normal([7, 4], generator: &g).requiringGrad()
        #expect(gradcheck([a, b]) { weightedSum($0[0].matmul($0[1])) }.isEmpty)
        #expect(gradcheck([a, w]) { weightedSum($0[0].matmul($0[1])) }.isEmpty)
    }

    @Test func linearMatchesMatmulPlusBias() {
        var g = Generator(seed: 13)
        let x = Tensor.normal([3, 4, 6], generator: &g).requiringGrad()
        let w = Tensor.normal([5, 6], generator: &g).requiringGrad()
        let b = Tensor.normal([5], generator: &g).requiringGrad()
        let y = F.linear(x, weight: w, bias: b)
        #expect(y.shape == [3, 4, 5])
        let ref = x.matmul(w.transpose(0, 1)) + b
        #expect(allClose(y, ref))
        #expect(gradcheck([x, w, b]) { weightedSum(F.linear($0[0], weight: $0[1], bias: $0[2])) }.isEmpty)
        #expect(gradcheck([x, w]) { weightedSum(F.linear($0[0], weight: $0[1])) }.isEmpty)
    }
}
