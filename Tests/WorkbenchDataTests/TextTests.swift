// Parallel corpora, the tokenizer, the vocabulary, padding and bucketing.
import Testing
import WorkbenchData

@Suite struct CorpusTests {
    @Test func tsvEdgeCases() throws {
        var bytes: [UInt8] = Array("Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #1158250 (Wittydev)\r\n".utf8)
        bytes += Array("\n".utf8)                                // 2: empty line
        bytes += Array("no tab here\n".utf8)                      // 3: missing tab
        bytes += [0x48, 0x69, 0xFF, 0x09, 0x53, 0x61, 0x6C, 0x75, 0x74, 0x0A]  // 4: invalid UTF-8
        bytes += Array("Hi.\tSalut.\r\n".utf8)                    // 5: CRLF, no attribution
        bytes += Array("Hello\t  \n".utf8)                       // 6: empty target
        bytes += Array("I'm OK.\tÇa va.".utf8)                    // 7: no final newline
        let corpus = try ParallelCorpus.parseTSV(bytes, name: "fra.txt")
        #expect(corpus.pairs == [
            SentencePair(source: "Go.", target: "Va !", line: 1),
            SentencePair(source: "Hi.", target: "Salut.", line: 5),
            SentencePair(source: "I'm OK.", target: "Ça va.", line: 7),
        ])
        let r = corpus.report
        #expect(r.totalLines == 7 && r.accepted == 3 && r.rejected == 4 && r.linesWithExtraColumns == 1)
        #expect(r.counts == [.emptyLine: 1, .missingTab: 1, .invalidUTF8: 1, .emptyField: 1])
        #expect(r.exampleLines[.invalidUTF8] == [4] && r.exampleLines[.missingTab] == [3])
        #expect(r.description.contains("1 skipped: invalid UTF-8 (line 4)"))
        #expect(corpus.swapped().pairs[0].source == "Va !")
    }

    @Test func reportKeepsOnlyTheFirstLineNumbers() throws {
        let text = (0..<12).map { _ in "x" }.joined(separator: "\n") + "\n"
        let r = try ParallelCorpus.parseTSV(Array(text.utf8), name: "t").report
        #expect(r.counts[.missingTab] == 12 && r.exampleLines[.missingTab] == [1, 2, 3, 4, 5])
        #expect(r.description.contains("line 1, 2, 3, 4, 5, ..."))
    }

    @Test func alignedFiles() throws {
        let src = Array("one\r\ntwo\n\nfour\n".utf8), tgt = Array("un\ndeux\n\nquatre\n".utf8)
        let c = try ParallelCorpus.parseAligned(source: src, target: tgt, sourceName: "a.en", targetName: "a.fr")
        #expect(c.pairs.map(\.target) == ["un", "deux", "quatre"] && c.pairs.map(\.line) == [1, 2, 4])
        #expect(c.report.counts == [.emptyLine: 1])
        let e = dataError { _ = try ParallelCorpus.parseAligned(source: src, target: Array("un\n".utf8), sourceName: "a.en", targetName: "a.fr") }
        #expect(e?.description == "a.en: has 4 lines but a.fr has 1; aligned files need equal line counts")
        let dir = TempDirectory()
        let a = dir.write("x.en", src), b = dir.write("x.fr", tgt)
        #expect(try ParallelCorpus.readAligned(source: a, target: b).pairs.count == 3)
        #expect(dataError { _ = try ParallelCorpus.readTSV(dir.file("missing.txt")) }?.reason == "no such file")
    }
}

@Suite struct TokenizerTests {
    let t = Tokenizer()

    @Test func frenchElisionsAndEnglishContractions() {
        #expect(t.tokenize("L'homme qu'il a vu.") == ["l'", "homme", "qu'", "il", "a", "vu", "."])
        #expect(t.tokenize("Je n’ai pas d'argent aujourd'hui !") == ["je", "n'", "ai", "pas", "d'", "argent", "aujourd'hui", "!"])
        #expect(t.tokenize("I don't know, it's 3.5 o'clock.") == ["i", "don't", "know", ",", "it's", "3.5", "o'clock", "."])
        #expect(t.tokenize("Est-ce un T-shirt ?") == ["est-ce", "un", "t-shirt", "?"])
        #expect(t.tokenize("\"Quote\" -- 'single' dogs'") == ["\"", "quote", "\"", "-", "-", "'", "single", "'", "dogs", "'"])
        #expect(t.tokenize("  ") == [])
        #expect(Tokenizer(lowercase: false).tokenize("Tom's") == ["Tom's"])
    }

