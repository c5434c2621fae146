// The encoder-decoder: Sutskever et al. 2014 (multi-layer LSTM, reversed source) or Bahdanau et
// al. 2014 additive attention over a bidirectional LSTM encoder, selected by `Seq2SeqConfig`.
// Parameter names and math follow papers/seq2seq/reference/model.py exactly.
import WorkbenchCore
import WorkbenchNN
import WorkbenchData

/// What the decoder reads from the source: attention memory and mask, and the initial state.
public struct EncodedSource {
    /// Encoder outputs [B, S, 2H] and their projection U·h_j [B, S, H] (attention only).
    public var memory: Tensor?, keys: Tensor?
    /// 0 at real source positions, -1e9 at padding. // [B, S]
    public var maskBias: Tensor?
    public var state: DecoderState
}

/// Sutskever: h, c [L, B, H]; attention: s, c [B, H].
public struct DecoderState {
    public var h: Tensor, c: Tensor
}

/// Bahdanau et al.'s decoder: the bridge s_0 = tanh(W_s ←h_1), the additive attention
/// e_ij = vᵀ tanh(W s_{i-1} + U h_j), and one LSTMCell fed [E y_{i-1}; c_i].
public struct AttentionDecoder {
    public let bridge: Linear, attnW: Linear, attnU: Linear, attnV: Linear
    public let cell: LSTMCell

    /// The model's children under their state-dict names, in registration order.
    var children: [(String, Module)] {
        [("bridge", bridge), ("attn_w", attnW), ("attn_u", attnU), ("attn_v", attnV), ("decoder", cell)]
    }

    /// Additive attention for decoder state s [B, H] -> (context [B, 2H], weights [B, S]).
    func attend(_ e: EncodedSource, _ s: Tensor) -> (context: Tensor, alpha: Tensor) {
        let memory = e.memory!, keys = e.keys!
        let b = keys.shape[0], len = keys.shape[1]
        let q = attnW(s).unsqueeze(1)                                                       // [B, 1, H]
        let scores = attnV(F.tanh(keys + q)).reshape([b, len]) + e.maskBias!
        let alpha = F.softmax(scores, dim: 1)                                               // [B, S]
        let context = alpha.unsqueeze(1).matmul(memory).reshape([b, memory.shape[2]])
        return (context, alpha)
    }
}

public final class Seq2SeqModel: Module {
    public let config: Seq2SeqConfig
    public let srcEmbed: Embedding, tgtEmbed: Embedding
    /// numLayers LSTM layers; bidirectional in the attention model.
    public let encoder: LSTM
    /// Sutskever's decoder: numLayers LSTM layers started from the encoder's final states (nil with attention).
    public let decoder: LSTM?
    /// Bahdanau's decoder (nil without attention).
    public let attention: AttentionDecoder?
    public let out: Linear

    override public var namedChildren: [(String, Module)] {
        [("src_embed", srcEmbed), ("tgt_embed", tgtEmbed), ("encoder", encoder)]
            + (attention?.children ?? [("decoder", decoder!)]) + [("out", out)]
    }

    /// Every parameter uniform(-initRange, initRange) (Sutskever's ±0.08), drawn in state-dict
    /// order; the embeddings' padding rows zero.
    public init(_ config: Seq2SeqConfig, initRange: Float = 0.08, generator g: inout Generator) {
        self.config = config
        let E = config.embed, H = config.hidden, L = config.numLayers, dirs = config.attention ? 2 : 1
        func uniform(_ shape: [Int]) -> Tensor { Init.uniform(shape, bound: initRange, generator: &g) }
        func embedding(_ rows: Int) -> Embedding {
            let w = uniform([rows, E])
            for j in 0..<E { w.data[Vocabulary.pad * E + j] = 0 }
            return Embedding(weight: w, paddingIdx: Vocabulary.pad)
        }
        // weight_ih, weight_hh, bias_ih, bias_hh of l0, l0_reverse, l1, ...
        func lstmLayers(input: Int, layers: Int, dirs: Int) -> [RecurrentLayerWeights] {
            var out: [RecurrentLayerWeights] = []
            for l in 0..<layers {
                for _ in 0..<dirs {
                    out.append(RecurrentLayerWeights(weightIh: uniform([4 * H, l == 0 ? input : H * dirs]), weightHh: uniform([4 * H, H]),
                                                     biasIh: uniform([4 * H]), biasHh: uniform([4 * H])))
                }
            }
            return out
        }
        srcEmbed = embedding(config.srcVocab)
        tgtEmbed = embedding(config.tgtVocab)
        encoder = LSTM(E, H, numLayers: L, batchFirst: true, bidirectional: config.attention,
                       layers: lstmLayers(input: E, layers: L, dirs: dirs))
        if config.attention {
            let bridge = Linear(weight: uniform([H, H]), bias: uniform([H]))
            let attnW = Linear(weight: uniform([H, H]), bias: nil)
            let attnU = Linear(weight: uniform([H, 2 * H]), bias: uniform([H]))
            let attnV = Linear(weight: uniform([1, H]), bias: nil)
            attention = AttentionDecoder(bridge: bridge, attnW: attnW, attnU: attnU, attnV: attnV,
                                         cell: LSTMCell(weights: lstmLayers(input: E + 2 * H, layers: 1, dirs: 1)[0]))
            decoder = nil
            out = Linear(weight: uniform([config.tgtVocab, 3 * H + E]), bias: uniform([config.tgtVocab]))
        } else {
            decoder = LSTM(E, H, numLayers: L, batchFirst: true, layers: lstmLayers(input: E, layers: L, dirs: 1))
            attention = nil
            out = Linear(weight: uniform([config.tgtVocab, H]), bias: uniform([config.tgtVocab]))
        }
    }

