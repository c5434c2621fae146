// Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD).

public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var lr: Float
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    private var buffers: StateSlots

    public init(_ parameters: [Tensor], lr: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires a momentum and zero dampening")
        self.parameters = parameters
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = StateSlots(count: parameters.count)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let n = p.count
            let first = buffers.values[i] == nil
            if momentum != 0 && first { buffers.values[i] = [Float](repeating: 0, count: n) }
            let (lr, mu, damp, wd, nesterov) = (lr, momentum, dampening, weightDecay, nesterov)
            p.data.withUnsafeMutableBufferPointer { w in
                grad.data.withUnsafeBufferPointer { g in
                    if mu == 0 {
                        for j in 0..<n { w[j] -= lr * (g[j] + wd * w[j]) }
                        return
                    }
                    buffers.values[i]!.withUnsafeMutableBufferPointer { b in
                        for j in 0..<n {
                            let d = g[j] + wd * w[j]
                            b[j] = first ? d : mu * b[j] + (1 - damp) * d
                            w[j] -= lr * (nesterov ? d + mu * b[j] : b[j])
                        }
                    }
                }
            }
        }
    }

    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        buffers.export("momentum_buffer", shapes: parameters.map(\.shape), into: &d)
        return d
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        _ = try validateOptimizerState(state, names: momentum != 0 ? ["momentum_buffer"] : [], shapes: parameters.map(\.shape))
        buffers.load("momentum_buffer", from: state)
    }
}
