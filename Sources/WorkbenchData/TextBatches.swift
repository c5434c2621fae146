// Padding token-id sequences into [B, T] batches and bucketing pairs of similar length together,
// with seeded, epoch-dependent shuffling.

/// An encoded sentence pair (ids from `Vocabulary.encode`).
public struct EncodedPair: Sendable, Equatable {
    public var source: [Int]
    public var target: [Int]

    public init(source: [Int], target: [Int]) {
        self.source = source
        self.target = target
    }
}

/// Pads sequences with `padding` to the longest (or to `length`), batch first. // [B, T]
public func padSequences(_ sequences: [[Int]], padding: Int = Vocabulary.pad, length: Int? = nil) -> (ids: IndexTensor, lengths: [Int]) {
    let lengths = sequences.map(\.count)
    let t = length ?? (lengths.max() ?? 0)
    precondition(lengths.allSatisfy { $0 <= t }, "padSequences: a sequence of \(lengths.max() ?? 0) exceeds length \(t)")
    var data = [Int](repeating: padding, count: sequences.count * t)
    for (b, s) in sequences.enumerated() {
        for (j, v) in s.enumerated() { data[b * t + j] = v }
    }
    return (IndexTensor(shape: [sequences.count, t], data: data), lengths)
}

/// One batch of padded pairs.
public struct TextBatch: Sendable {
    /// Source ids padded with <pad>. // [B, S]
    public var source: IndexTensor
    public var sourceLengths: [Int]
    /// Target ids padded with <pad>. // [B, T]
    public var target: IndexTensor
    public var targetLengths: [Int]
    /// Positions of these pairs in the pair list.
    public var indices: [Int]
}

/// One epoch of `TextBatch`es. With `bucketing`, pairs are shuffled, cut into pools of
/// `poolBatches` batches, each pool sorted by (source length, target length) and cut into batches,
/// and the batches shuffled, so a batch holds similar lengths (little padding) while the epoch
/// stays random. Same (seed, epoch), same batches.
public struct TextBatches: Sequence {
    public let pairs: [EncodedPair]
    /// The pair indices of each batch, in order.
    public let batchIndices: [[Int]]

    public init(_ pairs: [EncodedPair], batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, epoch: Int = 0,
                bucketing: Bool = true, poolBatches: Int = 50, dropLast: Bool = false) {
        precondition(batchSize > 0 && poolBatches > 0, "batchSize \(batchSize) and poolBatches \(poolBatches) must be positive")
        self.pairs = pairs
        var g = WorkbenchCore.Generator(seed: epochSeed(seed, epoch: epoch, stream: 2))
        var order = shuffle ? g.permutation(pairs.count) : Array(0..<pairs.count)
        if bucketing {
            let pool = batchSize * poolBatches
            var start = 0
            while start < order.count {
                let end = Swift.min(start + pool, order.count)
                // Stable: equal lengths keep their shuffled order.
                let sorted = order[start..<end].enumerated().sorted { a, b in
                    let pa = pairs[a.element], pb = pairs[b.element]
                    if pa.source.count != pb.source.count { return pa.source.count < pb.source.count }
                    if pa.target.count != pb.target.count { return pa.target.count < pb.target.count }
                    return a.offset < b.offset
                }.map(\.element)
                order.replaceSubrange(start..<end, with: sorted)
                start = end
            }
        }
        var batches: [[Int]] = stride(from: 0, to: order.count, by: batchSize).map {
            Array(order[$0..<Swift.min($0 + batchSize, order.count)])
        }
        if dropLast, let last = batches.last, last.count < batchSize {
            // With bucketing the short batch sits at the end of the last pool; drop that one.
            batches.removeLast()
        }
        if shuffle && bucketing {
            let perm = g.permutation(batches.count)
            batches = perm.map { batches[$0] }
        }
        batchIndices = batches
    }

    public var count: Int { batchIndices.count }
    public var underestimatedCount: Int { count }

    public func makeIterator() -> Iterator { Iterator(batches: self) }

    public struct Iterator: IteratorProtocol {
        let batches: TextBatches
        var position = 0

        public mutating func next() -> TextBatch? {
            guard position < batches.batchIndices.count else { return nil }
            let indices = batches.batchIndices[position]
            position += 1
            let src = padSequences(indices.map { batches.pairs[$0].source })
            let tgt = padSequences(indices.map { batches.pairs[$0].target })
            return TextBatch(source: src.ids, sourceLengths: src.lengths, target: tgt.ids, targetLengths: tgt.lengths,
                             indices: indices)
        }
    }
}
