// Gate activations for the recurrent kernels.

@inline(__always) func gateSigmoid(_ x: Float) -> Float { 1 / (1 + fexp(-x)) }
@inline(__always) func gateTanh(_ x: Float) -> Float { ftanh(x) }
