// __TITLE__
// The network. This is the scaffold's stand-in (one convolution, a max-pool, a linear layer):
// replace it by the paper's, layer by layer, keeping the parameter names of reference/model.py.
import WorkbenchNN

/// `features` = Conv2d → ReLU → MaxPool2d(2), `classifier` = Linear, registered like the
/// `nn.Sequential` and `nn.Linear` of reference/model.py, so the state-dict names are the same:
/// `features.0.weight`, `features.0.bias`, `classifier.weight`, `classifier.bias`.
public final class __Paper__Model: Module, Layer {
    public let config: __Paper__Config
    let features: Sequential
    let classifier: Linear

    /// A freshly initialised network (PyTorch's default layer init) drawing from `g`.
    public init(_ config: __Paper__Config, generator g: inout Generator) {
        self.config = config
        features = Sequential(
            Conv2d(config.inChannels, config.channels, kernelSize: config.kernelSize, padding: config.kernelSize / 2,
                   generator: &g),
            ReLU(),
            MaxPool2d(2))
        classifier = Linear(config.classifierInputs, config.numClasses, generator: &g)
    }

    override public var namedChildren: [(String, Module)] { [("features", features), ("classifier", classifier)] }

    /// [N, C, H, W] -> [N, numClasses] logits
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && Array(x.shape[1...]) == [config.inChannels] + config.imageSize,
                     "__Paper__Model: input \(x.shape) must be [N, \(config.inChannels), \(config.imageSize[0]), \(config.imageSize[1])]")
        return classifier(features(x).flatten(startDim: 1))
    }
}
