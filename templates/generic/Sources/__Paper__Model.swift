// __TITLE__
// The network. This is the scaffold's stand-in (a two-hidden-layer perceptron): replace it by the
// paper's, layer by layer, keeping the parameter names of reference/model.py.
import WorkbenchNN

/// `layers` = Linear → Tanh → Linear → Tanh → Linear, registered like the `nn.Sequential` of
/// reference/model.py, so the state-dict names are the same: `layers.0.weight`, ..., `layers.4.bias`.
public final class __Paper__Model: Module, Layer {
    public let config: __Paper__Config
    let layers: Sequential

    /// A freshly initialised network (PyTorch's default layer init) drawing from `g`.
    public init(_ config: __Paper__Config, generator g: inout Generator) {
        self.config = config
        layers = Sequential(
            Linear(config.inputs, config.hidden, generator: &g), Tanh(),
            Linear(config.hidden, config.hidden, generator: &g), Tanh(),
            Linear(config.hidden, config.outputs, generator: &g))
    }

    override public var namedChildren: [(String, Module)] { [("layers", layers)] }

    /// [N, inputs] -> [N, outputs]
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == config.inputs, "__Paper__Model: input \(x.shape) must be [N, \(config.inputs)]")
        return layers(x)
    }
}