    @Test func detokenize() {
        #expect(Tokenizer.detokenize(["l'", "homme", "est", "là", "."]) == "l'homme est là.")
        #expect(Tokenizer.detokenize(["i", "don't", "know", ",", "(", "really", ")", "?"]) == "i don't know, (really)?")
    }
}

@Suite struct VocabularyTests {
    @Test func specialsFrequencyOrderAndRoundTrip() throws {
        let sentences = [["le", "chat", "dort"], ["le", "chien", "dort"], ["le", "rare"]]
        let v = Vocabulary(sentences: sentences, minFrequency: 2)
        #expect(v.tokens == ["<pad>", "<sos>", "<eos>", "<unk>", "le", "dort"])
        #expect(Vocabulary.pad == 0 && Vocabulary.sos == 1 && Vocabulary.eos == 2 && Vocabulary.unk == 3)
        let ids = v.encode(["le", "chat", "dort"], addSOS: true)
        #expect(ids == [1, 4, 3, 5, 2])
        #expect(v.decode(ids) == ["le", "<unk>", "dort"])
        #expect(v.decode([4, 5, 2, 4, 0]) == ["le", "dort"])
        let full = Vocabulary(sentences: sentences)
        #expect(full.decode(full.encode(sentences[1])) == sentences[1])
        #expect(try Vocabulary(tokens: full.tokens) == full)
        #expect(Vocabulary(sentences: sentences, maxSize: 5).tokens == ["<pad>", "<sos>", "<eos>", "<unk>", "le"])
        #expect(dataError { _ = try Vocabulary(tokens: ["a", "b"]) } != nil)
        // Ties are broken by code points, not by hash order: ids are stable across runs.
        #expect(Vocabulary(sentences: [["b", "a", "c"]]).tokens.suffix(3) == ["a", "b", "c"])
    }

    @Test func maxLengthFilter() throws {
        let corpus = try ParallelCorpus.parseTSV(Array("a b c\tx\nd\ty z w v\ne\tf\n".utf8), name: "m")
        #expect(corpus.tokenized(maxLength: 3).map(\.source) == [["a", "b", "c"], ["e"]])
        #expect(corpus.tokenized().count == 3)
    }
}

@Suite struct TextBatchTests {
    @Test func padding() {
        let (ids, lengths) = padSequences([[5, 6, 2], [7, 2]])
        #expect(ids.shape == [2, 3] && ids.data == [5, 6, 2, 7, 2, 0] && lengths == [3, 2])
        #expect(padSequences([[1]], length: 3).ids.data == [1, 0, 0])
    }

    @Test func bucketingGroupsSimilarLengths() {
        var g = Generator(seed: 4)
        let pairs = (0..<400).map { _ in
            EncodedPair(source: Array(repeating: 5, count: 1 + g.integer(below: 30)), target: Array(repeating: 6, count: 1 + g.integer(below: 30)))
        }
        func padding(_ b: TextBatches) -> Int {
            b.reduce(0) { $0 + $1.source.count - $1.sourceLengths.reduce(0, +) }
        }
        let bucketed = TextBatches(pairs, batchSize: 16, seed: 1, poolBatches: 25)
        let plain = TextBatches(pairs, batchSize: 16, seed: 1, bucketing: false)
        #expect(bucketed.flatMap(\.indices).sorted() == Array(0..<400))
        #expect(padding(bucketed) * 5 < padding(plain), "\(padding(bucketed)) vs \(padding(plain))")
        for batch in bucketed {
            #expect(batch.sourceLengths.max()! - batch.sourceLengths.min()! <= 2)
            #expect(batch.source.shape == [batch.indices.count, batch.sourceLengths.max()!])
        }
        // Seeded and epoch-dependent.
        #expect(TextBatches(pairs, batchSize: 16, seed: 1).batchIndices == bucketed.batchIndices)
        #expect(TextBatches(pairs, batchSize: 16, seed: 1, epoch: 1).batchIndices != bucketed.batchIndices)
        #expect(TextBatches(pairs, batchSize: 16, seed: 2).batchIndices != bucketed.batchIndices)
        #expect(TextBatches(Array(pairs.prefix(20)), batchSize: 16, dropLast: true).count == 1)
    }
}
