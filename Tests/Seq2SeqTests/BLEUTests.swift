// BLEU against numbers computed by the Python sacrebleu 2.6.0 package with its defaults, e.g.
//   from sacrebleu.metrics import BLEU; s = BLEU().corpus_score(hyps, [refs]); s.score, s.counts, s.totals
import Foundation
import Testing
import Seq2Seq
import WorkbenchData

struct Seq2SeqBLEUTests {
    struct Case {
        let hyps: [String], refs: [String]
        let score: Double, counts: [Int], totals: [Int], sysLen: Int, refLen: Int
    }

    // Values printed by sacrebleu 2.6.0 (BLEU().corpus_score(h, [r])).
    static let cases: [Case] = [
        Case(hyps: ["the cat sat on the mat"], refs: ["the cat sat on the mat"],
             score: 100.00000000000004, counts: [6, 5, 4, 3], totals: [6, 5, 4, 3], sysLen: 6, refLen: 6),
        // exp smoothing: no 4-gram match -> p4 = 1 / (2 * 3)
        Case(hyps: ["the cat is on the mat"], refs: ["the cat sat on the mat"],
             score: 37.99178428257963, counts: [5, 3, 1, 0], totals: [6, 5, 4, 3], sysLen: 6, refLen: 6),
        // brevity penalty exp(1 - 6/4)
        Case(hyps: ["the cat sat on"], refs: ["the cat sat on the mat"],
             score: 60.653065971263366, counts: [4, 3, 2, 1], totals: [4, 3, 2, 1], sysLen: 4, refLen: 6),
        // corpus statistics are summed, not sentence scores averaged
        Case(hyps: ["the cat is on the mat", "there is a dog in the garden"], refs: ["the cat sat on the mat", "a dog is in the garden"],
             score: 29.256127307315065, counts: [11, 6, 2, 0], totals: [13, 11, 9, 7], sysLen: 13, refLen: 12),
        // 13a splits the comma and the exclamation mark
        Case(hyps: ["Hello, world!"], refs: ["Hello world!"],
             score: 35.35533905932737, counts: [3, 1, 0, 0], totals: [4, 3, 2, 1], sysLen: 4, refLen: 3),
        Case(hyps: ["paris est parfois froid en hiver.", "elle voit la petite voiture rouge."],
             refs: ["paris est parfois froid en hiver, mais il est jamais sec en mai.", "elle voit la petite voiture rouge."],
             score: 52.05317505213276, counts: [14, 11, 9, 7], totals: [14, 12, 10, 8], sysLen: 14, refLen: 22),
        // &amp; unescaping, "$" split off, numbers with . and , kept, hyphen after a digit split
        Case(hyps: ["j'aime les pommes.", "nous avons 3.50 $, 1,000 items (state-of-the-art) 5-6 &amp; x"],
             refs: ["j'aime les pommes .", "nous avons 3.50$, 1,000 items (state-of-the-art) 5-6 & x"],
             score: 100.00000000000004, counts: [19, 17, 15, 13], totals: [19, 17, 15, 13], sysLen: 19, refLen: 19),
        // no 3-grams at all: score 0 (log 0 replaced by -9999999999)
        Case(hyps: ["a b"], refs: ["a b c d e"], score: 0, counts: [2, 1, 0, 0], totals: [2, 1, 0, 0], sysLen: 2, refLen: 5),
        // no match at any order
        Case(hyps: ["x y z"], refs: ["a b c"], score: 0, counts: [0, 0, 0, 0], totals: [3, 2, 1, 0], sysLen: 3, refLen: 3),
        // an empty hypothesis
        Case(hyps: ["", "the cat"], refs: ["a dog", "the cat sat"], score: 0, counts: [2, 1, 0, 0], totals: [2, 1, 0, 0], sysLen: 2, refLen: 5),
    ]

    @Test func matchesSacreBLEU() {
        for c in Self.cases {
            let s = BLEU.corpus(hypotheses: c.hyps, references: c.refs)
            #expect(abs(s.score - c.score) < 1e-9, "\(c.hyps): \(s.score) vs \(c.score)")
            #expect(s.correct == c.counts && s.total == c.totals, "\(c.hyps)")
            #expect(s.hypothesisLength == c.sysLen && s.referenceLength == c.refLen, "\(c.hyps)")
        }
    }

    @Test func signatureIsSacreBLEUs() {
        // BLEU().get_signature() in sacrebleu 2.6.0
        #expect(BLEU.signature == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0")
    }

    @Test func tokenizer13aMatchesSacreBLEU() {
        // sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(x)
        let cases: [(String, String)] = [
            ("Hello, world!", "Hello , world !"),
            ("$3.50, isn't", "$ 3.50 , isn't"),
            ("state-of-the-art 1,000 items.", "state-of-the-art 1,000 items ."),
            ("a.. b ,, 3.-4 x.5 5-x {a}~`b` &quot;q&quot; &lt;t&gt;", "a . . b , , 3 . -4 x . 5 5 - x { a } ~ ` b ` \" q \" < t >"),
            ("l'été, à 5h.\tfin", "l'été , à 5h . fin"),
        ]
        for (x, y) in cases { #expect(BLEU.tokenize13a(x) == y, "\(x)") }
    }

    /// `workbench bleu`: the corpus score of two line files, and clear errors for bad input.
    @Test func scoresFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bleu-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = Self.cases[3]
        try (c.hyps.joined(separator: "\n") + "\n").write(toFile: dir + "/hyp.txt", atomically: true, encoding: .utf8)
        try c.refs.joined(separator: "\n").write(toFile: dir + "/ref.txt", atomically: true, encoding: .utf8)
        try "one line\n".write(toFile: dir + "/short.txt", atomically: true, encoding: .utf8)
        let out = try BLEU.scoreFiles(hypotheses: dir + "/hyp.txt", references: dir + "/ref.txt")
        #expect(out.hasPrefix("BLEU = 29.26 "), "\(out)")
        #expect(out.hasSuffix("signature: " + BLEU.signature))
        #expect(throws: BLEUFileError.self) { try BLEU.scoreFiles(hypotheses: dir + "/hyp.txt", references: dir + "/short.txt") }
        #expect(throws: DataError(path: dir + "/missing.txt", "no such file")) {
            try BLEU.scoreFiles(hypotheses: dir + "/missing.txt", references: dir + "/ref.txt")
        }
        // CRLF and lone-CR files score as their LF versions (read by LF alone, CRLF was one line).
        for ending in ["\r\n", "\r"] {
            try (c.hyps.joined(separator: ending) + ending).write(toFile: dir + "/hyp.crlf", atomically: true, encoding: .utf8)
            try c.refs.joined(separator: ending).write(toFile: dir + "/ref.crlf", atomically: true, encoding: .utf8)
            #expect(try BLEU.scoreFiles(hypotheses: dir + "/hyp.crlf", references: dir + "/ref.crlf") == out)
        }
        try "a\r\nb\nc\rd\n".write(toFile: dir + "/mixed.txt", atomically: true, encoding: .utf8)
        #expect(try readTextLines(dir + "/mixed.txt") == ["a", "b", "c", "d"])
    }
}
