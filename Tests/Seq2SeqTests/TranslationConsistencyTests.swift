// Every held-out sentence translates the same alone, in a padded batch of sentences of other
// lengths, and by beam search of width 1: the encoder reads each sentence on its own (packed
// sequences), so a translation does not depend on its batch-mates.
import Foundation
import Testing
import WorkbenchTesting
import WorkbenchNN
import WorkbenchData
import Seq2Seq

struct TranslationConsistencyTests {
    /// The quick preset's attention model and the small-vocab-adam preset's Sutskever model, each
    /// trained for 60 Adam steps on a small generated corpus (enough for sentences of varied
    /// lengths; the property does not depend on how well the model translates).
    @Test(arguments: ["quick", "small-vocab-adam"])
    func heldOutSentencesTranslateAloneAsInABatch(_ preset: String) throws {
        let dir = TemporaryDirectory("consistency")
        let corpus = try CorpusGenerator.writeIfMissing(root: dir.path, count: 2_400, seed: 0, valid: 100, test: 300)
        let data = try TranslationData.aligned(directory: corpus)
        let s = try Seq2SeqRecipe.preset(preset)
        let config = s.model(data)
        var g = Generator(seed: 5)
        let model = Seq2SeqModel(config, generator: &g)
        let optimizer = Adam(model.parameters(), lr: s.lr)
        for (step, batch) in TextBatches(data.encode(data.train), batchSize: s.batchSize, seed: 5).enumerated()
        where step < 60 {
            // Teacher forcing: <sos> y1..yn in, y1..yn <eos> out.
            let t = batch.target.shape[1]
            let input = IndexTensor(shape: batch.target.shape, data: batch.target.data.indices.map { i in
                i % t == 0 ? Vocabulary.sos : batch.target.data[i - 1] == Vocabulary.eos ? Vocabulary.pad : batch.target.data[i - 1]
            })
            optimizer.zeroGrad()
            Seq2SeqModel.loss(model.forward(src: batch.source, tgt: input), target: batch.target).backward()
            _ = clipGradNorm(model.parameters(), maxNorm: s.clipGradNorm)
            optimizer.step()
        }

        let sources = data.encode(data.test).map(\.source)
        let maxLength = 30
        var batched: [[Int]] = []
        for start in stride(from: 0, to: sources.count, by: 64) {
            batched += model.greedy(padSequences(Array(sources[start..<min(start + 64, sources.count)])).ids, maxLength: maxLength)
        }
        var differ: [Int] = []
        for (i, ids) in sources.enumerated() {
            let one = IndexTensor(shape: [1, ids.count], data: ids)
            let alone = model.greedy(one, maxLength: maxLength)[0]
            var beam = model.beamSearch(one, beamWidth: 1, maxLength: maxLength)
            if beam.last == Vocabulary.eos { beam.removeLast() }
            if alone != batched[i] || alone != beam { differ.append(i) }
        }
        #expect(Set(sources.map(\.count)).count > 3, "held-out sentences of varied lengths")
        #expect(differ.isEmpty, "\(preset): \(differ.count) of \(sources.count) sentences translate differently alone, batched or by beam 1 (first: \(differ.prefix(5)))")
    }
}
