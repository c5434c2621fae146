// The held-out evaluations of a run: after every epoch the validation loss and greedy BLEU on the
// first test sentences; after training greedy and beam-search BLEU on the whole test set, with
// the sample translations and attention maps in samples/.
import Foundation
import WorkbenchCore
import WorkbenchData
import WorkbenchRun

struct Seq2SeqEvaluation {
    let model: Seq2SeqModel
    let data: TranslationData
    let recipe: Seq2SeqRecipe
    /// The first 1,000 validation pairs, for the per-epoch loss.
    let valid: [EncodedPair]

    init(_ model: Seq2SeqModel, data: TranslationData, recipe: Seq2SeqRecipe) {
        self.model = model
        self.data = data
        self.recipe = recipe
        valid = data.encode(Array(data.valid.prefix(1000)))
    }

    func references(_ pairs: [TokenPair]) -> [String] { pairs.map { Tokenizer.detokenize($0.target) } }

    /// After an epoch: `valid_loss` and `bleu`, greedy BLEU on the first `epochEvalSentences` test sentences.
    func epoch() -> [String: Double] {
        model.eval()
        let subset = Array(data.test.prefix(recipe.epochEvalSentences))
        let hypotheses = model.translateGreedy(subset.map(\.source), source: data.source, target: data.target)
        return ["valid_loss": validLoss(), "bleu": BLEU.corpus(hypotheses: hypotheses, references: references(subset)).score]
    }

    /// Mean cross-entropy per target token, teacher-forced.
    func validLoss() -> Double {
        guard !valid.isEmpty else { return .nan }
        return withNoGrad {
            var sum = 0.0, n = 0
            for batch in TextBatches(valid, batchSize: 128, shuffle: false, bucketing: true) {
                let (input, output) = teacherForcing(batch.target, lengths: batch.targetLengths)
                let k = batch.targetLengths.reduce(0, +)
                sum += Double(Seq2SeqModel.loss(model.forward(src: batch.source, tgt: input), target: output).item()) * Double(k)
                n += k
            }
            return sum / Double(n)
        }
    }

    /// After training: greedy BLEU on the whole test set and beam-search BLEU on its first
    /// `beamEvalSentences`, printed and written to samples/; nil when a stop ended the beam search.
    func test(_ run: ExperimentRun) throws -> [String: Double]? {
        model.eval()
        let pairs = data.test, refs = references(pairs)
        let t0 = ContinuousClock.now
        let greedy = run.times.measure("evaluation") { model.translateGreedy(pairs.map(\.source), source: data.source, target: data.target) }
        let greedySeconds = (ContinuousClock.now - t0).inSeconds
        let greedyBLEU = BLEU.corpus(hypotheses: greedy, references: refs)
        let t1 = ContinuousClock.now
        let beam = run.times.measure("beam_search") {
            var out: [String] = []
            for p in pairs.prefix(recipe.beamEvalSentences ?? pairs.count) where !run.stopRequested {
                out.append(model.translateBeam(p.source, source: data.source, target: data.target, beamWidth: recipe.beamWidth,
                                               lengthAlpha: recipe.lengthAlpha))
            }
            return out
        }
        if run.stopRequested { return nil }
        let beamSeconds = (ContinuousClock.now - t1).inSeconds
        let beamBLEU = BLEU.corpus(hypotheses: beam, references: Array(refs.prefix(beam.count)))
        let greedySubset = BLEU.corpus(hypotheses: Array(greedy.prefix(beam.count)), references: Array(refs.prefix(beam.count)))
        print("test (\(pairs.count) sentences): greedy \(greedyBLEU)\n  beam \(recipe.beamWidth) on the first \(beam.count): \(beamBLEU)"
              + " (greedy on the same: \(String(format: "%.2f", greedySubset.score)))\n  signature \(BLEU.signature)")
        var lines = ["# \(pairs.count) held-out sentences; BLEU signature \(BLEU.signature)", "# greedy: \(greedyBLEU)",
                     "# beam \(recipe.beamWidth) (length alpha \(recipe.lengthAlpha)) on the first \(beam.count): \(beamBLEU); greedy on those: \(greedySubset)", ""]
        for k in 0..<min(30, beam.count) {
            lines += ["source:    " + Tokenizer.detokenize(pairs[k].source), "reference: " + refs[k],
                      "greedy:    " + greedy[k], "beam \(recipe.beamWidth):    " + beam[k], ""]
        }
        let samples = run.samplesDirectory
        try writeFileAtomically(samples + "/translations.txt", Array(lines.joined(separator: "\n").utf8))
        for (name, text) in [("greedy", greedy), ("beam", beam), ("ref", refs)] {
            try writeFileAtomically("\(samples)/test.\(name).txt", Array((text.joined(separator: "\n") + "\n").utf8))
        }
        if model.config.attention { try writeAttentionMaps(pairs.prefix(4), to: samples) }
        return ["bleu": greedyBLEU.score, "bleu_beam": beamBLEU.score, "bleu_greedy_beam_subset": greedySubset.score,
                "beam_sentences": Double(beam.count), "test_sentences": Double(pairs.count), "greedy_seconds": greedySeconds,
                "beam_seconds": beamSeconds]
    }

