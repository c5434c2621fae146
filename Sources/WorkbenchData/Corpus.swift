// Parallel corpora: tab-separated pair files (Tatoeba / manythings.org `fra.txt`) and two aligned
// line files, with every rejected line counted by reason in a `CorpusReport`.

/// Why a corpus line was not used.
public enum CorpusIssue: String, CaseIterable, Sendable, Comparable {
    case emptyLine = "empty line"
    case missingTab = "no tab between source and target"
    case invalidUTF8 = "invalid UTF-8"
    case emptyField = "empty source or target"

    public static func < (a: CorpusIssue, b: CorpusIssue) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What reading a corpus accepted and rejected.
public struct CorpusReport: Sendable, CustomStringConvertible {
    /// How many line numbers of each issue are kept as examples.
    public static let exampleLimit = 5

    public var path: String
    /// Lines read (pairs of lines for aligned files), not counting a final newline's empty tail.
    public var totalLines = 0
    /// Lines that became sentence pairs.
    public var accepted = 0
    /// Accepted lines that had columns after the target (attribution); those columns are ignored.
    public var linesWithExtraColumns = 0
    /// Rejected lines by reason.
    public var counts: [CorpusIssue: Int] = [:]
    /// The first few (1-based) line numbers of each reason.
    public var exampleLines: [CorpusIssue: [Int]] = [:]

    public init(path: String) { self.path = path }

    /// Lines rejected for any reason.
    public var rejected: Int { counts.values.reduce(0, +) }

    mutating func reject(_ issue: CorpusIssue, line: Int) {
        counts[issue, default: 0] += 1
        if exampleLines[issue, default: []].count < Self.exampleLimit { exampleLines[issue, default: []].append(line) }
    }

    public var description: String {
        var s = "\(path): \(accepted) of \(totalLines) lines accepted"
        if linesWithExtraColumns > 0 { s += " (\(linesWithExtraColumns) with extra columns ignored)" }
        for issue in counts.keys.sorted() {
            let lines = exampleLines[issue, default: []].map(String.init).joined(separator: ", ")
            s += "; \(counts[issue]!) skipped: \(issue.rawValue) (line \(lines)\(counts[issue]! > Self.exampleLimit ? ", ..." : ""))"
        }
        return s
    }
}

/// One aligned sentence pair and the (1-based) line it came from.
public struct SentencePair: Sendable, Equatable {
    public var source: String
    public var target: String
    public var line: Int

    public init(source: String, target: String, line: Int) {
        self.source = source
        self.target = target
        self.line = line
    }
}

/// A list of sentence pairs and the report of how it was read.
public struct ParallelCorpus: Sendable {
    public var pairs: [SentencePair]
    public var report: CorpusReport

    public init(pairs: [SentencePair], report: CorpusReport) {
        self.pairs = pairs
        self.report = report
    }

    /// Reads `source<TAB>target[<TAB>more...]` lines. Columns after `targetColumn` (the Tatoeba
    /// attribution) are ignored; CRLF endings and a UTF-8 byte-order mark are accepted.
    public static func readTSV(_ path: String, sourceColumn: Int = 0, targetColumn: Int = 1) throws -> ParallelCorpus {
        try parseTSV(try readFileBytes(path), name: path, sourceColumn: sourceColumn, targetColumn: targetColumn)
    }

    /// `readTSV` on bytes already in memory; `name` labels the report.
    public static func parseTSV(_ bytes: [UInt8], name: String, sourceColumn: Int = 0, targetColumn: Int = 1) throws -> ParallelCorpus {
        precondition(sourceColumn >= 0 && targetColumn >= 0 && sourceColumn != targetColumn,
                     "source and target columns must be distinct and >= 0, got \(sourceColumn), \(targetColumn)")
        var report = CorpusReport(path: name)
        var pairs: [SentencePair] = []
        let needed = max(sourceColumn, targetColumn) + 1
        for (number, line) in splitLines(bytes) {
            report.totalLines += 1
            guard let text = String(validating: line, as: UTF8.self) else { report.reject(.invalidUTF8, line: number); continue }
            if text.allSatisfy(\.isWhitespace) { report.reject(.emptyLine, line: number); continue }
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count < needed { report.reject(.missingTab, line: number); continue }
            let source = fields[sourceColumn].trimmingWhitespace(), target = fields[targetColumn].trimmingWhitespace()
            if source.isEmpty || target.isEmpty { report.reject(.emptyField, line: number); continue }
            if fields.count > needed { report.linesWithExtraColumns += 1 }
            pairs.append(SentencePair(source: source, target: target, line: number))
            report.accepted += 1
        }
        return ParallelCorpus(pairs: pairs, report: report)
    }

