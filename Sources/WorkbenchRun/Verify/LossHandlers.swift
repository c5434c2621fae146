// The losses as fixture functions: (prediction, target, arguments) -> scalar, with PyTorch's
// argument names. Used by loss op fixtures and by model fixtures' `loss` metadata.
import WorkbenchNN

enum LossHandlers {
    static let arguments: [String: Set<String>] = [
        "cross_entropy": ["ignore_index", "label_smoothing", "reduction", "weight"],
        "nll_loss": ["ignore_index", "reduction", "weight"],
        "bce_with_logits": ["reduction", "pos_weight", "weight"],
        "mse_loss": ["reduction"],
        "smooth_l1_loss": ["reduction", "beta"],
        "huber_loss": ["reduction", "delta"],
    ]

    static let all: [String: FixtureRegistry.LossFunction] = [
        "cross_entropy": { x, t, c in
            let (target, ignore) = try classTarget(x, t, c)
            let smoothing = try c.float("label_smoothing", default: 0)
            try require(smoothing >= 0 && smoothing <= 1, "label_smoothing must be in [0, 1]")
            return F.crossEntropy(x, target: target, weight: try classWeight(x, c), ignoreIndex: ignore,
                                  labelSmoothing: smoothing, reduction: try reduction(c))
        },
        "nll_loss": { x, t, c in
            let (target, ignore) = try classTarget(x, t, c)
            return F.nllLoss(x, target: target, weight: try classWeight(x, c), ignoreIndex: ignore, reduction: try reduction(c))
        },
        "bce_with_logits": { x, t, c in
            try require(!c.has("weight"), "bce_with_logits: weight is not supported")
            let y = try valueTarget(x, t)
            let pw = try c.floatList("pos_weight").map { Tensor($0) }
            if let pw { try require(pw.count == 1 || pw.count == x.shape.last, "pos_weight has \(pw.count) values for input \(x.shape)") }
            return F.binaryCrossEntropyWithLogits(x, target: y, posWeight: pw, reduction: try reduction(c))
        },
        "mse_loss": { x, t, c in F.mseLoss(x, target: try valueTarget(x, t), reduction: try reduction(c)) },
        "smooth_l1_loss": { x, t, c in
            let beta = try c.float("beta", default: 1)
            try require(beta >= 0, "smooth_l1_loss: beta must be non-negative")
            return F.smoothL1Loss(x, target: try valueTarget(x, t), reduction: try reduction(c), beta: beta)
        },
        "huber_loss": { x, t, c in
            let delta = try c.float("delta", default: 1)
            try require(delta > 0, "huber_loss: delta must be positive")
            return F.huberLoss(x, target: try valueTarget(x, t), reduction: try reduction(c), delta: delta)
        },
    ]

    static func reduction(_ c: FixtureConfig) throws -> Reduction {
        let name = try c.string("reduction", default: "mean")
        guard let r = Reduction(rawValue: name), r != .none else {
            throw FixtureError("reduction '\(name)' must be mean or sum (a fixture loss is a scalar)")
        }
        return r
    }

    /// Class-id target of a classification loss, checked against the logits' shape.
    static func classTarget(_ x: Tensor, _ t: LossTarget, _ c: FixtureConfig) throws -> (IndexTensor, Int) {
        guard case .classes(let target) = t else { throw FixtureError("input.target must hold integer class ids") }
        try require(x.rank >= 2, "input.x has shape \(x.shape), expected [N, C, ...]")
        var expected = x.shape
        expected.remove(at: 1)
        try require(target.shape == expected, "input.target has shape \(target.shape), expected \(expected) for input \(x.shape)")
        let ignore = try c.int("ignore_index", default: -100)
        try require(target.data.allSatisfy { $0 == ignore || ($0 >= 0 && $0 < x.shape[1]) },
                    "input.target holds a class outside 0..<\(x.shape[1])")
        return (target, ignore)
    }

    static func classWeight(_ x: Tensor, _ c: FixtureConfig) throws -> Tensor? {
        guard let w = try c.floatList("weight") else { return nil }
        try require(w.count == x.shape[1], "weight has \(w.count) values for \(x.shape[1]) classes")
        return Tensor(w)
    }

    static func valueTarget(_ x: Tensor, _ t: LossTarget) throws -> Tensor {
        guard case .values(let y) = t else { throw FixtureError("input.target must be a float tensor") }
        try require(y.shape == x.shape, "input.target has shape \(y.shape), input.x \(x.shape)")
        return y
    }
}
