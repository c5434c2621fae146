// Corpus BLEU exactly as sacreBLEU 2.x computes it by default: 13a tokenisation (mteval-v13a),
// case-sensitive, n-grams 1..4, brevity penalty, 'exp' smoothing, one reference per segment.
import Foundation
import WorkbenchData

public enum BLEU {
    /// sacreBLEU's signature for the default settings this implementation reproduces.
    public static let signature = "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"

    public struct Score: Sendable, CustomStringConvertible {
        /// 0-100.
        public var score: Double
        /// Clipped matches and hypothesis n-gram counts per order 1..4, summed over the corpus.
        public var correct: [Int], total: [Int]
        /// Percent precisions as sacreBLEU reports them (smoothed where a count is zero).
        public var precisions: [Double]
        public var brevityPenalty: Double
        public var hypothesisLength: Int, referenceLength: Int

        /// "BLEU = 37.99 83.3/60.0/25.0/16.7 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)", like sacreBLEU.
        public var description: String {
            let p = precisions.map { String(format: "%.1f", $0) }.joined(separator: "/")
            let ratio = referenceLength > 0 ? Double(hypothesisLength) / Double(referenceLength) : 0
            return String(format: "BLEU = %.2f %@ (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)",
                          score, p, brevityPenalty, ratio, hypothesisLength, referenceLength)
        }
    }

    /// Corpus BLEU of `hypotheses` against one reference each (same count).
    public static func corpus(hypotheses: [String], references: [String]) -> Score {
        precondition(hypotheses.count == references.count,
                     "BLEU: \(hypotheses.count) hypotheses but \(references.count) references")
        var correct = [Int](repeating: 0, count: 4), total = [Int](repeating: 0, count: 4)
        var sysLen = 0, refLen = 0
        for (h, r) in zip(hypotheses, references) {
            let ht = tokenize13a(rstrip(h)).split(separator: " ").map(String.init)
            let rt = tokenize13a(rstrip(r)).split(separator: " ").map(String.init)
            sysLen += ht.count
            refLen += rt.count
            for n in 1...4 {
                let hc = ngrams(ht, n), rc = ngrams(rt, n)
                for (g, c) in hc {
                    total[n - 1] += c
                    if let m = rc[g] { correct[n - 1] += min(c, m) }
                }
            }
        }
        return score(correct: correct, total: total, sysLen: sysLen, refLen: refLen)
    }

    /// sacreBLEU's `compute_bleu` with smooth_method 'exp' and effective_order off.
    static func score(correct: [Int], total: [Int], sysLen: Int, refLen: Int) -> Score {
        var bp = 1.0
        if sysLen < refLen { bp = sysLen > 0 ? exp(1 - Double(refLen) / Double(sysLen)) : 0 }
        var precisions = [Double](repeating: 0, count: 4)
        var result = Score(score: 0, correct: correct, total: total, precisions: precisions, brevityPenalty: bp,
                           hypothesisLength: sysLen, referenceLength: refLen)
        if !correct.contains(where: { $0 != 0 }) { return result }
        var smooth = 1.0
        for n in 0..<4 {
            if total[n] == 0 { break }
            if correct[n] == 0 {
                smooth *= 2
                precisions[n] = 100 / (smooth * Double(total[n]))
            } else {
                precisions[n] = 100 * Double(correct[n]) / Double(total[n])
            }
        }
        // sacreBLEU's my_log: log(0) is replaced by -9999999999.
        let logs = precisions.map { $0 == 0 ? -9_999_999_999 : log($0) }
        result.precisions = precisions
        result.score = bp * exp(logs.reduce(0, +) / 4)
        return result
    }

    static func ngrams(_ tokens: [String], _ n: Int) -> [ArraySlice<String>: Int] {
        var out: [ArraySlice<String>: Int] = [:]
        guard tokens.count >= n else { return out }
        for i in 0...(tokens.count - n) { out[tokens[i..<(i + n)], default: 0] += 1 }
        return out
    }

    static func rstrip(_ s: String) -> String {
        var scalars = Array(s.unicodeScalars)
        while let last = scalars.last, isPythonSpace(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Python's str.isspace: Unicode White_Space plus the separators U+001C...U+001F.
    static func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || (0x1C...0x1F).contains(c.value)
    }

    /// The 13a tokeniser: sacreBLEU's `Tokenizer13a` followed by its regular expressions, applied
    /// with the same left-to-right, non-overlapping substitution semantics.
    public static func tokenize13a(_ line: String) -> String {
        var s = line.replacingOccurrences(of: "<skipped>", with: "")
            .replacingOccurrences(of: "-\n", with: "").replacingOccurrences(of: "\n", with: " ")
        if s.contains("&") {
            s = s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        }
        var a = Array(" \(s) ".unicodeScalars)
        let space: Unicode.Scalar = " "
        func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
        func isPeriodComma(_ c: Unicode.Scalar) -> Bool { c == "." || c == "," }
        // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 "
        var b: [Unicode.Scalar] = []
        b.reserveCapacity(a.count * 2)
        for c in a {
            let v = c.value
            if (0x7B...0x7E).contains(v) || (0x5B...0x60).contains(v) || (0x20...0x26).contains(v)
                || (0x28...0x2B).contains(v) || (0x3A...0x40).contains(v) || v == 0x2F {
                b += [space, c, space]
            } else {
                b.append(c)
            }
        }
        // Two-character rules: (pattern test, replacement).
        func substitute(_ x: [Unicode.Scalar], _ matches: (Unicode.Scalar, Unicode.Scalar) -> Bool,
                        _ replace: (Unicode.Scalar, Unicode.Scalar) -> [Unicode.Scalar]) -> [Unicode.Scalar] {
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(x.count + 16)
            var i = 0
            while i < x.count {
                if i + 1 < x.count && matches(x[i], x[i + 1]) {
                    out += replace(x[i], x[i + 1])
                    i += 2
                } else {
                    out.append(x[i])
                    i += 1
                }
            }
            return out
        }
        // ([^0-9])([\.,]) -> "\1 \2 "
        a = substitute(b, { !isDigit($0) && isPeriodComma($1) }, { [$0, space, $1, space] })
        // ([\.,])([^0-9]) -> " \1 \2"
        a = substitute(a, { isPeriodComma($0) && !isDigit($1) }, { [space, $0, space, $1] })
        // ([0-9])(-) -> "\1 \2 "
        a = substitute(a, { isDigit($0) && $1 == "-" }, { [$0, space, $1, space] })
        // ' '.join(line.split())
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for c in a {
            if isPythonSpace(c) {
                if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words.joined(separator: " ")
    }
}

extension BLEU {
    /// `workbench bleu HYPOTHESES REFERENCES`: one sentence per line in each file (equal line
    /// counts); returns the score line and the signature, as the `sacrebleu` command prints them.
    /// Lines end with LF, CRLF or CR (a CRLF file read by LF alone would be one long line).
    public static func scoreFiles(hypotheses: String, references: String) throws -> String {
        let h = try readTextLines(hypotheses), r = try readTextLines(references)
        guard h.count == r.count else {
            throw BLEUFileError(message: "\(hypotheses) has \(h.count) lines but \(references) has \(r.count)")
        }
        return "\(corpus(hypotheses: h, references: r))\nsignature: \(signature)"
    }
}

public struct BLEUFileError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
