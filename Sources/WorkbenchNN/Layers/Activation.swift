// Activation modules and nn.Dropout.

public final class ReLU: Module, Layer {
    override public init() {}
    public func forward(_ x: Tensor) -> Tensor { F.relu(x) }
}

public final class LeakyReLU: Module, Layer {
    public let negativeSlope: Float
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public func forward(_ x: Tensor) -> Tensor { F.leakyRelu(x, negativeSlope: negativeSlope) }
}

public final class Tanh: Module, Layer {
    override public init() {}
    public func forward(_ x: Tensor) -> Tensor { F.tanh(x) }
}

public final class Sigmoid: Module, Layer {
    override public init() {}
    public func forward(_ x: Tensor) -> Tensor { F.sigmoid(x) }
}

/// A generator shared by reference between the modules that draw during forward (Dropout), so
/// a model's randomness comes from one seeded stream.
public final class RandomSource {
    public var generator: Generator
    public init(seed: UInt64) { generator = Generator(seed: seed) }
}

/// Zeroes each element with probability p in train mode and scales the rest by 1/(1-p).
public final class Dropout: Module, Layer {
    public let p: Float
    public let random: RandomSource
    public init(p: Float = 0.5, random: RandomSource) {
        precondition(p >= 0 && p <= 1, "dropout probability must be in [0, 1], got \(p)")
        self.p = p
        self.random = random
    }
    public func forward(_ x: Tensor) -> Tensor {
        F.dropout(x, p: p, training: training, generator: &random.generator)
    }
}
