// Learning-rate schedules (torch.optim.lr_scheduler): call `step()` once per epoch after the
// optimizer's steps; the optimizer's `lr` is set from the closed form for the epoch count.
import Foundation

public protocol LRScheduler: AnyObject {
    var optimizer: Optimizer { get }
    var baseLR: Float { get }
    /// Epochs stepped so far (PyTorch's `last_epoch`).
    var epoch: Int { get set }
    /// The learning rate for epoch `epoch`.
    func lr(at epoch: Int) -> Float
}

extension LRScheduler {
    /// Advances one epoch and sets the optimizer's learning rate.
    public func step() {
        epoch += 1
        optimizer.lr = lr(at: epoch)
    }
}

/// lr = base * gamma^(epoch / stepSize) (`StepLR`).
public final class StepLR: LRScheduler {
    public let optimizer: Optimizer
    public let baseLR: Float
    public var epoch = 0
    public let stepSize: Int, gamma: Float
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepLR step size must be positive")
        self.optimizer = optimizer
        baseLR = optimizer.lr
        self.stepSize = stepSize
        self.gamma = gamma
    }
    public func lr(at epoch: Int) -> Float { baseLR * powf(gamma, Float(epoch / stepSize)) }
}

/// lr = base * gamma^epoch (`ExponentialLR`).
public final class ExponentialLR: LRScheduler {
    public let optimizer: Optimizer
    public let baseLR: Float
    public var epoch = 0
    public let gamma: Float
    public init(_ optimizer: Optimizer, gamma: Float) {
        self.optimizer = optimizer
        baseLR = optimizer.lr
        self.gamma = gamma
    }
    public func lr(at epoch: Int) -> Float { baseLR * powf(gamma, Float(epoch)) }
}

/// lr = etaMin + (base - etaMin) * (1 + cos(pi * epoch / tMax)) / 2 (`CosineAnnealingLR`, closed form).
public final class CosineAnnealingLR: LRScheduler {
    public let optimizer: Optimizer
    public let baseLR: Float
    public var epoch = 0
    public let tMax: Int, etaMin: Float
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Float = 0) {
        precondition(tMax > 0, "CosineAnnealingLR tMax must be positive")
        self.optimizer = optimizer
        baseLR = optimizer.lr
        self.tMax = tMax
        self.etaMin = etaMin
    }
    public func lr(at epoch: Int) -> Float {
        etaMin + (baseLR - etaMin) * (1 + Float(cos(Double.pi * Double(epoch) / Double(tMax)))) / 2
    }
}
