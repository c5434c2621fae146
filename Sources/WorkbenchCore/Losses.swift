// Loss functions with torch.nn.functional names and semantics, each one fused node.

/// How per-element losses are combined (`reduction=` in PyTorch).
public enum Reduction: String, Sendable { case none, mean, sum }

/// Reduces per-element losses: `.none` keeps them with `shape`, `.sum` adds them, `.mean` divides
/// the sum by `denominator` (the element count, or the summed class weights for nll/cross entropy).
func reduceLosses(_ losses: [Float], shape: [Int], reduction: Reduction,
                  denominator: Double) -> (shape: [Int], data: [Float]) {
    if reduction == .none { return (shape, losses) }
    var acc: Double = 0
    losses.withUnsafeBufferPointer { p in for v in p { acc += Double(v) } }
    return ([], [Float(reduction == .mean ? acc / denominator : acc)])
}

/// The upstream gradient each element of an unreduced loss receives: `values[i * stride] * factor`.
struct LossGradScale {
    let values: [Float]
    let stride: Int
    let factor: Float

    init(_ g: Tensor, reduction: Reduction, denominator: Double) {
        values = g.data
        stride = reduction == .none ? 1 : 0
        factor = reduction == .mean ? Float(1 / denominator) : 1
    }
}

/// Splits a class-indexed input into [outer, classes, inner] and checks the target against it:
/// input [N, C, d1, ...] with target [N, d1, ...], or an unbatched input [C] with a 0-d target.
private func classLayout(_ input: Tensor, _ target: IndexTensor, weight: Tensor?,
                         _ op: String) -> (outer: Int, c: Int, inner: Int) {
    let expected = input.rank == 1 ? [] : [input.shape[0]] + Array(input.shape.dropFirst(2))
    precondition(input.rank >= 1 && target.shape == expected,
                 "\(op): target \(target.shape) does not match input \(input.shape) (expected target \(expected))")
    let layout = input.rank == 1 ? (1, input.shape[0], 1) : splitDims(input.shape, at: 1)
    if let weight {
        precondition(weight.shape == [layout.1],
                     "\(op): weight \(weight.shape) must hold one value per class of input \(input.shape)")
    }
    return layout
}

@inline(__always)
private func checkClass(_ t: Int, _ c: Int, _ op: String) {
    precondition(t >= 0 && t < c, "\(op): target \(t) is out of bounds for \(c) classes")
}