    /// samples/attention_<k>.png and .txt: the greedy translation's attention weights of each pair.
    func writeAttentionMaps(_ pairs: ArraySlice<TokenPair>, to samples: String) throws {
        for (k, pair) in pairs.enumerated() {
            let ids = data.source.encode(pair.source, addSOS: false, addEOS: false)
            let (tokens, alpha) = model.greedyWithAttention(IndexTensor(shape: [1, ids.count], data: ids),
                                                            maxLength: Seq2SeqModel.maxLength(ids.count))
            let words = tokens.map { $0 == Vocabulary.eos ? "<eos>" : data.target.token($0) }
            try AttentionMap.write(source: pair.source, output: words, attention: alpha, to: samples + "/attention_\(k + 1)")
        }
    }
}

extension Seq2SeqModel {
    /// The decoding limit for a source of `sourceCount` tokens.
    static func maxLength(_ sourceCount: Int) -> Int { 2 * sourceCount + 10 }

    /// Greedy translations of tokenised sentences, batched by length; detokenised text in input order.
    func translateGreedy(_ sentences: [[String]], source: Vocabulary, target: Vocabulary, batchSize: Int = 128) -> [String] {
        let order = sentences.indices.sorted { sentences[$0].count < sentences[$1].count }
        var out = [String](repeating: "", count: sentences.count)
        for start in stride(from: 0, to: order.count, by: batchSize) where !Interrupt.isRequested {
            let idx = Array(order[start..<min(start + batchSize, order.count)])
            let ids = idx.map { source.encode(sentences[$0], addSOS: false, addEOS: false) }
            let result = greedy(padSequences(ids).ids, maxLength: Self.maxLength(ids.map(\.count).max() ?? 1))
            for (k, i) in idx.enumerated() { out[i] = Tokenizer.detokenize(target.decode(result[k])) }
        }
        return out
    }

    /// The beam-search translation of one tokenised sentence, detokenised.
    func translateBeam(_ sentence: [String], source: Vocabulary, target: Vocabulary, beamWidth: Int, lengthAlpha: Double) -> String {
        let ids = source.encode(sentence, addSOS: false, addEOS: false)
        guard !ids.isEmpty else { return "" }
        var hyp = beamSearch(IndexTensor(shape: [1, ids.count], data: ids), beamWidth: beamWidth,
                             maxLength: Self.maxLength(ids.count), lengthAlpha: lengthAlpha)
        if hyp.last == Vocabulary.eos { hyp.removeLast() }
        return Tokenizer.detokenize(target.decode(hyp))
    }
}
