// nn.LSTM, nn.GRU (multi-layer, batch_first, bidirectional) and nn.LSTMCell with PyTorch's
// parameter names (`weight_ih_l0`, `bias_hh_l1_reverse`, ...) and init uniform(±1/sqrt(hidden)).

/// Shared parameter bookkeeping of LSTM and GRU.
public class RecurrentBase: Module {
    public let inputSize: Int, hiddenSize: Int, numLayers: Int
    public let batchFirst: Bool, bidirectional: Bool
    /// One entry per layer and direction, in PyTorch's order (l0, l0_reverse, l1, ...).
    public let layers: [RecurrentLayerWeights]

    init(gates: Int, _ inputSize: Int, _ hiddenSize: Int, numLayers: Int, bias: Bool, batchFirst: Bool,
         bidirectional: Bool, generator g: inout Generator) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.batchFirst = batchFirst
        self.bidirectional = bidirectional
        let bound = 1 / Float(hiddenSize).squareRoot()
        let dirs = bidirectional ? 2 : 1
        var layers: [RecurrentLayerWeights] = []
        for l in 0..<numLayers {
            for _ in 0..<dirs {
                let inSize = l == 0 ? inputSize : hiddenSize * dirs
                let wih = Init.uniform([gates * hiddenSize, inSize], bound: bound, generator: &g).requiringGrad()
                let whh = Init.uniform([gates * hiddenSize, hiddenSize], bound: bound, generator: &g).requiringGrad()
                let bih = bias ? Init.uniform([gates * hiddenSize], bound: bound, generator: &g).requiringGrad() : nil
                let bhh = bias ? Init.uniform([gates * hiddenSize], bound: bound, generator: &g).requiringGrad() : nil
                layers.append(RecurrentLayerWeights(weightIh: wih, weightHh: whh, biasIh: bih, biasHh: bhh))
            }
        }
        self.layers = layers
    }

    init(gates: Int, _ inputSize: Int, _ hiddenSize: Int, numLayers: Int, batchFirst: Bool, bidirectional: Bool,
         layers: [RecurrentLayerWeights]) {
        let dirs = bidirectional ? 2 : 1
        precondition(layers.count == numLayers * dirs, "\(layers.count) layer weights for \(numLayers) layers x \(dirs) directions")
        for (i, w) in layers.enumerated() {
            checkShapes(w, gates: gates, input: i < dirs ? inputSize : hiddenSize * dirs, hidden: hiddenSize)
        }
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.batchFirst = batchFirst
        self.bidirectional = bidirectional
        self.layers = layers.map {
            RecurrentLayerWeights(weightIh: $0.weightIh.requiringGrad(), weightHh: $0.weightHh.requiringGrad(),
                                  biasIh: $0.biasIh?.requiringGrad(), biasHh: $0.biasHh?.requiringGrad())
        }
    }

    override public var namedLocalParameters: [(String, Tensor)] {
        let dirs = bidirectional ? 2 : 1
        return layers.enumerated().flatMap { i, w -> [(String, Tensor)] in
            let sfx = "_l\(i / dirs)" + (i % dirs == 1 ? "_reverse" : "")
            var out = [("weight_ih" + sfx, w.weightIh), ("weight_hh" + sfx, w.weightHh)]
            if let b = w.biasIh { out.append(("bias_ih" + sfx, b)) }
            if let b = w.biasHh { out.append(("bias_hh" + sfx, b)) }
            return out
        }
    }
}

public final class LSTM: RecurrentBase {
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                bidirectional: Bool = false, generator g: inout Generator) {
        super.init(gates: 4, inputSize, hiddenSize, numLayers: numLayers, bias: bias, batchFirst: batchFirst,
                   bidirectional: bidirectional, generator: &g)
    }

    /// An LSTM holding the given weights (a paper's own init), one entry per layer and direction in
    /// PyTorch's order (l0, l0_reverse, l1, ...).
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, batchFirst: Bool = false, bidirectional: Bool = false,
                layers: [RecurrentLayerWeights]) {
        super.init(gates: 4, inputSize, hiddenSize, numLayers: numLayers, batchFirst: batchFirst, bidirectional: bidirectional,
                   layers: layers)
    }

    /// x [N, T, I] (batch_first) or [T, N, I]; h0, c0 [L*D, N, H] -> (output [N, T, D*H], hN, cN).
    /// `lengths` [N]: each row's real steps, as a packed sequence (`F.lstm`).
    public func forward(_ x: Tensor, h0: Tensor? = nil, c0: Tensor? = nil,
                        lengths: [Int]? = nil) -> (output: Tensor, hN: Tensor, cN: Tensor) {
        F.lstm(x, h0: h0, c0: c0, weights: layers, numLayers: numLayers, batchFirst: batchFirst, bidirectional: bidirectional,
               lengths: lengths)
    }

    /// `forward(embedding(tokens), h0:, c0:)` in one node that projects each distinct token once
    /// (`F.lstm(tokens:embedding:)`). tokens [N, T] (batch_first) or [T, N].
    public func forward(_ tokens: IndexTensor, embedding: Embedding, h0: Tensor? = nil, c0: Tensor? = nil,
                        lengths: [Int]? = nil) -> (output: Tensor, hN: Tensor, cN: Tensor) {
        F.lstm(tokens: tokens, embedding: embedding.weight, paddingIdx: embedding.paddingIdx, h0: h0, c0: c0,
               weights: layers, numLayers: numLayers, batchFirst: batchFirst, bidirectional: bidirectional, lengths: lengths)
    }
}