extension Functional {
    /// `F.cross_entropy` on logits: input [N, C] or [N, C, d1, ...] (or [C]), target class ids
    /// [N] or [N, d1, ...]. Log-softmax and the loss in one pass; the backward is
    /// (softmax - smoothed one-hot) scaled per position, with class weights folded in.
    /// Mean divides by the summed weights of non-ignored targets (their count without weights).
    public static func crossEntropy(_ input: Tensor, target: IndexTensor, weight: Tensor? = nil,
                                    ignoreIndex: Int = -100, labelSmoothing: Float = 0,
                                    reduction: Reduction = .mean) -> Tensor {
        let (outer, c, inner) = classLayout(input, target, weight: weight, "cross_entropy")
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1,
                     "cross_entropy: label_smoothing must be in [0, 1], got \(labelSmoothing)")
        let eps = labelSmoothing, positions = outer * inner
        let w: [Float]? = weight?.data
        let weightTotal: Float = w.map { $0.reduce(0, +) } ?? Float(c)
        // Log-sum-exp per position, kept for the backward: p_c = exp(x_c - lse).
        var lse = [Float](repeating: 0, count: positions)
        var losses = [Float](repeating: 0, count: positions)
        var denominator: Double = 0
        for pos in 0..<positions where target.data[pos] != ignoreIndex {
            checkClass(target.data[pos], c, "cross_entropy")
            denominator += Double(w?[target.data[pos]] ?? 1)
        }
        if positions > 0 {
            input.data.withUnsafeBufferPointer { px in target.data.withUnsafeBufferPointer { pt in
                lse.withUnsafeMutableBufferPointer { plse in losses.withUnsafeMutableBufferPointer { ploss in
                    let x0 = px.baseAddress!, tgt = pt.baseAddress!, lseOut = plse.baseAddress!, lossOut = ploss.baseAddress!
                    // Positions are independent: each core takes half of them.
                    splitAcrossCores(positions, costPerItem: 4 * c) { range in
                        for pos in range {
                            let t = tgt[pos]
                            if t == ignoreIndex { continue }
                            let x = x0 + (pos / inner) * c * inner + pos % inner   // stride `inner` along classes
                            let l = logSumExp(x, count: c, stride: inner)
                            lseOut[pos] = l
                            let wt = w?[t] ?? 1
                            var loss = (1 - eps) * wt * (l - x[t * inner])
                            if eps > 0 {
                                var smooth: Float = 0   // sum_k w_k * (-log p_k)
                                for k in 0..<c { smooth += (w?[k] ?? 1) * (l - x[k * inner]) }
                                loss += eps / Float(c) * smooth
                            }
                            lossOut[pos] = loss
                        }
                    }
                } }
            } }
        }
        let (shape, data) = reduceLosses(losses, shape: target.shape, reduction: reduction, denominator: denominator)
        return Tensor.result("cross_entropy", shape: shape, data: data, parents: [input]) { g in
            let scale = LossGradScale(g, reduction: reduction, denominator: denominator)
            return [Tensor(shape: input.shape) { dx in
                let d = dx.baseAddress!
                d.update(repeating: 0, count: input.count)
                input.data.withUnsafeBufferPointer { px in target.data.withUnsafeBufferPointer { pt in
                    lse.withUnsafeBufferPointer { plse in
                        let x0 = px.baseAddress!, tgt = pt.baseAddress!, lseIn = plse.baseAddress!
                        splitAcrossCores(positions, costPerItem: 4 * c) { range in
                            for pos in range {
                                let t = tgt[pos]
                                if t == ignoreIndex { continue }
                                let offset = (pos / inner) * c * inner + pos % inner
                                let x = x0 + offset, r = d + offset
                                let gs = scale.values[pos * scale.stride] * scale.factor
                                let wt = w?[t] ?? 1
                                // d/dz_k of (1-eps)*nll + eps/C*smooth:
                                // (1-eps)*w_t*(p_k - [k==t]) + eps/C*(W*p_k - w_k), W = sum of weights.
                                let a = gs * ((1 - eps) * wt + eps / Float(c) * weightTotal)
                                let b = gs * eps / Float(c)
                                softmaxGradRow(x, r, count: c, stride: inner, lse: lseIn[pos], a: a, b: b, weight: w)
                                r[t * inner] -= gs * (1 - eps) * wt
                            }
                        }
                    }
                } }
            }]
        }
    }

    /// `F.nll_loss` on log-probabilities: input [N, C] or [N, C, d1, ...] (or [C]), target
    /// [N] or [N, d1, ...]. loss = -w_t * input[t]; mean divides by the summed weights of
    /// non-ignored targets.
    public static func nllLoss(_ input: Tensor, target: IndexTensor, weight: Tensor? = nil,
                               ignoreIndex: Int = -100, reduction: Reduction = .mean) -> Tensor {
        let (outer, c, inner) = classLayout(input, target, weight: weight, "nll_loss")
        let positions = outer * inner
        let w: [Float]? = weight?.data
        var losses = [Float](repeating: 0, count: positions)
        var denominator: Double = 0
        input.data.withUnsafeBufferPointer { px in
            for o in 0..<outer {
                for i in 0..<inner {
                    let pos = o * inner + i, t = target.data[pos]
                    if t == ignoreIndex { continue }
                    checkClass(t, c, "nll_loss")
                    let wt = w?[t] ?? 1
                    losses[pos] = -wt * px[(o * c + t) * inner + i]
                    denominator += Double(wt)
                }
            }
        }
        let (shape, data) = reduceLosses(losses, shape: target.shape, reduction: reduction, denominator: denominator)
        return Tensor.result("nll_loss", shape: shape, data: data, parents: [input]) { g in
            let scale = LossGradScale(g, reduction: reduction, denominator: denominator)
            return [Tensor(shape: input.shape) { dx in
                dx.baseAddress!.update(repeating: 0, count: input.count)
                for o in 0..<outer {
                    for i in 0..<inner {
                        let pos = o * inner + i, t = target.data[pos]
                        if t == ignoreIndex { continue }
                        dx[(o * c + t) * inner + i] = -(w?[t] ?? 1) * scale.values[pos * scale.stride] * scale.factor
                    }
                }
            }]
        }
    }

    /// `F.binary_cross_entropy_with_logits`: input and target of equal shape, `posWeight`
    /// broadcastable to it (e.g. [C] against [N, C]). Stable form
    /// loss = (1 - y) * x + (1 + (pw - 1) * y) * softplus(-x), softplus(-x) = max(-x, 0) + log1p(exp(-|x|)).
    /// Gradients flow to input and target; `posWeight` is treated as a constant.
    public static func binaryCrossEntropyWithLogits(_ input: Tensor, target: Tensor, posWeight: Tensor? = nil,
                                                    reduction: Reduction = .mean) -> Tensor {
        precondition(input.shape == target.shape,
                     "binary_cross_entropy_with_logits: target \(target.shape) must have the shape of input \(input.shape)")
        let n = input.count
        // pos_weight materialised at the input's shape (it is small: usually one value per class).
        let pw: [Float]? = posWeight.map { p in withNoGrad { p.detach().expand(input.shape).data } }
        let losses = [Float](unsafeUninitializedCapacity: n) { out, count in
            input.data.withUnsafeBufferPointer { x in target.data.withUnsafeBufferPointer { y in
                for i in 0..<n {
                    let lw = 1 + ((pw?[i] ?? 1) - 1) * y[i]
                    out[i] = (1 - y[i]) * x[i] + lw * softplusNeg(x[i])
                }
            } }
            count = n
        }
        let denominator = Double(n)
        let (shape, data) = reduceLosses(losses, shape: input.shape, reduction: reduction, denominator: denominator)
        return Tensor.result("binary_cross_entropy_with_logits", shape: shape, data: data,
                             parents: [input, target]) { g in
            let scale = LossGradScale(g, reduction: reduction, denominator: denominator)
            var gx: Tensor?, gy: Tensor?
            input.data.withUnsafeBufferPointer { x in target.data.withUnsafeBufferPointer { y in
                if input.requiresGrad {
                    gx = Tensor(shape: input.shape) { d in   // (1 - y) - lw * sigmoid(-x)
                        for i in 0..<n {
                            let lw = 1 + ((pw?[i] ?? 1) - 1) * y[i]
                            d[i] = scale.values[i * scale.stride] * scale.factor * ((1 - y[i]) - lw * sigmoidNeg(x[i]))
                        }
                    }
                }
                if target.requiresGrad {
                    gy = Tensor(shape: target.shape) { d in   // -x + (pw - 1) * softplus(-x)
                        for i in 0..<n {
                            d[i] = scale.values[i * scale.stride] * scale.factor * (-x[i] + ((pw?[i] ?? 1) - 1) * softplusNeg(x[i]))
                        }
                    }
                }
            } }
            return [gx, gy]
        }
    }

    /// `F.mse_loss`: (x - y)^2; input and target of equal shape.
    public static func mseLoss(_ input: Tensor, target: Tensor, reduction: Reduction = .mean) -> Tensor {
        pointwiseLoss(SquaredError.self, "mse_loss", input, target, parameter: 0, reduction: reduction)
    }

    /// `F.smooth_l1_loss`: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0 is L1).
    public static func smoothL1Loss(_ input: Tensor, target: Tensor, reduction: Reduction = .mean,
                                    beta: Float = 1) -> Tensor {
        precondition(beta >= 0, "smooth_l1_loss: beta must be non-negative, got \(beta)")
        return pointwiseLoss(SmoothL1.self, "smooth_l1_loss", input, target, parameter: beta, reduction: reduction)
    }

    /// `F.huber_loss`: 0.5 d^2 where |d| < delta, else delta * (|d| - 0.5 delta).
    public static func huberLoss(_ input: Tensor, target: Tensor, reduction: Reduction = .mean,
                                 delta: Float = 1) -> Tensor {
        precondition(delta > 0, "huber_loss: delta must be positive, got \(delta)")
        return pointwiseLoss(Huber.self, "huber_loss", input, target, parameter: delta, reduction: reduction)
    }

    /// A loss of d = input - target per element; the target's gradient is minus the input's.
    private static func pointwiseLoss<K: PointwiseLoss>(_: K.Type, _ name: String, _ input: Tensor, _ target: Tensor,
                                                        parameter p: Float, reduction: Reduction) -> Tensor {
        precondition(input.shape == target.shape, "\(name): target \(target.shape) must have the shape of input \(input.shape)")
        let n = input.count
        let losses = [Float](unsafeUninitializedCapacity: n) { out, count in
            input.data.withUnsafeBufferPointer { x in target.data.withUnsafeBufferPointer { y in
                for i in 0..<n { out[i] = K.value(x[i] - y[i], p) }
            } }
            count = n
        }
        let denominator = Double(n)
        let (shape, data) = reduceLosses(losses, shape: input.shape, reduction: reduction, denominator: denominator)
        return Tensor.result(name, shape: shape, data: data, parents: [input, target]) { g in
            let scale = LossGradScale(g, reduction: reduction, denominator: denominator)
            let gx = Tensor(shape: input.shape) { d in
                input.data.withUnsafeBufferPointer { x in target.data.withUnsafeBufferPointer { y in
                    for i in 0..<n { d[i] = scale.values[i * scale.stride] * scale.factor * K.derivative(x[i] - y[i], p) }
                } }
            }
            return [input.requiresGrad ? gx : nil, target.requiresGrad ? -gx : nil]
        }
    }
}

