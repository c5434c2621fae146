// The weights of one recurrent layer-direction (PyTorch's weight_ih_l*, weight_hh_l*, bias_*) and
// the shape checks shared by the LSTM and GRU ops.

/// The weights of one direction of one layer in PyTorch's layout: `weightIh` [G*H, I],
/// `weightHh` [G*H, H], `biasIh` [G*H], `biasHh` [G*H], where G = 4 for an LSTM (gates i, f, g, o)
/// and 3 for a GRU (gates r, z, n).
public struct RecurrentLayerWeights {
    public var weightIh: Tensor
    public var weightHh: Tensor
    public var biasIh: Tensor?
    public var biasHh: Tensor?

    public init(weightIh: Tensor, weightHh: Tensor, biasIh: Tensor? = nil, biasHh: Tensor? = nil) {
        self.weightIh = weightIh
        self.weightHh = weightHh
        self.biasIh = biasIh
        self.biasHh = biasHh
    }

    /// The parameters in PyTorch's state-dict order, biases only when present.
    public var tensors: [Tensor] { [weightIh, weightHh] + [biasIh, biasHh].compactMap { $0 } }

    /// Checks the shapes against `gates`, the input size and the hidden size of this layer.
    func validate(op: String, gates: Int, input: Int, hidden: Int) {
        precondition(weightIh.shape == [gates * hidden, input],
                     "\(op): weightIh \(weightIh.shape) should be [\(gates * hidden), \(input)]")
        precondition(weightHh.shape == [gates * hidden, hidden],
                     "\(op): weightHh \(weightHh.shape) should be [\(gates * hidden), \(hidden)]")
        for b in [biasIh, biasHh].compactMap({ $0 }) {
            precondition(b.shape == [gates * hidden], "\(op): bias \(b.shape) should be [\(gates * hidden)]")
        }
    }
}
