// Adam's and centered RMSprop's eight-lane updates against their scalar formulas, bit for bit, on
// 8k + 5 elements (full vectors and a zero-padded tail) over three steps.
import Foundation
import Testing
import WorkbenchNN

@Suite struct OptimizerLaneTests {
    let count = 8 * 5 + 5

    func parameterAndGradients() -> (Tensor, [[Float]]) {
        var g = Generator(seed: 41)
        let p = Tensor.normal([count], generator: &g).requiringGrad()
        let grads = (0..<3).map { _ in Tensor.normal([count], generator: &g).data }
        return (p, grads)
    }

    @Test func adamMatchesScalarFormula() {
        let (p, grads) = parameterAndGradients()
        var w = p.data, m = [Float](repeating: 0, count: count), v = m
        let (lr, b1, b2, eps, wd): (Float, Float, Float, Float, Float) = (1e-2, 0.9, 0.999, 1e-8, 0.1)
        let optimizer = Adam([p], lr: lr, betas: (b1, b2), eps: eps, weightDecay: wd)
        for (step, grad) in grads.enumerated() {
            p.grad = Tensor(shape: [count], data: grad)
            optimizer.step()
            let t = Float(step + 1)
            let stepSize = lr / (1 - powf(b1, t)), bc2Sqrt = (1 - powf(b2, t)).squareRoot()
            for j in 0..<count {
                let d = grad[j] + wd * w[j]
                m[j] = b1 * m[j] + (1 - b1) * d
                v[j] = b2 * v[j] + (1 - b2) * d * d
                w[j] = w[j] - stepSize * m[j] / (v[j].squareRoot() / bc2Sqrt + eps)
            }
            #expect(p.data == w, "step \(step + 1)")
        }
    }

    @Test func centeredRMSpropMatchesScalarFormula() {
        let (p, grads) = parameterAndGradients()
        var w = p.data, sq = [Float](repeating: 0, count: count), ga = sq
        let (lr, a, eps, wd): (Float, Float, Float, Float) = (2.5e-4, 0.95, 0.01, 0.1)
        let optimizer = RMSprop([p], lr: lr, alpha: a, eps: eps, weightDecay: wd, centered: true)
        for (step, grad) in grads.enumerated() {
            p.grad = Tensor(shape: [count], data: grad)
            optimizer.step()
            for j in 0..<count {
                let d = grad[j] + wd * w[j]
                sq[j] = a * sq[j] + (1 - a) * d * d
                ga[j] = a * ga[j] + (1 - a) * d
                w[j] = w[j] - lr * d / ((sq[j] - ga[j] * ga[j]).squareRoot() + eps)
            }
            #expect(p.data == w, "step \(step + 1)")
        }
    }
}
