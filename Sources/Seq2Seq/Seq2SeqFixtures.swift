// The `seq2seq.model` fixture handler for `workbench verify`: binds the training's model to the
// fixture's config and parameters (`call.module`) and returns the teacher-forced logits as `y`
// [B*T, V] and, when the config asks for it, each source row's beam-search output as `beam`
// [B, max_len] (0-padded).
import WorkbenchCore
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

public enum Seq2SeqFixtures {
    /// Beam fixtures' fields besides the model config's (documented in papers/seq2seq/README.md).
    static let beamKeys: Set<String> = ["beam_width", "max_len", "length_alpha"]

    public static func register() {
        FixtureRegistry.register(model: "seq2seq.model") { call in try handle(call) }
    }

    static func handle(_ call: FixtureCall) throws -> [String: Tensor] {
        let c = call.config
        try c.expectOnly(Seq2SeqConfig.keys.union(beamKeys))
        let config = try Seq2SeqConfig(FixtureConfig(c.values.filter { Seq2SeqConfig.keys.contains($0.key) }))
        // The training's module with the fixture's parameters loaded by name (strictly).
        let model = try call.module { () -> Seq2SeqModel in
            var g = Generator(seed: 0)
            return Seq2SeqModel(config, generator: &g)
        }
        let src = try call.indexInput("src"), tgt = try call.indexInput("tgt")
        try require(src.shape.count == 2 && tgt.shape.count == 2 && src.shape[0] == tgt.shape[0],
                    "seq2seq: src \(src.shape) and tgt \(tgt.shape) must be [B, S] and [B, T]")
        try require(src.data.allSatisfy { $0 >= 0 && $0 < config.srcVocab } && tgt.data.allSatisfy { $0 >= 0 && $0 < config.tgtVocab },
                    "seq2seq: token ids out of vocabulary range")
        let logits = model.forward(src: src, tgt: tgt)
        var out = ["y": logits.reshape([-1, config.tgtVocab])]
        if c.has("beam_width") {
            let width = try c.int("beam_width"), maxLen = try c.int("max_len")
            let alpha = c.values["length_alpha"]?.doubleValue ?? 0
            try require(width >= 1 && maxLen >= 1, "seq2seq: beam_width and max_len must be positive")
            let b = src.shape[0], s = src.shape[1]
            var rows: [Float] = []
            for r in 0..<b {
                let ids = Array(src.data[(r * s)..<(r * s + s)].prefix { $0 != Vocabulary.pad })
                let hyp = model.beamSearch(IndexTensor(shape: [1, ids.count], data: ids), beamWidth: width,
                                           maxLength: maxLen, lengthAlpha: alpha)
                rows += hyp.map(Float.init) + [Float](repeating: 0, count: maxLen - hyp.count)
            }
            out["beam"] = Tensor(shape: [b, maxLen], data: rows)
        }
        return out
    }
}