    /// Reads two files whose n-th lines translate each other. Differing line counts are an error.
    public static func readAligned(source sourcePath: String, target targetPath: String) throws -> ParallelCorpus {
        try parseAligned(source: try readFileBytes(sourcePath), target: try readFileBytes(targetPath),
                         sourceName: sourcePath, targetName: targetPath)
    }

    /// `readAligned` on bytes already in memory.
    public static func parseAligned(source: [UInt8], target: [UInt8], sourceName: String, targetName: String) throws -> ParallelCorpus {
        let s = splitLines(source), t = splitLines(target)
        guard s.count == t.count else {
            throw DataError(path: sourceName, "has \(s.count) lines but \(targetName) has \(t.count); aligned files need equal line counts")
        }
        var report = CorpusReport(path: "\(sourceName) + \(targetName)")
        var pairs: [SentencePair] = []
        for k in 0..<s.count {
            let number = s[k].number
            report.totalLines += 1
            guard let a = String(validating: s[k].bytes, as: UTF8.self),
                  let b = String(validating: t[k].bytes, as: UTF8.self) else { report.reject(.invalidUTF8, line: number); continue }
            let source = a.trimmingWhitespace(), target = b.trimmingWhitespace()
            if source.isEmpty && target.isEmpty { report.reject(.emptyLine, line: number); continue }
            if source.isEmpty || target.isEmpty { report.reject(.emptyField, line: number); continue }
            pairs.append(SentencePair(source: source, target: target, line: number))
            report.accepted += 1
        }
        return ParallelCorpus(pairs: pairs, report: report)
    }

    /// The same pairs with source and target swapped (manythings `fra.txt` is English first).
    public func swapped() -> ParallelCorpus {
        ParallelCorpus(pairs: pairs.map { SentencePair(source: $0.target, target: $0.source, line: $0.line) }, report: report)
    }

    /// Tokenises both sides, dropping pairs where either side has more than `maxLength` tokens.
    public func tokenized(with tokenizer: Tokenizer = Tokenizer(), maxLength: Int? = nil) -> [TokenPair] {
        var out: [TokenPair] = []
        out.reserveCapacity(pairs.count)
        for p in pairs {
            let s = tokenizer.tokenize(p.source), t = tokenizer.tokenize(p.target)
            if let m = maxLength, s.count > m || t.count > m { continue }
            out.append(TokenPair(source: s, target: t))
        }
        return out
    }
}

/// A tokenised sentence pair.
public struct TokenPair: Sendable, Equatable {
    public var source: [String]
    public var target: [String]

    public init(source: [String], target: [String]) {
        self.source = source
        self.target = target
    }
}

/// Splits with universal newlines (LF, CRLF or a lone CR end a line), dropping a leading UTF-8
/// byte-order mark; the empty piece after a final newline is not a line. Returns 1-based line
/// numbers with the bytes.
func splitLines(_ bytes: [UInt8]) -> [(number: Int, bytes: ArraySlice<UInt8>)] {
    var lines: [(number: Int, bytes: ArraySlice<UInt8>)] = []
    var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    var number = 1
    while start < bytes.count {
        let end = bytes[start...].firstIndex { $0 == 0x0A || $0 == 0x0D } ?? bytes.count
        lines.append((number, bytes[start..<end]))
        number += 1
        start = end + (end + 1 < bytes.count && bytes[end] == 0x0D && bytes[end + 1] == 0x0A ? 2 : 1)
    }
    return lines
}

/// A text file's lines with universal newlines (see `splitLines`); throws `DataError` naming the
/// file for a missing or unreadable file and the line for invalid UTF-8.
public func readTextLines(_ path: String) throws -> [String] {
    try splitLines(try readFileBytes(path)).map { line in
        guard let text = String(validating: line.bytes, as: UTF8.self) else {
            throw DataError(path: path, "line \(line.number) is not valid UTF-8")
        }
        return text
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
