// Which fixture ids this workbench can run: the ops of WorkbenchCore (built in), the losses, and
// the paper models that paper modules register at start-up.
import Synchronization
import WorkbenchNN

public enum FixtureRegistry {
    /// A loss usable as fixture `loss` metadata: (prediction, target, loss_config) -> scalar.
    public typealias LossFunction = @Sendable (Tensor, LossTarget, FixtureConfig) throws -> Tensor

    private static let models = Mutex<[String: FixtureHandler]>([:])

    /// Makes a paper's model id (`<paper>.<network>`) verifiable.
    public static func register(model id: String, _ handler: @escaping FixtureHandler) {
        models.withLock { $0[id] = handler }
    }

    public static func handler(kind: String, name: String) -> FixtureHandler? {
        kind == "op" ? OpHandlers.all[name] : models.withLock { $0[name] }
    }

    public static func loss(_ name: String) -> LossFunction? { LossHandlers.all[name] }

    /// Every supported id, sorted: ops (including losses), then models.
    public static var opIds: [String] { OpHandlers.all.keys.sorted() }
    public static var modelIds: [String] { models.withLock { $0.keys.sorted() } }
}

/// Builds the optimizer that a fixture's `optimizer` metadata describes (torch.optim names and defaults).
enum FixtureOptimizer {
    static func make(_ c: FixtureConfig, parameters: [Tensor]) throws(FixtureError) -> Optimizer {
        let type = try c.string("type", default: "")
        let common: Set<String> = ["type", "steps", "clip_grad_norm", "lr", "weight_decay"]
        switch type {
        case "sgd":
            try c.expectOnly(common.union(["momentum", "dampening", "nesterov"]))
            let momentum = try c.float("momentum", default: 0), dampening = try c.float("dampening", default: 0)
            let nesterov = try c.bool("nesterov", default: false)
            try require(!nesterov || (momentum > 0 && dampening == 0), "optimizer: Nesterov needs momentum > 0 and dampening 0")
            return SGD(parameters, lr: try c.float("lr", default: 1e-3), momentum: momentum, dampening: dampening,
                       weightDecay: try c.float("weight_decay", default: 0), nesterov: nesterov)
        case "adam", "adamw":
            try c.expectOnly(common.union(["betas", "eps", "amsgrad"]))
            try require(!(try c.bool("amsgrad", default: false)), "optimizer: amsgrad is not supported")
            let betas = try c.floatList("betas") ?? [0.9, 0.999]
            try require(betas.count == 2, "optimizer.betas must hold two numbers")
            return Adam(parameters, lr: try c.float("lr", default: 1e-3), betas: (betas[0], betas[1]),
                        eps: try c.float("eps", default: 1e-8),
                        weightDecay: try c.float("weight_decay", default: type == "adamw" ? 1e-2 : 0),
                        decoupledWeightDecay: type == "adamw")
        case "rmsprop":
            try c.expectOnly(common.union(["alpha", "eps", "centered", "momentum"]))
            return RMSprop(parameters, lr: try c.float("lr", default: 1e-2), alpha: try c.float("alpha", default: 0.99),
                           eps: try c.float("eps", default: 1e-8), weightDecay: try c.float("weight_decay", default: 0),
                           momentum: try c.float("momentum", default: 0), centered: try c.bool("centered", default: false))
        default:
            throw FixtureError("optimizer.type '\(type)' is not one of sgd, adam, adamw, rmsprop")
        }
    }
}
