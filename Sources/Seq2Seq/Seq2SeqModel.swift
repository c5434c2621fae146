// The encoder-decoder: Sutskever et al. 2014 (multi-layer LSTM, reversed source) or Bahdanau et
// al. 2014 additive attention over a bidirectional LSTM encoder, selected by `Seq2SeqConfig`.
// Parameter names and math follow papers/seq2seq/reference/model.py exactly.
import WorkbenchCore
import WorkbenchNN
import WorkbenchData
import WorkbenchRun

public struct Seq2SeqConfig: Sendable, Equatable {
    public var srcVocab: Int, tgtVocab: Int
    public var embed: Int, hidden: Int
    /// Encoder layers; the Sutskever decoder has as many, the attention decoder is one LSTMCell.
    public var numLayers: Int
    public var attention: Bool
    /// Feed each source sentence backwards (within its own length), as Sutskever et al. do.
    public var reverseSource: Bool

    public init(srcVocab: Int, tgtVocab: Int, embed: Int, hidden: Int, numLayers: Int = 1,
                attention: Bool = false, reverseSource: Bool = true) {
        self.srcVocab = srcVocab; self.tgtVocab = tgtVocab
        self.embed = embed; self.hidden = hidden; self.numLayers = numLayers
        self.attention = attention; self.reverseSource = reverseSource
    }

    /// Every parameter's state-dict name and shape, in PyTorch's registration order.
    public var parameterShapes: [(String, [Int])] {
        let H = hidden, E = embed, dirs = attention ? 2 : 1
        var out: [(String, [Int])] = [("src_embed.weight", [srcVocab, E]), ("tgt_embed.weight", [tgtVocab, E])]
        func lstm(_ prefix: String, input: Int, layers: Int, dirs: Int) {
            for l in 0..<layers {
                for d in 0..<dirs {
                    let sfx = "_l\(l)" + (d == 1 ? "_reverse" : ""), inSize = l == 0 ? input : H * dirs
                    out += [("\(prefix).weight_ih\(sfx)", [4 * H, inSize]), ("\(prefix).weight_hh\(sfx)", [4 * H, H]),
                            ("\(prefix).bias_ih\(sfx)", [4 * H]), ("\(prefix).bias_hh\(sfx)", [4 * H])]
                }
            }
        }
        lstm("encoder", input: E, layers: numLayers, dirs: dirs)
        if attention {
            out += [("bridge.weight", [H, H]), ("bridge.bias", [H]), ("attn_w.weight", [H, H]),
                    ("attn_u.weight", [H, 2 * H]), ("attn_u.bias", [H]), ("attn_v.weight", [1, H]),
                    ("decoder.weight_ih", [4 * H, E + 2 * H]), ("decoder.weight_hh", [4 * H, H]),
                    ("decoder.bias_ih", [4 * H]), ("decoder.bias_hh", [4 * H]),
                    ("out.weight", [tgtVocab, 3 * H + E]), ("out.bias", [tgtVocab])]
        } else {
            lstm("decoder", input: E, layers: numLayers, dirs: 1)
            out += [("out.weight", [tgtVocab, H]), ("out.bias", [tgtVocab])]
        }
        return out
    }
}

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

public final class Seq2SeqModel: Module {
    public let config: Seq2SeqConfig
    let params: [(String, Tensor)]
    let byName: [String: Tensor]

    override public var namedLocalParameters: [(String, Tensor)] { params }

    /// Every parameter uniform(-initRange, initRange) (Sutskever's ±0.08); padding rows zero.
    public init(_ config: Seq2SeqConfig, initRange: Float = 0.08, generator g: inout Generator) {
        self.config = config
        var ps: [(String, Tensor)] = []
        for (name, shape) in config.parameterShapes {
            let t = Init.uniform(shape, bound: initRange, generator: &g)
            if name.hasSuffix("_embed.weight") { for j in 0..<config.embed { t.data[j] = 0 } }
            ps.append((name, t.requiringGrad()))
        }
        params = ps
        byName = Dictionary(uniqueKeysWithValues: ps)
    }

    /// Uses the given tensors as the parameters (fixtures: gradients land on them).
    public init(_ config: Seq2SeqConfig, parameters: [String: Tensor]) throws {
        self.config = config
        var ps: [(String, Tensor)] = []
        for (name, shape) in config.parameterShapes {
            guard let t = parameters[name] else { throw RunError.invalid("seq2seq: missing parameter \(name)") }
            guard t.shape == shape else { throw RunError.invalid("seq2seq: \(name) has shape \(t.shape), expected \(shape)") }
            ps.append((name, t))
        }
        let extra = Set(parameters.keys).subtracting(ps.map(\.0))
        guard extra.isEmpty else { throw RunError.invalid("seq2seq: unexpected parameters \(extra.sorted())") }
        params = ps
        byName = Dictionary(uniqueKeysWithValues: ps)
    }

    func p(_ name: String) -> Tensor { byName[name]! }

    func lstmWeights(_ prefix: String, layers: Int, dirs: Int) -> [RecurrentLayerWeights] {
        var out: [RecurrentLayerWeights] = []
        for l in 0..<layers {
            for d in 0..<dirs {
                let sfx = "_l\(l)" + (d == 1 ? "_reverse" : "")
                out.append(RecurrentLayerWeights(weightIh: p("\(prefix).weight_ih\(sfx)"), weightHh: p("\(prefix).weight_hh\(sfx)"),
                                                 biasIh: p("\(prefix).bias_ih\(sfx)"), biasHh: p("\(prefix).bias_hh\(sfx)")))
            }
        }
        return out
    }

