// RMSprop (Tieleman & Hinton 2012) as torch.optim.RMSprop: eps added outside the square root,
// optional centering (Graves 2013, the DQN paper's variant) and momentum.

public final class RMSprop: Optimizer {
    public let parameters: [Tensor]
    public var lr: Float
    public let alpha: Float
    public let eps: Float
    public let weightDecay: Float
    public let momentum: Float
    public let centered: Bool
    private var squareAvg: StateSlots
    private var gradAvg: StateSlots
    private var momentumBuffer: StateSlots
    private var steps: [Int]

    public init(_ parameters: [Tensor], lr: Float = 1e-2, alpha: Float = 0.99, eps: Float = 1e-8,
                weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false) {
        self.parameters = parameters
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        squareAvg = StateSlots(count: parameters.count)
        gradAvg = StateSlots(count: parameters.count)
        momentumBuffer = StateSlots(count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let n = p.count
            // Each slot on its own: a restored state has no grad_avg / momentum_buffer when
            // they are unused, and those must still exist (empty) for the loop below.
            if squareAvg.values[i] == nil { squareAvg.values[i] = [Float](repeating: 0, count: n) }
            if gradAvg.values[i] == nil { gradAvg.values[i] = [Float](repeating: 0, count: centered ? n : 0) }
            if momentumBuffer.values[i] == nil { momentumBuffer.values[i] = [Float](repeating: 0, count: momentum > 0 ? n : 0) }
            steps[i] += 1
            if n == 0 { continue }
            let (lr, a, eps, wd, mu, centered) = (lr, alpha, eps, weightDecay, momentum, centered)
            // Elements are independent: each core takes half of them.
            p.data.withUnsafeMutableBufferPointer { pw in
                grad.data.withUnsafeBufferPointer { pg in
                    squareAvg.values[i]!.withUnsafeMutableBufferPointer { psq in
                        gradAvg.values[i]!.withUnsafeMutableBufferPointer { pga in
                            momentumBuffer.values[i]!.withUnsafeMutableBufferPointer { pbuf in
                                let w = pw.baseAddress!, g = pg.baseAddress!, sq = psq.baseAddress!
                                let ga = pga.baseAddress, buf = pbuf.baseAddress   // nil when unused
                                splitAcrossCores(n, costPerItem: 4) { range in
                                    if centered && mu == 0 {
                                        rmspropCenteredUpdate(w, g, sq, ga!, range, lr: lr, alpha: a, eps: eps, weightDecay: wd)
                                    } else {
                                        rmspropUpdate(w, g, sq, ga, buf, range, lr: lr, alpha: a, eps: eps, weightDecay: wd,
                                                      momentum: mu, centered: centered)
                                    }
                                }
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
        squareAvg.export("square_avg", shapes: shapes, into: &d)
        if centered { gradAvg.export("grad_avg", shapes: shapes, into: &d) }
        if momentum > 0 { momentumBuffer.export("momentum_buffer", shapes: shapes, into: &d) }
        for (i, s) in steps.enumerated() where s > 0 { d["state.\(i).step"] = Tensor(Float(s)) }
        return d
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        let names = ["step", "square_avg"] + (centered ? ["grad_avg"] : []) + (momentum > 0 ? ["momentum_buffer"] : [])
        steps = try validateOptimizerState(state, names: names, shapes: parameters.map(\.shape))
        squareAvg.load("square_avg", from: state)
        if centered { gradAvg.load("grad_avg", from: state) }
        if momentum > 0 { momentumBuffer.load("momentum_buffer", from: state) }
    }
}

/// Centered RMSprop without momentum (the DQN setting) over `range`, eight lanes at a time with
/// the scalar formula's operations in the same order (see Adam's update).
private func rmspropCenteredUpdate(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                   _ sq: UnsafeMutablePointer<Float>, _ ga: UnsafeMutablePointer<Float>,
                                   _ range: Range<Int>, lr: Float, alpha a: Float, eps: Float, weightDecay wd: Float) {
    let c = 1 - a
    forEachLaneChunk(range) { j, n in
        let wj = loadLanes(w + j, n)
        let d = loadLanes(g + j, n) + wd * wj
        let s = a * loadLanes(sq + j, n) + c * d * d
        let m = a * loadLanes(ga + j, n) + c * d
        storeLanes(s, sq + j, n)
        storeLanes(m, ga + j, n)
        storeLanes(wj - lr * d / ((s - m * m).squareRoot() + eps), w + j, n)
    }
}

/// Every other RMSprop variant over `range`, element by element (ga, buf nil when unused).
private func rmspropUpdate(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ sq: UnsafeMutablePointer<Float>,
                           _ ga: UnsafeMutablePointer<Float>?, _ buf: UnsafeMutablePointer<Float>?, _ range: Range<Int>,
                           lr: Float, alpha a: Float, eps: Float, weightDecay wd: Float, momentum mu: Float, centered: Bool) {
    for j in range {
        let d = g[j] + wd * w[j]
        sq[j] = a * sq[j] + (1 - a) * d * d
        var avg: Float
        if centered, let ga {
            ga[j] = a * ga[j] + (1 - a) * d
            avg = (sq[j] - ga[j] * ga[j]).squareRoot() + eps
        } else {
            avg = sq[j].squareRoot() + eps
        }
        if mu > 0, let buf {
            buf[j] = mu * buf[j] + d / avg
            w[j] -= lr * buf[j]
        } else {
            w[j] -= lr * d / avg
        }
    }
}
