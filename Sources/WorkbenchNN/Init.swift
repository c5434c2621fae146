// Weight initialisers with PyTorch's formulas (torch.nn.init), all drawing from a passed-in generator.

public enum Init {
    /// fan_in and fan_out of a weight shape as torch.nn.init computes them: dims 1 and 0 times
    /// the receptive field (so a ConvTranspose weight [in, out, kh, kw] has fan_in = out * kh * kw).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "fan in/out need a weight of rank >= 2, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    public static func uniform(_ shape: [Int], bound: Float, generator g: inout Generator) -> Tensor {
        Tensor.uniform(shape, low: -bound, high: bound, generator: &g)
    }

    public static func normal(_ shape: [Int], mean: Float = 0, std: Float, generator g: inout Generator) -> Tensor {
        Tensor.normal(shape, mean: mean, std: std, generator: &g)
    }

    /// kaiming_uniform_ with leaky-ReLU slope `a` on fan_in: bound = gain * sqrt(3 / fan_in),
    /// gain = sqrt(2 / (1 + a²)). PyTorch's Linear/Conv default uses a = √5, i.e. bound 1/sqrt(fan_in).
    public static func kaimingUniform(_ shape: [Int], a: Float = Float(5).squareRoot(), generator g: inout Generator) -> Tensor {
        let gain = (2 / (1 + a * a)).squareRoot()
        let fanIn = Float(Swift.max(fans(shape).fanIn, 1))
        return uniform(shape, bound: gain * (3 / fanIn).squareRoot(), generator: &g)
    }

    /// The bias init of Linear/Conv: uniform(±1/sqrt(fan_in)) with the weight's fan_in.
    public static func defaultBias(_ count: Int, weightShape: [Int], generator g: inout Generator) -> Tensor {
        let fanIn = fans(weightShape).fanIn
        return uniform([count], bound: fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0, generator: &g)
    }

    /// xavier_uniform_: bound = gain * sqrt(6 / (fan_in + fan_out)).
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, generator g: inout Generator) -> Tensor {
        let (fi, fo) = fans(shape)
        return uniform(shape, bound: gain * (6 / Float(fi + fo)).squareRoot(), generator: &g)
    }

    /// xavier_normal_: std = gain * sqrt(2 / (fan_in + fan_out)).
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, generator g: inout Generator) -> Tensor {
        let (fi, fo) = fans(shape)
        return normal(shape, std: gain * (2 / Float(fi + fo)).squareRoot(), generator: &g)
    }
}