/// softplus(-x) = log(1 + exp(-x)) without overflow for large |x|.
@inline(__always)
private func softplusNeg(_ x: Float) -> Float { Swift.max(-x, 0) + flog1p(fexp(-Swift.abs(x))) }

/// sigmoid(-x) = 1 / (1 + exp(x)) without overflow for large |x|.
@inline(__always)
private func sigmoidNeg(_ x: Float) -> Float {
    if x <= 0 { return 1 / (1 + fexp(x)) }
    let e = fexp(-x)
    return e / (1 + e)
}

/// A loss of the difference d = input - target with one shape parameter (beta, delta).
protocol PointwiseLoss {
    static func value(_ d: Float, _ p: Float) -> Float
    static func derivative(_ d: Float, _ p: Float) -> Float
}

@inline(__always)
private func sign(_ d: Float) -> Float { d > 0 ? 1 : (d < 0 ? -1 : 0) }

enum SquaredError: PointwiseLoss {
    @inline(__always) static func value(_ d: Float, _ p: Float) -> Float { d * d }
    @inline(__always) static func derivative(_ d: Float, _ p: Float) -> Float { 2 * d }
}

enum SmoothL1: PointwiseLoss {
    @inline(__always) static func value(_ d: Float, _ beta: Float) -> Float {
        Swift.abs(d) < beta ? 0.5 * d * d / beta : Swift.abs(d) - 0.5 * beta
    }
    @inline(__always) static func derivative(_ d: Float, _ beta: Float) -> Float {
        Swift.abs(d) < beta ? d / beta : sign(d)
    }
}

