// Adam (Kingma & Ba 2014) with bias correction and PyTorch's coupled L2 weight decay, and AdamW
// (Loshchilov & Hutter 2019) with decoupled weight decay (torch.optim.Adam / AdamW).
import Foundation

public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var lr: Float
    public let beta1: Float
    public let beta2: Float
    public let eps: Float
    public let weightDecay: Float
    /// AdamW: decay the weights directly (p *= 1 - lr * wd) instead of adding wd * p to the gradient.
    public let decoupledWeightDecay: Bool
    private var expAvg: StateSlots
    private var expAvgSq: StateSlots
    private var steps: [Int]

    public init(_ parameters: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.lr = lr
        (beta1, beta2) = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        expAvg = StateSlots(count: parameters.count)
        expAvgSq = StateSlots(count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    /// AdamW with PyTorch's default weight decay 0.01.
    public static func adamW(_ parameters: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                             eps: Float = 1e-8, weightDecay: Float = 1e-2) -> Adam {
        Adam(parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let n = p.count
            if expAvg.values[i] == nil {
                expAvg.values[i] = [Float](repeating: 0, count: n)
                expAvgSq.values[i] = [Float](repeating: 0, count: n)
            }
            steps[i] += 1
            let t = Float(steps[i])
            let bc1 = 1 - powf(beta1, t), bc2Sqrt = (1 - powf(beta2, t)).squareRoot()
            let stepSize = lr / bc1
            let (b1, b2, eps, lr) = (beta1, beta2, eps, lr)
            let wd = decoupledWeightDecay ? 0 : weightDecay
            let decay = decoupledWeightDecay ? 1 - lr * weightDecay : 1
            if n == 0 { continue }
            // Elements are independent: each core takes half of them.
            p.data.withUnsafeMutableBufferPointer { pw in
                grad.data.withUnsafeBufferPointer { pg in
                    expAvg.values[i]!.withUnsafeMutableBufferPointer { pm in
                        expAvgSq.values[i]!.withUnsafeMutableBufferPointer { pv in
                            let w = pw.baseAddress!, g = pg.baseAddress!, m = pm.baseAddress!, v = pv.baseAddress!
                            splitAcrossCores(n, costPerItem: 4) { range in
                                adamUpdate(w, g, m, v, range, decay: decay, weightDecay: wd, beta1: b1, beta2: b2,
                                           stepSize: stepSize, bc2Sqrt: bc2Sqrt, eps: eps)
                            }
                        }
                    }
                }
            }
        }
    }

    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        let shapes = parameters.map(\.shape)
        expAvg.export("exp_avg", shapes: shapes, into: &d)
        expAvgSq.export("exp_avg_sq", shapes: shapes, into: &d)
        for (i, s) in steps.enumerated() where s > 0 { d["state.\(i).step"] = Tensor(Float(s)) }
        return d
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        steps = try validateOptimizerState(state, names: ["step", "exp_avg", "exp_avg_sq"], shapes: parameters.map(\.shape))
        expAvg.load("exp_avg", from: state)
        expAvgSq.load("exp_avg_sq", from: state)
    }
}

/// Adam's update of elements `range` in one pass: decoupled decay, moments, bias-corrected step.
/// Eight lanes at a time (the compiler leaves the scalar loop unvectorised because of the sqrt);
/// each lane does the scalar formula's operations in the same order, so the bits are the same.
private func adamUpdate(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                        _ v: UnsafeMutablePointer<Float>, _ range: Range<Int>, decay: Float, weightDecay wd: Float,
                        beta1 b1: Float, beta2 b2: Float, stepSize: Float, bc2Sqrt: Float, eps: Float) {
    let c1 = 1 - b1, c2 = 1 - b2
    forEachLaneChunk(range) { j, n in
        let wj = loadLanes(w + j, n) * decay
        let d = loadLanes(g + j, n) + wd * wj
        let mj = b1 * loadLanes(m + j, n) + c1 * d
        let vj = b2 * loadLanes(v + j, n) + c2 * d * d
        storeLanes(mj, m + j, n)
        storeLanes(vj, v + j, n)
        storeLanes(wj - stepSize * mj / (vj.squareRoot() / bc2Sqrt + eps), w + j, n)
    }
}
