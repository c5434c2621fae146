// Loading sentence pairs for training: the generated corpus or a real one (Tatoeba TSV, or a
// directory of aligned train/valid/test files), tokenised, split and encoded with vocabularies.
import Foundation
import WorkbenchCore
import WorkbenchData
import WorkbenchRun

public struct TranslationData {
    public var train: [TokenPair], valid: [TokenPair], test: [TokenPair]
    public var source: Vocabulary, target: Vocabulary
    /// Where the pairs came from, for config.json and the card.
    public var origin: String

    public init(train: [TokenPair], valid: [TokenPair], test: [TokenPair], source: Vocabulary, target: Vocabulary, origin: String) {
        self.train = train; self.valid = valid; self.test = test
        self.source = source; self.target = target; self.origin = origin
    }

    /// Ids: source tokens without specials; target tokens followed by <eos>.
    public func encode(_ pairs: [TokenPair]) -> [EncodedPair] {
        pairs.map { EncodedPair(source: source.encode($0.source, addSOS: false, addEOS: false),
                                target: target.encode($0.target, addSOS: false, addEOS: true)) }
    }

    /// The generated English→French corpus (in `CorpusGenerator.cacheRoot()`, written when missing).
    public static func generated(root: String = CorpusGenerator.cacheRoot(), count: Int = 150_000, seed: UInt64 = 0,
                                 trainLimit: Int? = nil, maxLength: Int = 50) throws -> TranslationData {
        let dir = try CorpusGenerator.writeIfMissing(root: root, count: count, seed: seed)
        // Named without the cache's location, which may differ when the run is resumed elsewhere.
        return try aligned(directory: dir, trainLimit: trainLimit, maxLength: maxLength,
                           origin: "generated en-fr corpus \((dir as NSString).lastPathComponent)")
    }

    /// A directory holding train.en/train.fr, valid.en/valid.fr, test.en/test.fr (one sentence a
    /// line). Pairs longer than `maxLength` tokens on either side are skipped in every split, and
    /// counted in `origin` with the lines the reader rejected.
    public static func aligned(directory dir: String, trainLimit: Int? = nil, maxLength: Int = 50,
                               origin: String? = nil) throws -> TranslationData {
        let tok = Tokenizer()
        var counts: [String] = []
        func read(_ split: String) throws -> [TokenPair] {
            let corpus = try ParallelCorpus.readAligned(source: "\(dir)/\(split).en", target: "\(dir)/\(split).fr")
            let pairs = corpus.tokenized(with: tok, maxLength: maxLength)
            counts.append("\(split) \(pairs.count) of \(corpus.report.totalLines)")
            return pairs
        }
        var train = try read("train")
        if let trainLimit { train = Array(train.prefix(trainLimit)) }
        let valid = try read("valid"), test = try read("test")
        return TranslationData(train: train, valid: valid, test: test,
                               source: Vocabulary(sentences: train.map(\.source)),
                               target: Vocabulary(sentences: train.map(\.target)),
                               origin: "\(origin ?? dir) (pairs within \(maxLength) tokens: \(counts.joined(separator: ", ")))")
    }

    /// A Tatoeba / manythings.org TSV (English<TAB>French<TAB>attribution). Pairs longer than
    /// `maxLength` tokens are dropped; distinct English sentences are split by `seed` so that no
    /// test sentence is in training; words seen fewer than `minFrequency` times become <unk>.
    public static func tatoeba(path: String, maxLength: Int = 20, seed: UInt64 = 0, valid: Int = 1000, test: Int = 2000,
                               minFrequency: Int = 2) throws -> TranslationData {
        let corpus = try ParallelCorpus.readTSV(path)
        try corpus.report.checkTSVLines()
        let pairs = corpus.tokenized(with: Tokenizer(), maxLength: maxLength)
        var groups: [[String]: [TokenPair]] = [:]
        var order: [[String]] = []
        for p in pairs {
            if groups[p.source] == nil { order.append(p.source) }
            groups[p.source, default: []].append(p)
        }
        guard order.count > valid + test + 1 else {
            throw RunError.invalid("\(path): only \(order.count) distinct source sentences of at most \(maxLength) tokens; need more than \(valid + test)")
        }
        var g = Generator(seed: seed &+ 0x7a70)
        let perm = g.permutation(order.count)
        let testKeys = perm[0..<test], validKeys = perm[test..<(test + valid)], trainKeys = perm[(test + valid)...]
        func collect(_ keys: ArraySlice<Int>) -> [TokenPair] { keys.flatMap { groups[order[$0]]! } }
        let train = collect(trainKeys)
        return TranslationData(train: train, valid: collect(validKeys), test: collect(testKeys),
                               source: Vocabulary(sentences: train.map(\.source), minFrequency: minFrequency),
                               target: Vocabulary(sentences: train.map(\.target), minFrequency: minFrequency),
                               origin: "\(path) (\(corpus.report.accepted) pairs read, \(pairs.count) within \(maxLength) tokens)")
    }

    /// `--data-dir`: a TSV file, or a directory of aligned files; nil: the generated corpus. Pairs
    /// longer than `maxLength` tokens are skipped in every form.
    public static func load(dataPath: String?, trainLimit: Int?, seed: UInt64, maxLength: Int) throws -> TranslationData {
        guard let dataPath else { return try generated(trainLimit: trainLimit, maxLength: maxLength) }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataPath, isDirectory: &isDir) else {
            throw RunError.invalid("--data-dir \(dataPath): no such file or directory (give fra.txt or a directory with train.en/train.fr/...)")
        }
        return isDir.boolValue ? try aligned(directory: dataPath, trainLimit: trainLimit, maxLength: maxLength)
            : try tatoeba(path: dataPath, maxLength: maxLength, seed: seed)
    }
}

extension CorpusReport {
    /// A line of invalid UTF-8 or without a tab means the file is not a `source<TAB>target` corpus
    /// (or is damaged): an error naming the file and the first such line, not a silent skip.
    func checkTSVLines() throws {
        if let line = exampleLines[.invalidUTF8]?.first {
            throw RunError.invalid("\(path): line \(line) is not valid UTF-8 (\(counts[.invalidUTF8]!) such lines)")
        }
        if let line = exampleLines[.missingTab]?.first {
            throw RunError.invalid("\(path): line \(line) has no tab: a line must be source<TAB>target (\(counts[.missingTab]!) such lines)")
        }
    }
}

/// Decoder input and output for teacher forcing from target ids ending in <eos>:
/// input [<sos>, y1..yn], output [y1..yn, <eos>], both padded. // [B, T]
func teacherForcing(_ target: IndexTensor, lengths: [Int]) -> (input: IndexTensor, output: IndexTensor) {
    let b = target.shape[0], t = target.shape[1]
    var input = [Int](repeating: Vocabulary.pad, count: b * t)
    for r in 0..<b {
        input[r * t] = Vocabulary.sos
        for j in 1..<max(lengths[r], 1) { input[r * t + j] = target.data[r * t + j - 1] }
    }
    return (IndexTensor(shape: [b, t], data: input), target)
}