public final class GRU: RecurrentBase {
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                bidirectional: Bool = false, generator g: inout Generator) {
        super.init(gates: 3, inputSize, hiddenSize, numLayers: numLayers, bias: bias, batchFirst: batchFirst,
                   bidirectional: bidirectional, generator: &g)
    }

    /// x [N, T, I] (batch_first) or [T, N, I]; h0 [L*D, N, H] -> (output [N, T, D*H], hN).
    /// `lengths` [N]: each row's real steps, as a packed sequence (`F.gru`).
    public func forward(_ x: Tensor, h0: Tensor? = nil, lengths: [Int]? = nil) -> (output: Tensor, hN: Tensor) {
        F.gru(x, h0: h0, weights: layers, numLayers: numLayers, batchFirst: batchFirst, bidirectional: bidirectional,
              lengths: lengths)
    }

    /// `forward(embedding(tokens), h0:)` in one node that projects each distinct token once
    /// (`F.gru(tokens:embedding:)`). tokens [N, T] (batch_first) or [T, N].
    public func forward(_ tokens: IndexTensor, embedding: Embedding, h0: Tensor? = nil,
                        lengths: [Int]? = nil) -> (output: Tensor, hN: Tensor) {
        F.gru(tokens: tokens, embedding: embedding.weight, paddingIdx: embedding.paddingIdx, h0: h0,
              weights: layers, numLayers: numLayers, batchFirst: batchFirst, bidirectional: bidirectional, lengths: lengths)
    }
}

/// One LSTM step; parameters `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`.
public final class LSTMCell: Module {
    public let weights: RecurrentLayerWeights

    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, generator g: inout Generator) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        weights = RecurrentLayerWeights(
            weightIh: Init.uniform([4 * hiddenSize, inputSize], bound: bound, generator: &g).requiringGrad(),
            weightHh: Init.uniform([4 * hiddenSize, hiddenSize], bound: bound, generator: &g).requiringGrad(),
            biasIh: bias ? Init.uniform([4 * hiddenSize], bound: bound, generator: &g).requiringGrad() : nil,
            biasHh: bias ? Init.uniform([4 * hiddenSize], bound: bound, generator: &g).requiringGrad() : nil)
    }

    /// A cell holding the given weights (a paper's own init): weightIh [4H, I], weightHh [4H, H].
    public init(weights w: RecurrentLayerWeights) {
        checkShapes(w, gates: 4, input: w.weightIh.shape[1], hidden: w.weightHh.shape[1])
        weights = RecurrentLayerWeights(weightIh: w.weightIh.requiringGrad(), weightHh: w.weightHh.requiringGrad(),
                                        biasIh: w.biasIh?.requiringGrad(), biasHh: w.biasHh?.requiringGrad())
    }

    override public var namedLocalParameters: [(String, Tensor)] {
        var out = [("weight_ih", weights.weightIh), ("weight_hh", weights.weightHh)]
        if let b = weights.biasIh { out.append(("bias_ih", b)) }
        if let b = weights.biasHh { out.append(("bias_hh", b)) }
        return out
    }

    /// x [N, I], h [N, H], c [N, H] -> (h', c')
    public func forward(_ x: Tensor, h: Tensor, c: Tensor) -> (h: Tensor, c: Tensor) {
        F.lstmCell(x, h: h, c: c, weights: weights)
    }
}

/// Given weights must have PyTorch's shapes: weight_ih [G*H, I], weight_hh [G*H, H], biases [G*H].
func checkShapes(_ w: RecurrentLayerWeights, gates: Int, input: Int, hidden: Int) {
    let rows = gates * hidden
    precondition(w.weightIh.shape == [rows, input] && w.weightHh.shape == [rows, hidden]
                 && [w.biasIh, w.biasHh].allSatisfy { $0 == nil || $0!.shape == [rows] },
                 "recurrent weights \(w.tensors.map(\.shape)) do not fit \(gates) gates, input \(input), hidden \(hidden)")
}
