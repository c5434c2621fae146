// AlphaGo Zero's network (Silver et al. 2017, Methods, "Neural network architecture"): one residual
// tower with two heads. A convolutional block (3x3 conv, batch norm, ReLU), `blocks` residual blocks
// (3x3 conv, BN, ReLU, 3x3 conv, BN, skip connection, ReLU), a policy head (1x1 conv to 2 planes, BN,
// ReLU, a linear layer to one logit per move) and a value head (1x1 conv to 1 plane, BN, ReLU, a
// linear layer to `value_hidden` units, ReLU, a linear layer to one unit, tanh). The paper's Go net
// has 256 filters and 19 or 39 blocks; the board and the widths come from the config.
import WorkbenchNN

/// One residual block: relu(bn2(conv2(relu(bn1(conv1(x))))) + x), same shape out.
public final class ResidualBlock: Module, Layer {
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d

    public init(channels: Int, generator g: inout Generator) {
        conv1 = Conv2d(channels, channels, kernelSize: 3, padding: 1, bias: false, generator: &g)
        bn1 = BatchNorm2d(channels)
        conv2 = Conv2d(channels, channels, kernelSize: 3, padding: 1, bias: false, generator: &g)
        bn2 = BatchNorm2d(channels)
    }

    override public var namedChildren: [(String, Module)] { [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)] }

    /// [N, C, H, W] -> [N, C, H, W]
    public func forward(_ x: Tensor) -> Tensor {
        F.relu(bn2(conv2(bn1.forwardReLU(conv1(x)))) + x)
    }
}

/// The dual-head network; state-dict names as in reference/model.py (`conv.weight`,
/// `blocks.0.conv1.weight`, `policy_fc.bias`, `value_fc2.weight`, ...).
public final class AlphaGoZeroNet: Module {
    public let config: AlphaGoZeroConfig
    let conv: Conv2d, bn: BatchNorm2d, blocks: Sequential
    let policyConv: Conv2d, policyBN: BatchNorm2d, policyFC: Linear
    let valueConv: Conv2d, valueBN: BatchNorm2d, valueFC1: Linear, valueFC2: Linear

    /// A freshly initialised network (PyTorch's default layer init) drawing from `g`.
    public init(_ config: AlphaGoZeroConfig, generator g: inout Generator) {
        self.config = config
        let c = config.channels, area = config.rows * config.columns
        conv = Conv2d(config.inChannels, c, kernelSize: 3, padding: 1, bias: false, generator: &g)
        bn = BatchNorm2d(c)
        blocks = Sequential((0..<config.blocks).map { _ in ResidualBlock(channels: c, generator: &g) })
        policyConv = Conv2d(c, 2, kernelSize: 1, bias: false, generator: &g)
        policyBN = BatchNorm2d(2)
        policyFC = Linear(2 * area, config.actions, generator: &g)
        valueConv = Conv2d(c, 1, kernelSize: 1, bias: false, generator: &g)
        valueBN = BatchNorm2d(1)
        valueFC1 = Linear(area, config.valueHidden, generator: &g)
        valueFC2 = Linear(config.valueHidden, 1, generator: &g)
    }

    override public var namedChildren: [(String, Module)] {
        [("conv", conv), ("bn", bn), ("blocks", blocks),
         ("policy_conv", policyConv), ("policy_bn", policyBN), ("policy_fc", policyFC),
         ("value_conv", valueConv), ("value_bn", valueBN), ("value_fc1", valueFC1), ("value_fc2", valueFC2)]
    }

    /// x [N, in_channels, rows, columns] -> (policy logits [N, actions], value [N] in (-1, 1)).
    public func callAsFunction(_ x: Tensor) -> (logits: Tensor, value: Tensor) {
        precondition(x.rank == 4 && Array(x.shape.dropFirst()) == [config.inChannels, config.rows, config.columns],
                     "AlphaGoZeroNet: input \(x.shape) must be [N, \(config.inChannels), \(config.rows), \(config.columns)]")
        let n = x.shape[0]
        let h = blocks(bn.forwardReLU(conv(x)))
        let logits = policyFC(policyBN.forwardReLU(policyConv(h)).reshape([n, -1]))
        let hidden = F.relu(valueFC1(valueBN.forwardReLU(valueConv(h)).reshape([n, -1])))
        return (logits, F.tanh(valueFC2(hidden)).reshape([n]))
    }
}

/// The paper's loss without its L2 term (which is the optimizer's weight decay):
/// mean over positions of (z - v)^2 - pi^T log p. Returns the total and its two parts.
public func alphaGoZeroLoss(logits: Tensor, value: Tensor, pi: Tensor, z: Tensor) -> (loss: Tensor, valueLoss: Tensor, policyLoss: Tensor) {
    precondition(pi.shape == logits.shape && z.shape == value.shape && value.shape == [logits.shape[0]],
                 "alphaGoZeroLoss: logits \(logits.shape), value \(value.shape), pi \(pi.shape), z \(z.shape)")
    let valueLoss = F.mseLoss(value, target: z)
    let policyLoss = -(pi * F.logSoftmax(logits, dim: 1)).sum(dim: 1).mean()
    return (valueLoss + policyLoss, valueLoss, policyLoss)
}
