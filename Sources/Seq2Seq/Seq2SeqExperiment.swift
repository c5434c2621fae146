// `workbench run seq2seq`: trains the encoder-decoder with teacher forcing, logs loss and held-out
// BLEU per epoch, writes sample translations, and reports greedy and beam-search BLEU.
import Foundation
import WorkbenchCore
import WorkbenchNN
import WorkbenchData
import WorkbenchRun

public struct Seq2SeqSettings: Sendable {
    public var attention: Bool
    public var numLayers = 1
    public var embed = 128, hidden = 256
    public var batchSize = 64
    public var epochs = 5
    /// "sgd" (Sutskever: plain SGD, halving schedule) or "adam".
    public var optimizer = "adam"
    public var lr: Float = 1e-3
    public var clip: Float = 5
    /// SGD only: halve the learning rate every half epoch from this epoch on (Sutskever: 5 of 7.5).
    public var halvingStart: Double = 5
    /// Use only the first pairs of the training set (nil: all).
    public var trainLimit: Int?
    /// Test sentences decoded for the per-epoch BLEU (the final BLEU uses the whole test set).
    public var epochEvalSentences = 500
    /// Test sentences decoded with beam search at the end (nil: all).
    public var beamEvalSentences: Int?
    public var beamWidth = 5
    public var lengthAlpha = 0.6
    /// Pairs with more tokens on either side are skipped, in every corpus form (generated,
    /// aligned files, TSV); the count is in config.json's `data`. Bounds a step's time and memory.
    public var maxLength = 50

    public var json: [String: JSONValue] {
        var o: [String: JSONValue] = [
            "attention": .bool(attention), "num_layers": .int(numLayers), "embed": .int(embed), "hidden": .int(hidden),
            "batch_size": .int(batchSize), "epochs": .int(epochs), "optimizer": .string(optimizer), "lr": .double(Double(lr)),
            "clip_grad_norm": .double(Double(clip)), "init": .string("uniform(-0.08, 0.08)"),
            "reverse_source": .bool(!attention), "beam_width": .int(beamWidth), "length_alpha": .double(lengthAlpha),
            "epoch_eval_sentences": .int(epochEvalSentences), "beam_eval_sentences": beamEvalSentences.map { .int($0) } ?? .null,
            "max_length": .int(maxLength),
        ]
        if optimizer == "sgd" { o["halving_start_epoch"] = .double(halvingStart) }
        if let trainLimit { o["train_limit"] = .int(trainLimit) }
        return o
    }
}

public enum Seq2SeqExperiment: PaperExperiment {
    public static let id = "seq2seq"
    public static let title = "Seq2seq translation — Sutskever et al. 2014 (arXiv:1409.3215), attention: Bahdanau et al. 2014 (arXiv:1409.0473)"
    public static let presets: [(name: String, summary: String)] = [
        ("quick", "attention model (LSTM 128), 20k generated pairs, 2 epochs, beam on 500 test sentences"),
        ("small-vocab", "Sutskever recipe: 2-layer LSTM 256, reversed source, SGD lr 0.7 halving, clip 5, all 147k pairs"),
        ("small-vocab-adam", "Sutskever model (2-layer LSTM 128, reversed source) with Adam, 60k pairs, 5 epochs (BLEU ~94)"),
        ("small-vocab-attention", "Bahdanau attention (bidirectional encoder, LSTM 128), Adam, 60k pairs, 1 epoch (BLEU ~99.9)"),
        ("tatoeba", "attention model on a real TSV corpus: --data-dir path/to/fra.txt"),
    ]
    public static let defaultPreset = "quick"
    public static let datasets = ["en-fr-generated"]

    public static func registerFixtures() { Seq2SeqFixtures.register() }