enum Huber: PointwiseLoss {
    @inline(__always) static func value(_ d: Float, _ delta: Float) -> Float {
        Swift.abs(d) < delta ? 0.5 * d * d : delta * (Swift.abs(d) - 0.5 * delta)
    }
    @inline(__always) static func derivative(_ d: Float, _ delta: Float) -> Float {
        Swift.abs(d) < delta ? d : delta * sign(d)
    }
}

/// log Σ_k exp(x[k * stride]) for k < count, shifted by the maximum; contiguous rows (stride 1)
/// run eight lanes at a time.
@inline(__always)
private func logSumExp(_ x: UnsafePointer<Float>, count c: Int, stride: Int) -> Float {
    var m = x[0]
    let full = stride == 1 ? c / 8 * 8 : 0
    if full > 0 {
        var mv = Lanes(repeating: -.infinity)
        for k in Swift.stride(from: 0, to: full, by: 8) {
            let v = loadLanes(x + k, 8)
            mv = mv.replacing(with: v, where: v .> mv)
        }
        m = mv.max()
        if x[0].isNaN { m = x[0] }
    }
    for k in full..<c where x[k * stride] > m { m = x[k * stride] }
    var sv = Lanes()
    for k in Swift.stride(from: 0, to: full, by: 8) { sv += gateExp(loadLanes(x + k, 8) - m) }
    var s = sv.sum()
    for k in full..<c { s += fexp(x[k * stride] - m) }
    return m + flog(s)
}

/// r[k * stride] = a * exp(x[k * stride] - lse) - b * weight[k] (weight 1 when absent).
@inline(__always)
private func softmaxGradRow(_ x: UnsafePointer<Float>, _ r: UnsafeMutablePointer<Float>, count c: Int, stride: Int,
                            lse l: Float, a: Float, b: Float, weight w: [Float]?) {
    let full = stride == 1 ? c / 8 * 8 : 0
    for k in Swift.stride(from: 0, to: full, by: 8) {
        var wv = Lanes(repeating: 1)
        if let w { for j in 0..<8 { wv[j] = w[k + j] } }
        storeLanes(a * gateExp(loadLanes(x + k, 8) - l) - b * wv, r + k, 8)
    }
    for k in full..<c { r[k * stride] = a * fexp(x[k * stride] - l) - b * (w?[k] ?? 1) }
}