    var cellWeights: RecurrentLayerWeights {
        RecurrentLayerWeights(weightIh: p("decoder.weight_ih"), weightHh: p("decoder.weight_hh"),
                              biasIh: p("decoder.bias_ih"), biasHh: p("decoder.bias_hh"))
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
        let enc = F.lstm(tokens: x, embedding: p("src_embed.weight"), paddingIdx: Vocabulary.pad,
                         weights: lstmWeights("encoder", layers: c.numLayers, dirs: c.attention ? 2 : 1),
                         numLayers: c.numLayers, batchFirst: true, bidirectional: c.attention, lengths: lengths)
        guard c.attention else { return EncodedSource(memory: nil, keys: nil, maskBias: nil, state: DecoderState(h: enc.hN, c: enc.cN)) }
        let mask = Tensor(shape: x.shape, data: x.data.map { $0 == Vocabulary.pad ? -1e9 : 0 })
        // s_0 = tanh(bridge(<-h_1)): the backward direction of the last layer.
        let back = enc.hN.select(0, enc.hN.shape[0] - 1)                                   // [B, H]
        let s0 = F.tanh(F.linear(back, weight: p("bridge.weight"), bias: p("bridge.bias")))
        let keys = F.linear(enc.output, weight: p("attn_u.weight"), bias: p("attn_u.bias"))  // [B, S, H]
        return EncodedSource(memory: enc.output, keys: keys, maskBias: mask,
                             state: DecoderState(h: s0, c: Tensor.zeros(s0.shape)))
    }

    /// Additive attention for decoder state s [B, H] -> (context [B, 2H], weights [B, S]).
    func attend(_ e: EncodedSource, _ s: Tensor) -> (context: Tensor, alpha: Tensor) {
        let memory = e.memory!, keys = e.keys!
        let b = keys.shape[0], len = keys.shape[1]
        let q = F.linear(s, weight: p("attn_w.weight")).unsqueeze(1)                        // [B, 1, H]
        let scores = F.linear(F.tanh(keys + q), weight: p("attn_v.weight")).reshape([b, len]) + e.maskBias!
        let alpha = F.softmax(scores, dim: 1)                                               // [B, S]
        let context = alpha.unsqueeze(1).matmul(memory).reshape([b, memory.shape[2]])
        return (context, alpha)
    }

    /// Teacher forcing: src [B, S], tgt [B, T] starting with <sos> -> logits [B, T, V].
    public func forward(src: IndexTensor, tgt: IndexTensor) -> Tensor {
        let e = encode(src)
        if !config.attention {
            let dec = F.lstm(tokens: tgt, embedding: p("tgt_embed.weight"), paddingIdx: Vocabulary.pad, h0: e.state.h,
                             c0: e.state.c, weights: lstmWeights("decoder", layers: config.numLayers, dirs: 1),
                             numLayers: config.numLayers, batchFirst: true)
            return F.linear(dec.output, weight: p("out.weight"), bias: p("out.bias"))
        }
        let emb = F.embedding(tgt, weight: p("tgt_embed.weight"), paddingIdx: Vocabulary.pad) // [B, T, E]
        var s = e.state.h, c = e.state.c
        var features: [Tensor] = []
        for t in 0..<tgt.shape[1] {
            let y = emb.select(1, t)                                                        // [B, E]
            let (context, _) = attend(e, s)
            (s, c) = F.lstmCell(Tensor.cat([y, context], dim: 1), h: s, c: c, weights: cellWeights)
            features.append(Tensor.cat([s, context, y], dim: 1))
        }
        // One output projection over all steps: the same numbers as per step, one sgemm.
        return F.linear(Tensor.stack(features, dim: 1), weight: p("out.weight"), bias: p("out.bias"))
    }

    /// Mean cross-entropy over non-padding target positions. logits [B, T, V], target [B, T].
    public static func loss(_ logits: Tensor, target: IndexTensor) -> Tensor {
        let v = logits.shape[2]
        return F.crossEntropy(logits.reshape([-1, v]), target: target.reshaped([target.count]), ignoreIndex: Vocabulary.pad)
    }

    /// One decoding step: previous tokens [B] -> (log-probabilities [B, V], state, attention [B, S]?).
    public func step(_ e: EncodedSource, tokens: [Int], state: DecoderState) -> (logProbs: Tensor, state: DecoderState, alpha: Tensor?) {
        let y = F.embedding(IndexTensor(tokens), weight: p("tgt_embed.weight"), paddingIdx: Vocabulary.pad)  // [B, E]
        if !config.attention {
            let dec = F.lstm(y.unsqueeze(1), h0: state.h, c0: state.c, weights: lstmWeights("decoder", layers: config.numLayers, dirs: 1),
                             numLayers: config.numLayers, batchFirst: true)
            let logits = F.linear(dec.output.select(1, 0), weight: p("out.weight"), bias: p("out.bias"))
            return (F.logSoftmax(logits, dim: 1), DecoderState(h: dec.hN, c: dec.cN), nil)
        }
        let (context, alpha) = attend(e, state.h)
        let (s, c) = F.lstmCell(Tensor.cat([y, context], dim: 1), h: state.h, c: state.c, weights: cellWeights)
        let logits = F.linear(Tensor.cat([s, context, y], dim: 1), weight: p("out.weight"), bias: p("out.bias"))
        return (F.logSoftmax(logits, dim: 1), DecoderState(h: s, c: c), alpha)
    }
}