    public static func settings(_ preset: String) throws -> Seq2SeqSettings {
        switch preset {
        case "quick":
            var s = Seq2SeqSettings(attention: true)
            s.embed = 64; s.hidden = 128; s.epochs = 2; s.trainLimit = 20_000; s.lr = 3e-3; s.epochEvalSentences = 300
            s.beamEvalSentences = 500
            return s
        case "small-vocab":
            // The paper's recipe at a small scale (BLEU 18 after its 4 epochs: see the card).
            var s = Seq2SeqSettings(attention: false)
            s.numLayers = 2; s.optimizer = "sgd"; s.lr = 0.7; s.batchSize = 128; s.epochs = 4; s.halvingStart = 3
            return s
        case "small-vocab-adam":
            var s = Seq2SeqSettings(attention: false)
            s.numLayers = 2; s.embed = 64; s.hidden = 128; s.lr = 3e-3; s.epochs = 5; s.trainLimit = 60_000
            return s
        case "small-vocab-attention":
            var s = Seq2SeqSettings(attention: true)
            s.embed = 64; s.hidden = 128; s.lr = 3e-3; s.epochs = 1; s.trainLimit = 60_000
            return s
        case "tatoeba":
            var s = Seq2SeqSettings(attention: true)
            s.lr = 1e-3; s.epochs = 10; s.hidden = 256; s.embed = 256; s.maxLength = 20
            return s
        default:
            throw RunError.unknownPreset(paper: id, preset: preset, known: presets.map(\.name))
        }
    }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        var s = try settings(run.preset)
        if let e = run.epochs { s.epochs = e }
        if run.preset == "tatoeba" && run.dataDirectory == nil {
            throw RunError.invalid("preset tatoeba needs --data-dir path/to/fra.txt (from manythings.org/anki; see datasets/README.md)")
        }
        let data = try TranslationData.load(dataPath: run.dataDirectory, trainLimit: s.trainLimit, seed: run.seed,
                                            maxLength: s.maxLength)
        print("data: \(data.origin): \(data.train.count) train / \(data.valid.count) valid / \(data.test.count) test pairs, "
              + "vocab \(data.source.count) source / \(data.target.count) target")
        var hyper = s.json
        hyper["data"] = .string(data.origin)
        hyper["src_vocab"] = .int(data.source.count)
        hyper["tgt_vocab"] = .int(data.target.count)
        try run.writeConfig(hyper)
        try writeVocabulary(data, to: run.directory)
        let config = Seq2SeqConfig(srcVocab: data.source.count, tgtVocab: data.target.count, embed: s.embed, hidden: s.hidden,
                                   numLayers: s.numLayers, attention: s.attention, reverseSource: !s.attention)
        try writeModelConfig(config, to: run.directory)

