// The encoder-decoder's shape: vocabularies, sizes, and the variant (Sutskever or Bahdanau
// attention). Its snake_case names are those of a run's model.json and of the fixture configs
// (papers/seq2seq/reference/model.py reads the same names).
import WorkbenchRun

public struct Seq2SeqConfig: ModelConfig, Equatable {
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

    /// The config's field names.
    public static let keys: Set<String> = ["src_vocab", "tgt_vocab", "embed", "hidden", "num_layers", "attention", "reverse_source"]

    public var json: [String: JSONValue] {
        ["src_vocab": .int(srcVocab), "tgt_vocab": .int(tgtVocab), "embed": .int(embed), "hidden": .int(hidden),
         "num_layers": .int(numLayers), "attention": .bool(attention), "reverse_source": .bool(reverseSource)]
    }

    /// Reads a config: vocabularies and sizes are required; `num_layers` defaults to 1,
    /// `attention` to false, `reverse_source` to `!attention`; unknown fields are an error.
    public init(_ c: FixtureConfig) throws(FixtureError) {
        try c.expectOnly(Self.keys)
        let attention = try c.bool("attention", default: false)
        self.init(srcVocab: try c.int("src_vocab"), tgtVocab: try c.int("tgt_vocab"), embed: try c.int("embed"),
                  hidden: try c.int("hidden"), numLayers: try c.int("num_layers", default: 1), attention: attention,
                  reverseSource: try c.bool("reverse_source", default: !attention))
        try require([srcVocab, tgtVocab, embed, hidden, numLayers].allSatisfy { $0 > 0 },
                    "config: src_vocab, tgt_vocab, embed, hidden and num_layers must be positive")
    }
}