    /// Real tokens of each right-padded row of src [B, S]; at least 1 (an empty row is read as one
    /// padding token, as the packed encoder needs a step).
    public static func sourceLengths(_ src: IndexTensor) -> [Int] {
        let s = src.shape[1]
        return (0..<src.shape[0]).map { r in Swift.max(1, src.data[r * s ..< (r + 1) * s].count(where: { $0 != Vocabulary.pad })) }
    }

    /// Each row's tokens reversed within its length, still right-padded, so the encoder's last
    /// real step reads the first word. // [B, S]
    public static func reverseSource(_ src: IndexTensor, lengths: [Int]) -> IndexTensor {
        let s = src.shape[1]
        var out = src.data
        for (r, n) in lengths.enumerated() {
            for k in 0..<n { out[r * s + k] = src.data[r * s + n - 1 - k] }
        }
        return IndexTensor(shape: src.shape, data: out)
    }

    /// src [B, S] right-padded ids. Each sentence is encoded on its own (packed sequences):
    /// padding never enters a state, so nothing depends on the batch-mates.
    public func encode(_ src: IndexTensor) -> EncodedSource {
        let c = config
        let lengths = Self.sourceLengths(src)
        let x = c.reverseSource ? Self.reverseSource(src, lengths: lengths) : src
        // The embedding lookup inside the LSTM node: each distinct source token is projected once.
        let enc = encoder.forward(x, embedding: srcEmbed, lengths: lengths)
        guard let a = attention else { return EncodedSource(memory: nil, keys: nil, maskBias: nil, state: DecoderState(h: enc.hN, c: enc.cN)) }
        let mask = Tensor(shape: x.shape, data: x.data.map { $0 == Vocabulary.pad ? -1e9 : 0 })
        // s_0 = tanh(bridge(<-h_1)): the backward direction of the last layer.
        let back = enc.hN.select(0, enc.hN.shape[0] - 1)                                   // [B, H]
        let s0 = F.tanh(a.bridge(back))
        let keys = a.attnU(enc.output)                                                      // [B, S, H]
        return EncodedSource(memory: enc.output, keys: keys, maskBias: mask,
                             state: DecoderState(h: s0, c: Tensor.zeros(s0.shape)))
    }

    /// Teacher forcing: src [B, S], tgt [B, T] starting with <sos> -> logits [B, T, V].
    public func forward(src: IndexTensor, tgt: IndexTensor) -> Tensor {
        let e = encode(src)
        guard let a = attention else {
            return out(decoder!.forward(tgt, embedding: tgtEmbed, h0: e.state.h, c0: e.state.c).output)
        }
        let emb = tgtEmbed(tgt)                                                             // [B, T, E]
        var s = e.state.h, c = e.state.c
        var features: [Tensor] = []
        for t in 0..<tgt.shape[1] {
            let y = emb.select(1, t)                                                        // [B, E]
            let (context, _) = a.attend(e, s)
            (s, c) = a.cell.forward(Tensor.cat([y, context], dim: 1), h: s, c: c)
            features.append(Tensor.cat([s, context, y], dim: 1))
        }
        // One output projection over all steps: the same numbers as per step, one sgemm.
        return out(Tensor.stack(features, dim: 1))
    }

    /// Mean cross-entropy over non-padding target positions. logits [B, T, V], target [B, T].
    public static func loss(_ logits: Tensor, target: IndexTensor) -> Tensor {
        let v = logits.shape[2]
        return F.crossEntropy(logits.reshape([-1, v]), target: target.reshaped([target.count]), ignoreIndex: Vocabulary.pad)
    }

    /// One decoding step: previous tokens [B] -> (log-probabilities [B, V], state, attention [B, S]?).
    public func step(_ e: EncodedSource, tokens: [Int], state: DecoderState) -> (logProbs: Tensor, state: DecoderState, alpha: Tensor?) {
        let y = tgtEmbed(IndexTensor(tokens))                                               // [B, E]
        guard let a = attention else {
            let dec = decoder!.forward(y.unsqueeze(1), h0: state.h, c0: state.c)
            return (F.logSoftmax(out(dec.output.select(1, 0)), dim: 1), DecoderState(h: dec.hN, c: dec.cN), nil)
        }
        let (context, alpha) = a.attend(e, state.h)
        let (s, c) = a.cell.forward(Tensor.cat([y, context], dim: 1), h: state.h, c: state.c)
        let logits = out(Tensor.cat([s, context, y], dim: 1))
        return (F.logSoftmax(logits, dim: 1), DecoderState(h: s, c: c), alpha)
    }
}
