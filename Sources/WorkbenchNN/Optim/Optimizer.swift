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
    /// Restores what `stateDict()` returned; throws, changing nothing, on an unexpected,
    /// mis-shaped or incomplete entry.
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

    /// Takes this slot's entries from a state that `validateOptimizerState` accepted.
    mutating func load(_ name: String, from dict: [String: Tensor]) {
        for i in values.indices { values[i] = dict["state.\(i).\(name)"]?.data }
    }
}

/// Checks a state dict before anything is restored from it, so that a failed load changes
/// nothing: every key must be `state.<i>.<name>` for a parameter index and one of `names` (an SGD
/// state loaded into Adam is an error, not a silent fresh start), shaped like the parameter
/// (`step` one finite non-negative whole number), and each parameter has all of `names` or none
/// (a half-restored state would diverge from the saved run). Returns the step counts.
func validateOptimizerState(_ state: [String: Tensor], names: [String], shapes: [[Int]]) throws -> [Int] {
    func fail(_ message: String) -> OptimizerStateError { OptimizerStateError(message: message) }
    for key in state.keys.sorted() {
        let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "state", let i = Int(parts[1]), shapes.indices.contains(i),
              names.contains(parts[2]) else {
            throw fail("unexpected optimizer state key \(key) (this optimizer keeps \(names.joined(separator: ", ")) for \(shapes.count) parameters)")
        }
        let t = state[key]!
        if parts[2] == "step" {
            guard t.count == 1, let v = t.data.first, v.isFinite, v >= 0, v == v.rounded(), v < 1e15 else {
                throw fail("optimizer state \(key) must hold one whole step count, got shape \(t.shape) \(t.data.prefix(3))")
            }
        } else if t.shape != shapes[i] {
            throw fail("optimizer state \(key) has shape \(t.shape), parameter \(i) has \(shapes[i])")
        }
    }
    for i in shapes.indices {
        let present = names.filter { state["state.\(i).\($0)"] != nil }
        if !present.isEmpty && present.count != names.count {
            let missing = names.filter { !present.contains($0) }.map { "state.\(i).\($0)" }
            throw fail("missing optimizer state keys \(missing.joined(separator: ", ")) (parameter \(i) has \(present.joined(separator: ", ")))")
        }
    }
    return shapes.indices.map { i in state["state.\(i).step"].map { Int($0.data[0]) } ?? 0 }
}

/// Scales all gradients so that their joint L2 norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`); returns the norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters {
        guard let g = p.grad else { continue }
        g.data.withUnsafeBufferPointer { total += sumOfSquares($0) }
    }
    let norm = Float(total.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 {
        for p in parameters { p.grad?.scaleInPlace(coef) }
    }
    return norm
}

/// Σ x² in blocks of 1024: eight Float lanes within a block (vectorised), blocks summed in Double
/// so that millions of squares lose no more precision than a Double running sum would notice.
private func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Double {
    guard let base = x.baseAddress else { return 0 }
    var total: Double = 0
    for start in stride(from: 0, to: x.count, by: 1024) {
        let end = Swift.min(start + 1024, x.count)
        var acc = Lanes()
        for j in stride(from: start, to: end, by: 8) {
            let v = loadLanes(base + j, Swift.min(8, end - j))
            acc += v * v
        }
        total += Double(acc.sum())
    }
    return total
}

extension Tensor {
    /// Multiplies the values in place (no graph).
    public func scaleInPlace(_ s: Float) {
        data.withUnsafeMutableBufferPointer { x in
            guard let p = x.baseAddress else { return }
            for j in stride(from: 0, to: x.count, by: 8) {
                let k = Swift.min(8, x.count - j)
                storeLanes(loadLanes(p + j, k) * s, p + j, k)
            }
        }
    }
}
