// Token <-> id vocabulary with the four specials at fixed ids: <pad>=0 <sos>=1 <eos>=2 <unk>=3.

public struct Vocabulary: Sendable, Equatable {
    public static let pad = 0, sos = 1, eos = 2, unk = 3
    public static let specials = ["<pad>", "<sos>", "<eos>", "<unk>"]

    /// Every token by id; the first four are `specials`.
    public let tokens: [String]
    private let ids: [String: Int]

    /// Restores a vocabulary from its token list (as saved next to a checkpoint).
    public init(tokens: [String]) throws {
        guard Array(tokens.prefix(4)) == Self.specials else {
            throw DataError(path: "", "a vocabulary must start with \(Self.specials), found \(Array(tokens.prefix(4)))")
        }
        var ids: [String: Int] = [:]
        for (i, t) in tokens.enumerated() {
            if ids[t] != nil { throw DataError(path: "", "token \"\(t)\" appears twice in the vocabulary") }
            ids[t] = i
        }
        self.tokens = tokens
        self.ids = ids
    }

    /// Counts tokens over `sentences` and keeps those seen at least `minFrequency` times, most
    /// frequent first (ties in code-point order, so the ids never depend on hash order), at most
    /// `maxSize` entries including the specials.
    public init(sentences: [[String]], minFrequency: Int = 1, maxSize: Int? = nil) {
        precondition(minFrequency >= 1, "minFrequency must be >= 1, got \(minFrequency)")
        var counts: [String: Int] = [:]
        for s in sentences { for t in s { counts[t, default: 0] += 1 } }
        for s in Self.specials { counts[s] = nil }
        var kept = counts.filter { $0.value >= minFrequency }
            .sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.unicodeScalars) .lexicographicallyPrecedes(Array($1.key.unicodeScalars)) }
            .map(\.key)
        if let m = maxSize { kept = Array(kept.prefix(max(m - Self.specials.count, 0))) }
        // The specials and counted tokens are distinct by construction.
        try! self.init(tokens: Self.specials + kept)
    }

    public var count: Int { tokens.count }

    /// The id of `token`, or `unk`.
    public func id(_ token: String) -> Int { ids[token] ?? Self.unk }

    /// The token of `id` (precondition: in range).
    public func token(_ id: Int) -> String {
        precondition(id >= 0 && id < tokens.count, "token id \(id) outside vocabulary of \(tokens.count)")
        return tokens[id]
    }

    /// Token ids, optionally wrapped in <sos> ... <eos>.
    public func encode(_ sentence: [String], addSOS: Bool = false, addEOS: Bool = true) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(sentence.count + 2)
        if addSOS { out.append(Self.sos) }
        for t in sentence { out.append(id(t)) }
        if addEOS { out.append(Self.eos) }
        return out
    }

    /// Tokens of `ids`, stopping at the first <eos> and dropping <pad> and <sos> (<unk> is kept).
    public func decode(_ ids: [Int]) -> [String] {
        var out: [String] = []
        for i in ids {
            if i == Self.eos { break }
            if i == Self.pad || i == Self.sos { continue }
            out.append(token(i))
        }
        return out
    }
}