        var g = Generator(seed: run.seed)
        let model = Seq2SeqModel(config, initRange: 0.08, generator: &g)
        let optimizer: Optimizer = s.optimizer == "sgd" ? SGD(model.parameters(), lr: s.lr) : Adam(model.parameters(), lr: s.lr)
        var start = 0, step = 0
        var best: Double?
        if let (_, state) = try run.restoreCheckpoint(modules: ["model": model], optimizers: ["optimizer": optimizer]) {
            start = state.epoch + 1; step = state.step; best = state.bestMetric
        }
        let train = data.encode(data.train)
        let testPairs = data.test
        let evalSubset = Array(testPairs.prefix(s.epochEvalSentences))
        var lastBLEU = 0.0
        for epoch in start..<s.epochs {
            model.train()
            let batches = TextBatches(train, batchSize: s.batchSize, shuffle: true, seed: run.seed, epoch: epoch, bucketing: true)
            let bar = run.progress("epoch \(epoch + 1)/\(s.epochs)", total: batches.count)
            var lossSum = 0.0, tokens = 0
            let times = run.times
            for (i, batch) in times.timed(batches).enumerated() {
                if s.optimizer == "sgd", let sgd = optimizer as? SGD {
                    sgd.lr = sgdRate(s, progress: Double(epoch) + Double(i) / Double(batches.count))
                }
                let (input, output) = times.measure("data") { teacherForcing(batch.target, lengths: batch.targetLengths) }
                times.measure("optimizer") { optimizer.zeroGrad() }
                let loss = times.measure("forward") { Seq2SeqModel.loss(model.forward(src: batch.source, tgt: input), target: output) }
                try run.checkFinite(loss.item(), "loss")
                times.measure("backward") { loss.backward() }
                times.measure("optimizer") {
                    _ = clipGradNorm(model.parameters(), maxNorm: s.clip)
                    optimizer.step()
                }
                step += 1
                let n = batch.targetLengths.reduce(0, +)
                lossSum += Double(loss.item()) * Double(n)
                tokens += n
                if i % 20 == 0 || i + 1 == batches.count { bar.update(i + 1, info: String(format: "loss %.3f", lossSum / Double(max(tokens, 1)))) }
                if run.stopRequested { break }
            }
            bar.finish()
            if run.stopRequested { break }
            model.eval()
            let (validLoss, hyps) = times.measure("evaluation") {
                (evaluateLoss(model, data.encode(Array(data.valid.prefix(1000))), batchSize: 128),
                 translateBatch(model, evalSubset.map(\.source), data: data))
            }
            if run.stopRequested { break }   // mid-evaluation: resume repeats this epoch from its checkpoint
            lastBLEU = BLEU.corpus(hypotheses: hyps, references: evalSubset.map { Tokenizer.detokenize($0.target) }).score
            let lr = (optimizer as? SGD)?.lr ?? (optimizer as? Adam)?.lr ?? s.lr
            try run.log(epoch: epoch + 1, ["train_loss": lossSum / Double(max(tokens, 1)), "valid_loss": validLoss,
                                           "bleu": lastBLEU, "lr": Double(lr)])
            print(String(format: "epoch %d: train loss %.4f, valid loss %.4f, greedy BLEU %.2f on %d test sentences",
                         epoch + 1, lossSum / Double(max(tokens, 1)), validLoss, lastBLEU, evalSubset.count))
            try run.plot("loss", title: "Cross-entropy per target token", x: "epoch", series: ["train_loss", "valid_loss"], yLabel: "loss")
            try run.plot("bleu", title: "Greedy BLEU on held-out sentences", x: "epoch", series: ["bleu"], yLabel: "BLEU")
            let isBest = best.map { lastBLEU > $0 } ?? true
            if isBest { best = lastBLEU }
            try run.saveCheckpoint(modules: ["model": model], optimizers: ["optimizer": optimizer], generators: [:],
                                   state: TrainingState(epoch: epoch, step: step, bestMetric: best), isBest: isBest)
        }
        if run.stopRequested { return [:] }
        // Final evaluation on the whole held-out test set: greedy and beam search.
        model.eval()
        let refs = testPairs.map { Tokenizer.detokenize($0.target) }
        let t0 = Date()
        let greedy = run.times.measure("evaluation") { translateBatch(model, testPairs.map(\.source), data: data) }
        let greedySeconds = Date().timeIntervalSince(t0)
        let greedyBLEU = BLEU.corpus(hypotheses: greedy, references: refs)
        let t1 = Date()
        let beamPairs = Array(testPairs.prefix(s.beamEvalSentences ?? testPairs.count))
        let beam = run.times.measure("beam_search") {
            var out: [String] = []
            for p in beamPairs where !run.stopRequested {
                out.append(translateBeam(model, p.source, data: data, beamWidth: s.beamWidth, lengthAlpha: s.lengthAlpha))
            }
            return out
        }
        if run.stopRequested { return [:] }
        let beamSeconds = Date().timeIntervalSince(t1)
        let beamBLEU = BLEU.corpus(hypotheses: beam, references: Array(refs.prefix(beam.count)))
        let greedySubset = BLEU.corpus(hypotheses: Array(greedy.prefix(beam.count)), references: Array(refs.prefix(beam.count)))
        print("test (\(testPairs.count) sentences): greedy \(greedyBLEU)\n  beam \(s.beamWidth) on the first \(beam.count): \(beamBLEU)"
              + " (greedy on the same: \(String(format: "%.2f", greedySubset.score)))\n  signature \(BLEU.signature)")
        var lines = ["# \(testPairs.count) held-out sentences; BLEU signature \(BLEU.signature)",
                     "# greedy: \(greedyBLEU)", "# beam \(s.beamWidth) (length alpha \(s.lengthAlpha)) on the first \(beam.count): \(beamBLEU); greedy on those: \(greedySubset)", ""]
        for k in 0..<min(30, beam.count) {
            lines += ["source:    " + Tokenizer.detokenize(testPairs[k].source), "reference: " + refs[k],
                      "greedy:    " + greedy[k], "beam \(s.beamWidth):    " + beam[k], ""]
        }
        try lines.joined(separator: "\n").write(toFile: run.samplesDirectory + "/translations.txt", atomically: true, encoding: .utf8)
        try (greedy.joined(separator: "\n") + "\n").write(toFile: run.samplesDirectory + "/test.greedy.txt", atomically: true, encoding: .utf8)
        try (beam.joined(separator: "\n") + "\n").write(toFile: run.samplesDirectory + "/test.beam.txt", atomically: true, encoding: .utf8)
        try (refs.joined(separator: "\n") + "\n").write(toFile: run.samplesDirectory + "/test.ref.txt", atomically: true, encoding: .utf8)
        if config.attention {
            for k in 0..<min(4, testPairs.count) {
                let ids = data.source.encode(testPairs[k].source, addSOS: false, addEOS: false)
                let (tokens, alpha) = model.greedyWithAttention(IndexTensor(shape: [1, ids.count], data: ids), maxLength: maxLength(ids.count))
                let words = tokens.map { $0 == Vocabulary.eos ? "<eos>" : data.target.token($0) }
                try AttentionMap.write(source: testPairs[k].source, output: words, attention: alpha,
                                       to: run.samplesDirectory + "/attention_\(k + 1)")
            }
        }
        return ["bleu": greedyBLEU.score, "bleu_beam": beamBLEU.score, "bleu_greedy_beam_subset": greedySubset.score, "beam_sentences": Double(beam.count), "epochs": Double(s.epochs),
                "test_sentences": Double(testPairs.count), "greedy_seconds": greedySeconds, "beam_seconds": beamSeconds,
                "parameters": Double(model.parameterCount)]
    }

    /// Sutskever's schedule: constant, then halved every half epoch from `halvingStart` on.
    static func sgdRate(_ s: Seq2SeqSettings, progress: Double) -> Float {
        guard progress >= s.halvingStart else { return s.lr }
        let halvings = Int(((progress - s.halvingStart) / 0.5).rounded(.down)) + 1
        return s.lr * powf(0.5, Float(halvings))
    }

    static func evaluateLoss(_ model: Seq2SeqModel, _ pairs: [EncodedPair], batchSize: Int) -> Double {
        guard !pairs.isEmpty else { return .nan }
        return withNoGrad {
            var sum = 0.0, n = 0
            for batch in TextBatches(pairs, batchSize: batchSize, shuffle: false, bucketing: true) {
                let (input, output) = teacherForcing(batch.target, lengths: batch.targetLengths)
                let k = batch.targetLengths.reduce(0, +)
                sum += Double(Seq2SeqModel.loss(model.forward(src: batch.source, tgt: input), target: output).item()) * Double(k)
                n += k
            }
            return sum / Double(n)
        }
    }

    static func maxLength(_ sourceCount: Int) -> Int { 2 * sourceCount + 10 }

    /// Greedy translations of tokenised sentences, batched by length; detokenised text in input order.
    static func translateBatch(_ model: Seq2SeqModel, _ sentences: [[String]], data: TranslationData, batchSize: Int = 128) -> [String] {
        let order = sentences.indices.sorted { sentences[$0].count < sentences[$1].count }
        var out = [String](repeating: "", count: sentences.count)
        for start in stride(from: 0, to: order.count, by: batchSize) where !Interrupt.isRequested {
            let idx = Array(order[start..<min(start + batchSize, order.count)])
            let ids = idx.map { data.source.encode(sentences[$0], addSOS: false, addEOS: false) }
            let src = padSequences(ids).ids
            let result = model.greedy(src, maxLength: maxLength(ids.map(\.count).max() ?? 1))
            for (k, i) in idx.enumerated() { out[i] = Tokenizer.detokenize(data.target.decode(result[k])) }
        }
        return out
    }

    static func translateBeam(_ model: Seq2SeqModel, _ sentence: [String], data: TranslationData, beamWidth: Int, lengthAlpha: Double) -> String {
        let ids = data.source.encode(sentence, addSOS: false, addEOS: false)
        guard !ids.isEmpty else { return "" }
        var hyp = model.beamSearch(IndexTensor(shape: [1, ids.count], data: ids), beamWidth: beamWidth,
                                   maxLength: maxLength(ids.count), lengthAlpha: lengthAlpha)
        if hyp.last == Vocabulary.eos { hyp.removeLast() }
        return Tokenizer.detokenize(data.target.decode(hyp))
    }
}
