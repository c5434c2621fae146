// Real-corpus loading (Tatoeba TSV split by distinct English sentence) and translating from a run directory.
import Foundation
import Synchronization
import Testing
import WorkbenchNN
import WorkbenchData
import WorkbenchRun
import Seq2Seq

struct Seq2SeqDataTests {
    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "seq2seq-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func tatoebaSplitKeepsTestSentencesOutOfTraining() throws {
        let dir = try temporaryDirectory()
        var lines: [String] = []
        for i in 0..<300 {
            let n = i % 120   // repeated English sentences with different translations
            lines.append("I have \(n) cats.\tJ'ai \(n) chats.\tCC-BY 2.0 (France) Attribution: tatoeba.org")
            if i % 7 == 0 { lines.append("I have \(n) cats.\tJ'ai \(n) chattes.\tCC-BY 2.0 (France)") }
        }
        lines.append(String(repeating: "very long ", count: 30) + "\tlong")
        let path = dir + "/fra.txt"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let data = try TranslationData.tatoeba(path: path, maxLength: 20, seed: 1, valid: 10, test: 20, minFrequency: 1)
        let train = Set(data.train.map(\.source))
        #expect(!data.test.isEmpty && !data.valid.isEmpty)
        #expect(data.test.allSatisfy { !train.contains($0.source) })
        #expect(data.valid.allSatisfy { !train.contains($0.source) })
        #expect(data.train.count + data.valid.count + data.test.count == 300 + 43)
        #expect(data.target.id("j'") != Vocabulary.unk)
        let again = try TranslationData.tatoeba(path: path, maxLength: 20, seed: 1, valid: 10, test: 20, minFrequency: 1)
        #expect(again.test == data.test)
    }

    @Test func tsvLinesWithoutATabOrOfInvalidUTF8AreErrorsNamingTheLine() throws {
        let dir = try temporaryDirectory()
        let good = (0..<40).map { "I have \($0) cats.\tJ'ai \($0) chats." }
        let noTab = dir + "/notab.txt"
        try ((good[..<2] + ["no tab here"] + good[2...]).joined(separator: "\n") + "\n").write(toFile: noTab, atomically: true, encoding: .utf8)
        #expect { try TranslationData.tatoeba(path: noTab, valid: 2, test: 2) } throws: { error in
            "\(error)" == "\(noTab): line 3 has no tab: a line must be source<TAB>target (1 such lines)"
        }
        let invalid = dir + "/invalid.txt"
        let bytes = Array((good[0] + "\n").utf8) + [0x49, 0xFF, 0xFE, 0x09, 0x4A, 0x0A] + Array((good[1...].joined(separator: "\n") + "\n").utf8)
        #expect(FileManager.default.createFile(atPath: invalid, contents: Data(bytes)))
        #expect { try TranslationData.tatoeba(path: invalid, valid: 2, test: 2) } throws: { error in
            "\(error)" == "\(invalid): line 2 is not valid UTF-8 (1 such lines)"
        }
    }

    @Test func generatedCorpusGoesToTheCacheNeverTheCurrentDirectory() {
        #expect(CorpusGenerator.cacheRoot(environment: ["WORKBENCH_DATA": "/data", "XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"]) == "/data/generated")
        #expect(CorpusGenerator.cacheRoot(environment: ["WORKBENCH_DATA": "", "XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"]) == "/xdg/workbench/generated")
        #expect(CorpusGenerator.cacheRoot(environment: ["HOME": "/home/u"]) == "/home/u/.cache/workbench/generated")
    }

    @Test func generatedCorpusWritersDoNotCollideAndAnUnwritableCacheIsOneLine() throws {
        let dir = try temporaryDirectory()
        let written = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            let path = try? CorpusGenerator.writeIfMissing(root: dir + "/cache", count: 300, seed: 1, valid: 20, test: 30)
            written.withLock { $0.append(path ?? "failed") }
        }
        let corpus = dir + "/cache/en-fr-seed1-n300"
        #expect(written.withLock { $0 } == [corpus, corpus, corpus])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/cache") == ["en-fr-seed1-n300"])
        #expect(try TranslationData.aligned(directory: corpus).train.count == 250)
        // A cache under a regular file cannot be created (as a read-only directory cannot).
        #expect(FileManager.default.createFile(atPath: dir + "/file", contents: Data()))
        #expect { try CorpusGenerator.writeIfMissing(root: dir + "/file/cache", count: 300, seed: 1, valid: 20, test: 30) } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("cannot write the generated corpus to \(dir)/file/cache/en-fr-seed1-n300: Not a directory")
                && !text.contains("\n")
        }
    }

    @Test func translateFromRunDirectoryWithUnknownWords() throws {
        let dir = try temporaryDirectory()
        let data = TranslationData(train: [TokenPair(source: ["paris", "is", "cold", "."], target: ["paris", "est", "froid", "."])],
                                   valid: [], test: [],
                                   source: Vocabulary(sentences: [["paris", "is", "cold", "."]]),
                                   target: Vocabulary(sentences: [["paris", "est", "froid", "."]]), origin: "test")
        let config = Seq2SeqConfig(srcVocab: data.source.count, tgtVocab: data.target.count, embed: 6, hidden: 8, numLayers: 1,
                                   attention: true, reverseSource: false)
        var g = Generator(seed: 0)
        let model = Seq2SeqModel(config, generator: &g)
        try FileManager.default.createDirectory(atPath: dir + "/checkpoints", withIntermediateDirectories: true)
        try Checkpoint.save(modules: ["model": model], to: dir + "/checkpoints/last.safetensors")
        try Seq2SeqExperiment.writeVocabulary(data, to: dir)
        try Seq2SeqExperiment.writeModelConfig(config, to: dir)
        let out = try Seq2SeqExperiment.translate(checkpoint: dir, sentences: ["Paris is cold.", "london is warm", ""], beamWidth: 3)
        #expect(out.count == 3)
        let greedy = try Seq2SeqExperiment.translate(checkpoint: dir + "/checkpoints/last.safetensors", sentences: ["paris is cold ."], beamWidth: 1)
        #expect(greedy.count == 1)
        // Wider than the target vocabulary: refused with a message, not searched.
        let v = data.target.count
        #expect(try Seq2SeqExperiment.translate(checkpoint: dir, sentences: ["paris"], beamWidth: v).count == 1)
        #expect { try Seq2SeqExperiment.translate(checkpoint: dir, sentences: ["paris"], beamWidth: v + 1) } throws: { error in
            "\(error)".contains("wider than the target vocabulary (\(v) tokens)")
        }
    }

    @Test func alignedFilesSkipAndCountPairsOverTheMaximumLength() throws {
        let dir = try temporaryDirectory()
        let long = Array(repeating: "word", count: 12).joined(separator: " ")
        for (split, en, fr) in [("train", ["a b c", long, "d e"], ["x y", "z", long]), ("valid", ["a b"], ["x"]),
                                ("test", [long, "c d"], ["y", "z z"])] {
            try (en.joined(separator: "\n") + "\n").write(toFile: "\(dir)/\(split).en", atomically: true, encoding: .utf8)
            try (fr.joined(separator: "\n") + "\n").write(toFile: "\(dir)/\(split).fr", atomically: true, encoding: .utf8)
        }
        let data = try TranslationData.aligned(directory: dir, maxLength: 10)
        #expect(data.train.map(\.source) == [["a", "b", "c"]])
        #expect(data.valid.count == 1 && data.test.map(\.source) == [["c", "d"]])
        #expect(data.origin.hasSuffix("(pairs within 10 tokens: train 1 of 3, valid 1 of 1, test 1 of 2)"), "\(data.origin)")
        #expect(try TranslationData.aligned(directory: dir, maxLength: 12).train.count == 3)
    }

    @Test func ctrlCEndsDecodingAfterTheCurrentStep() {
        var g = Generator(seed: 1)
        let model = Seq2SeqModel(Seq2SeqConfig(srcVocab: 9, tgtVocab: 9, embed: 4, hidden: 6, attention: true,
                                               reverseSource: false), generator: &g)
        let src = IndexTensor(shape: [1, 3], data: [4, 5, 6])
        // An untrained model rarely says <eos>: without Ctrl-C both decoders run to maxLength.
        // (`stop` stands for Ctrl-C here: the real flag is process-wide and other tests run alongside.)
        let full = model.greedy(src, maxLength: 200)[0]
        #expect(model.greedy(src, maxLength: 200, stop: { true })[0].count <= 1 && full.count > 1)
        #expect(model.beamSearch(src, beamWidth: 3, maxLength: 200, stop: { true }).count <= 1)
    }
}
