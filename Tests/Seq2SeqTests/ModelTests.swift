// The seq2seq model against its PyTorch fixtures, beam search against greedy decoding, and learning.
import Testing
import WorkbenchTesting
import WorkbenchNN
import WorkbenchData
import Seq2Seq

struct Seq2SeqModelTests {
    @Test func fixturesPass() {
        Seq2SeqFixtures.register()
        let files = fixtureFiles(in: "papers/seq2seq/fixtures")
        #expect(files.count == 4)
        for f in files {
            let r = FixtureVerifier.verify(path: f)
            #expect(r.passed, "\(r.line)")
        }
    }

    func tinyBatch() -> (src: IndexTensor, tgt: IndexTensor, out: IndexTensor) {
        // Copy-like task: target = source words shifted into the target vocabulary.
        let srcRows = [[4, 5, 6, 7], [8, 9, 4], [5, 5, 10, 11, 6], [7, 6]]
        let tgtRows = srcRows.map { $0.map { $0 + 1 } }
        let src = padSequences(srcRows).ids
        let tgt = padSequences(tgtRows.map { [Vocabulary.sos] + $0 }).ids
        let out = padSequences(tgtRows.map { $0 + [Vocabulary.eos] }).ids
        return (src, tgt, out)
    }

    func train(_ config: Seq2SeqConfig, steps: Int, seed: UInt64) -> (Seq2SeqModel, [Float]) {
        var g = Generator(seed: seed)
        let model = Seq2SeqModel(config, initRange: 0.1, generator: &g)
        let opt = Adam(model.parameters(), lr: 0.02)
        let (src, tgt, out) = tinyBatch()
        var losses: [Float] = []
        for _ in 0..<steps {
            opt.zeroGrad()
            let loss = Seq2SeqModel.loss(model.forward(src: src, tgt: tgt), target: out)
            loss.backward()
            _ = clipGradNorm(model.parameters(), maxNorm: 5)
            opt.step()
            losses.append(loss.item())
        }
        return (model, losses)
    }

    static let configs = [
        Seq2SeqConfig(srcVocab: 13, tgtVocab: 14, embed: 8, hidden: 16, numLayers: 2, attention: false, reverseSource: true),
        Seq2SeqConfig(srcVocab: 13, tgtVocab: 14, embed: 8, hidden: 16, numLayers: 1, attention: true, reverseSource: false),
    ]

    @Test(arguments: configs) func overfitsTinyBatchAndDecodes(_ config: Seq2SeqConfig) {
        let (model, losses) = train(config, steps: 200, seed: 1)
        #expect(losses.last! < 0.05, "final loss \(losses.last!)")
        let (src, _, out) = tinyBatch()
        let greedy = model.greedy(src, maxLength: 10)
        for r in 0..<4 {
            let expected = Array(out.data[(r * out.shape[1])...].prefix { $0 != Vocabulary.eos })
            #expect(greedy[r] == expected)
        }
    }

    @Test(arguments: configs) func beamWidthOneIsGreedy(_ config: Seq2SeqConfig) {
        let (model, _) = train(config, steps: 20, seed: 2)
        let (src, _, _) = tinyBatch()
        for r in 0..<4 {
            let s = src.shape[1]
            let ids = Array(src.data[(r * s)..<(r * s + s)].prefix { $0 != Vocabulary.pad })
            let one = IndexTensor(shape: [1, ids.count], data: ids)
            let greedy = model.greedy(one, maxLength: 9)[0]
            var beam = model.beamSearch(one, beamWidth: 1, maxLength: 9)
            if beam.last == Vocabulary.eos { beam.removeLast() }
            #expect(beam == greedy)
        }
    }

    @Test func attentionWeightsFollowGreedy() {
        let (model, _) = train(Self.configs[1], steps: 30, seed: 3)
        let one = IndexTensor(shape: [1, 3], data: [8, 9, 4])
        let (tokens, alpha) = model.greedyWithAttention(one, maxLength: 8)
        var greedy = model.greedy(one, maxLength: 8)[0]
        if tokens.last == Vocabulary.eos { greedy.append(Vocabulary.eos) }
        #expect(tokens == greedy)
        #expect(alpha.count == tokens.count && alpha.allSatisfy { $0.count == 3 && abs($0.reduce(0, +) - 1) < 1e-5 })
    }

    @Test func sameSeedSameRun() {
        let a = train(Self.configs[1], steps: 5, seed: 7).1
        let b = train(Self.configs[1], steps: 5, seed: 7).1
        #expect(a == b)
    }
}

extension Seq2SeqConfig: CustomTestStringConvertible {
    public var testDescription: String { attention ? "attention" : "sutskever" }
}
