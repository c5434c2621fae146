// LeNet-5: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied to
// document recognition", Proceedings of the IEEE 86(11), 1998, Section II.B, Fig. 2 and Table I.
// C1 conv 6@5x5 -> S2 2x2 -> C3 conv 16@5x5 (Table I's connections) -> S4 2x2 -> C5 conv 120@5x5
// -> F6 linear 84 -> output linear 10 (the paper's RBF output units are not modelled).
import WorkbenchNN

/// Table I: the S2 maps (0-5) that each C3 map (0-15) takes as input.
public let leNetTable1: [[Int]] = [
    [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
    [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
    [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
    [0, 1, 2, 3, 4, 5],
]

/// Parameters `c1`, `c3`, `c5` (nn.Conv2d) and `f6`, `output` (nn.Linear), named like
/// reference/model.py's LeNet5. Table I is a constant 0/1 mask on C3's weight [16, 6, 5, 5]:
/// unconnected weights exist (as in the PyTorch reference) but get zero gradients.
public final class LeNetModel: Module, Layer {
    public let config: LeNetConfig
    let c1: Conv2d, c3: Conv2d, c5: Conv2d
    let f6: Linear, output: Linear
    /// [16, 6, 1, 1], 1 where Table I connects; nil when `c3_table` is off.
    let c3Mask: Tensor?

    /// A freshly initialised network (PyTorch's default layer init) drawing from `g`.
    public init(_ config: LeNetConfig, generator g: inout Generator) {
        self.config = config
        c1 = Conv2d(config.inChannels, config.c1Channels, kernelSize: 5, padding: config.c1Padding, generator: &g)
        c3 = Conv2d(config.c1Channels, config.c3Channels, kernelSize: 5, generator: &g)
        c5 = Conv2d(config.c3Channels, config.c5Channels, kernelSize: 5, generator: &g)
        f6 = Linear(config.f6Inputs, config.f6Features, generator: &g)
        output = Linear(config.f6Features, config.numClasses, generator: &g)
        if config.c3Table {
            var mask = [Float](repeating: 0, count: 16 * 6)
            for (j, inputs) in leNetTable1.enumerated() { for i in inputs { mask[j * 6 + i] = 1 } }
            c3Mask = Tensor(shape: [16, 6, 1, 1], data: mask)
        } else {
            c3Mask = nil
        }
    }

    override public var namedChildren: [(String, Module)] {
        [("c1", c1), ("c3", c3), ("c5", c5), ("f6", f6), ("output", output)]
    }

    /// Trainable parameters that take part in the computation (Table I's masked C3 weights excluded):
    /// the paper's count for its layers is C1 156, C3 1,516, C5 48,120, F6 10,164.
    public var effectiveParameterCount: Int {
        parameterCount - (c3Mask.map { mask in mask.data.filter { $0 == 0 }.count * 25 } ?? 0)
    }

    /// [N, C, H, W] -> [N, numClasses] logits
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && Array(x.shape[1...]) == [config.inChannels] + config.imageSize,
                     "LeNetModel: input \(x.shape) must be [N, \(config.inChannels), \(config.imageSize[0]), \(config.imageSize[1])]")
        var h = pool(act(c1(x)))                                        // [N, 6, 14, 14] for 28x28 + padding 2
        let w3 = c3Mask.map { c3.weight * $0 } ?? c3.weight
        h = pool(act(F.conv2d(h, weight: w3, bias: c3.bias)))           // [N, 16, 5, 5]
        h = act(c5(h)).flatten(startDim: 1)                             // [N, 120 * C5 positions]
        return output(act(f6(h)))                                       // [N, numClasses]
    }

    func act(_ x: Tensor) -> Tensor {
        switch config.activation {
        case .scaledTanh: return F.tanh(x * (2.0 / 3.0)) * 1.7159
        case .tanh: return F.tanh(x)
        case .relu: return F.relu(x)
        }
    }

    func pool(_ x: Tensor) -> Tensor {
        switch config.pool {
        case .avg: return F.avgPool2d(x, kernelSize: (2, 2))
        case .max: return F.maxPool2d(x, kernelSize: (2, 2))
        }
    }
}
