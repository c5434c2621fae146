// Where GoogLeNet's parameters and buffers come from: a fresh PyTorch-default initialisation, or
// given tensors used as they are (the very leaves of a fixture, so that its gradients land there).
import WorkbenchNN

/// Hands out tensors by their full state-dict name.
///
/// Fixture verification needs the model to compute with the fixture's own parameter tensors,
/// not copies: `workbench verify` reads the gradients from them and steps its optimizer on them.
/// WorkbenchNN's layers always create their own tensors, so this paper's few parameterised layers
/// (conv, batch norm, linear) take theirs from a source instead.
public final class TensorSource {
    /// Draws fresh tensors when `given` is nil.
    public var generator: Generator
    let given: ((String) -> Tensor?)?

    /// Fresh tensors, initialised like PyTorch's layers, drawn from `generator` in construction order.
    public init(generator: Generator) {
        self.generator = generator
        given = nil
    }

    /// Existing tensors by state-dict name (parameters must already require grad). A missing
    /// name or a wrong shape is a programmer error: check names with `stateDictShapes` first.
    public init(tensors lookup: @escaping (String) -> Tensor?) {
        generator = Generator(seed: 0)
        given = lookup
    }

    /// The tensor called `name`: the given one, or `fresh(&generator)`.
    func tensor(_ name: String, _ shape: [Int], fresh: (inout Generator) -> Tensor) -> Tensor {
        guard let given else { return fresh(&generator) }
        guard let t = given(name) else { preconditionFailure("TensorSource: no tensor named \(name)") }
        precondition(t.shape == shape, "TensorSource: \(name) has shape \(t.shape), the model needs \(shape)")
        return t
    }
}

/// A position in the model's name tree: a source plus the dotted prefix of the current module.
struct Scope {
    let source: TensorSource
    let prefix: String

    func child(_ name: String) -> Scope { Scope(source: source, prefix: prefix + name + ".") }

    func tensor(_ name: String, _ shape: [Int], fresh: (inout Generator) -> Tensor) -> Tensor {
        source.tensor(prefix + name, shape, fresh: fresh)
    }
}

/// nn.Conv2d (groups 1) with its tensors from a scope; weight [out, in, k, k], bias [out].
final class SourcedConv2d: Module, Layer {
    let weight: Tensor
    let bias: Tensor?
    let stride: Int, padding: Int

    init(_ scope: Scope, _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool) {
        let shape = [outChannels, inChannels, kernelSize, kernelSize]
        weight = scope.tensor("weight", shape) { Init.kaimingUniform(shape, generator: &$0).requiringGrad() }
        self.bias = bias ? scope.tensor("bias", [outChannels]) {
            Init.defaultBias(outChannels, weightShape: shape, generator: &$0).requiringGrad()
        } : nil
        self.stride = stride
        self.padding = padding
    }

    override var namedLocalParameters: [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    /// [N, in, H, W] -> [N, out, Ho, Wo]
    func forward(_ x: Tensor) -> Tensor {
        F.conv2d(x, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding))
    }
}

/// nn.BatchNorm2d (affine, momentum 0.1) with its tensors from a scope.
final class SourcedBatchNorm2d: Module, Layer {
    let weight: Tensor, bias: Tensor
    let runningMean: Tensor, runningVar: Tensor, numBatchesTracked: Tensor
    let eps: Float

    init(_ scope: Scope, _ features: Int, eps: Float) {
        weight = scope.tensor("weight", [features]) { _ in Tensor.ones([features], requiresGrad: true) }
        bias = scope.tensor("bias", [features]) { _ in Tensor.zeros([features], requiresGrad: true) }
        runningMean = scope.tensor("running_mean", [features]) { _ in Tensor.zeros([features]) }
        runningVar = scope.tensor("running_var", [features]) { _ in Tensor.ones([features]) }
        numBatchesTracked = scope.tensor("num_batches_tracked", []) { _ in Tensor.zeros([]) }
        self.eps = eps
    }

    override var namedLocalParameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }
    override var namedLocalBuffers: [(String, Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    /// [N, C, H, W] -> [N, C, H, W]
    func forward(_ x: Tensor) -> Tensor {
        if training { numBatchesTracked.data[0] += 1 }
        return F.batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                           training: training, momentum: 0.1, eps: eps)
    }

    /// relu(forward(x)) as one fused node (same values, one pass less over the activations).
    /// [N, C, H, W] -> [N, C, H, W]
    func forwardReLU(_ x: Tensor) -> Tensor {
        if training { numBatchesTracked.data[0] += 1 }
        return F.batchNormReLU(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                               training: training, momentum: 0.1, eps: eps)
    }
}

/// nn.Linear with its tensors from a scope; weight [out, in], bias [out].
final class SourcedLinear: Module, Layer {
    let weight: Tensor, bias: Tensor

    init(_ scope: Scope, _ inFeatures: Int, _ outFeatures: Int) {
        let shape = [outFeatures, inFeatures]
        weight = scope.tensor("weight", shape) { Init.kaimingUniform(shape, generator: &$0).requiringGrad() }
        bias = scope.tensor("bias", [outFeatures]) { Init.defaultBias(outFeatures, weightShape: shape, generator: &$0).requiringGrad() }
    }

    override var namedLocalParameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }

    /// [N, in] -> [N, out]
    func forward(_ x: Tensor) -> Tensor { F.linear(x, weight: weight, bias: bias) }
}
