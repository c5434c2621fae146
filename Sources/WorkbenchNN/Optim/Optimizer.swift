// The optimizer interface shared by SGD, Adam/AdamW and RMSprop (torch.optim semantics), and
// gradient-norm clipping.

/// Updates `parameters` in place from their `.grad`, like a `torch.optim.Optimizer` with one group.
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    /// Learning rate; schedulers change it between steps.
    var lr: Float { get set }
    /// One update from the current gradients; parameters without a gradient are skipped.
    func step()
    /// Per-parameter state under PyTorch's names (`state.<i>.momentum_buffer`, `state.<i>.exp_avg`,
    /// `state.<i>.step` ...), for checkpoints.
    func stateDict() -> [String: Tensor]
    /// Restores what `stateDict()` returned; throws on a missing or mis-shaped entry.
    func loadStateDict(_ state: [String: Tensor]) throws
}

extension Optimizer {
    /// Clears every parameter's gradient (`zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }
}

/// An optimizer state entry that is missing or has the wrong shape.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Per-parameter state buffers of one kind (e.g. Adam's exp_avg), allocated on first use.
struct StateSlots {
    var values: [[Float]?]
    init(count: Int) { values = Array(repeating: nil, count: count) }

    func export(_ name: String, shapes: [[Int]], into dict: inout [String: Tensor]) {
        for (i, v) in values.enumerated() {
            if let v { dict["state.\(i).\(name)"] = Tensor(shape: shapes[i], data: v) }
        }
    }

    mutating func load(_ name: String, shapes: [[Int]], from dict: [String: Tensor]) throws {
        for i in values.indices {
            guard let t = dict["state.\(i).\(name)"] else { values[i] = nil; continue }
            guard t.shape == shapes[i] else {
                throw OptimizerStateError(message: "optimizer state state.\(i).\(name) has shape \(t.shape), parameter has \(shapes[i])")
            }
            values[i] = t.data
        }
    }
}

/// Scales all gradients so that their joint L2 norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`); returns the norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters {
        guard let g = p.grad else { continue }
        g.data.withUnsafeBufferPointer { for v in $0 { total += Double(v) * Double(v) } }
    }
    let norm = Float(total.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 {
        for p in parameters { p.grad?.scaleInPlace(coef) }
    }
    return norm
}

extension Tensor {
    /// Multiplies the values in place (no graph).
    public func scaleInPlace(_ s: Float) {
        data.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= s } }
    }
}
