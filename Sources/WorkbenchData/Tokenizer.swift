// A word tokenizer for English and French sentence pairs.
//
// The rule, in order, over the (optionally lower-cased) characters of a sentence:
//  - whitespace (including the narrow no-break spaces French puts before ? and !) separates tokens;
//  - letters and digits build words;
//  - an apostrophe (' or the typographic ’, both written ') between a letter and a letter:
//      after a French elision prefix (c d j l m n s t qu jusqu lorsqu puisqu quoiqu) it ends the
//      token: "l'homme" -> "l'", "homme"; "qu'il" -> "qu'", "il";
//      otherwise it stays inside the word: "don't", "it's", "aujourd'hui", "o'clock";
//  - a hyphen between letters stays inside the word ("peut-être", "t-shirt", "est-ce");
//  - a dot or comma between digits stays inside the number ("3.5", "1,000");
//  - every other character (punctuation, symbols, a lone apostrophe) is a token of its own.

public struct Tokenizer: Sendable {
    public var lowercase: Bool
    public var splitElisions: Bool

    /// Word-initial forms that French elides before a vowel.
    public static let elisionPrefixes: Set<String> = ["c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"]

    public init(lowercase: Bool = true, splitElisions: Bool = true) {
        self.lowercase = lowercase
        self.splitElisions = splitElisions
    }

    public func tokenize(_ text: String) -> [String] {
        let chars = Array(lowercase ? text.lowercased() : text)
        var tokens: [String] = []
        var word = ""
        func flush() {
            if !word.isEmpty { tokens.append(word); word = "" }
        }
        for (i, ch) in chars.enumerated() {
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            let prev: Character? = word.last
            if ch.isWhitespace {
                flush()
            } else if ch.isLetter || ch.isNumber {
                word.append(ch)
            } else if Self.isApostrophe(ch), let p = prev, p.isLetter, let n = next, n.isLetter {
                if splitElisions && Self.elisionPrefixes.contains(word.lowercased()) {
                    word.append("'")
                    flush()
                } else {
                    word.append("'")
                }
            } else if ch == "-", let p = prev, p.isLetter, let n = next, n.isLetter {
                word.append(ch)
            } else if ch == "." || ch == ",", let p = prev, p.isNumber, let n = next, n.isNumber {
                word.append(ch)
            } else {
                flush()
                tokens.append(Self.isApostrophe(ch) ? "'" : String(ch))
            }
        }
        flush()
        return tokens
    }

    static func isApostrophe(_ ch: Character) -> Bool { ch == "'" || ch == "\u{2019}" || ch == "\u{02BC}" }

    /// Joins tokens back into readable text: no space before closing punctuation or after an elision.
    public static func detokenize(_ tokens: [String]) -> String {
        var out = ""
        var glueNext = true
        for t in tokens {
            let closing = [".", ",", "!", "?", ";", ":", ")", "]", "}", "%"].contains(t)
            if !glueNext && !closing { out += " " }
            out += t
            glueNext = (t.count > 1 && t.hasSuffix("'")) || ["(", "[", "{"].contains(t)
        }
        return out
    }
}
