// Synchronous data parallelism (PyTorch's DistributedDataParallel): the process-group protocol a
// transport implements (Open MPI in the optional mpi/ package), a single-process default that does
// nothing, and the gradient averaging through large flat buckets that a training loop calls
// between `backward()` and the optimizer step.
import WorkbenchCore

/// The collectives data parallelism needs, like a `torch.distributed` process group.
public protocol ProcessGroup: AnyObject {
    /// This process's index, 0..<worldSize; rank 0 writes logs and checkpoints.
    var rank: Int { get }
    var worldSize: Int { get }
    /// Sums `buffer` elementwise across all ranks, in place. Every rank must receive the same
    /// bits (Open MPI's reduction does this: each element is reduced once and then distributed).
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// Overwrites every rank's `buffer` with rank `root`'s.
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int)
}

/// One process, no communication: what `workbench` uses.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var worldSize: Int { 1 }
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) {}
}

public enum Distributed {
    /// The group new `ExperimentRun`s train in. `workbench-mpi` sets it to the MPI world before
    /// running the command line; otherwise it is a single process.
    nonisolated(unsafe) public static var defaultGroup: any ProcessGroup = SingleProcess()
}

/// Gradient averaging and batch sharding over a process group.
///
/// Each rank holds a full replica of the model. Every step each rank takes its own rows of the
/// global batch (`shard`), runs forward and backward on them, then `averageGradients` makes every
/// rank's gradients the mean over ranks, so the identical optimizer step keeps the replicas
/// bit-identical. BatchNorm computes its batch statistics on the local rows only and each rank
/// keeps its own running statistics, as in PyTorch DDP (without SyncBatchNorm).
public final class DataParallel {
    public let group: any ProcessGroup
    /// Floats per collective call: gradients are packed into flat buckets of this size, so a model
    /// with hundreds of tensors makes one or a few calls per step (DDP's default is 25 MB).
    public let bucketCapacity: Int
    /// Seconds spent in `averageGradients` (packing, the collectives, unpacking) since creation;
    /// under data parallelism this includes waiting for the slowest rank.
    public private(set) var allReduceSeconds = 0.0
    /// Calls of `averageGradients` so far, and the gradient floats the last one moved.
    public private(set) var allReduceSteps = 0
    public private(set) var floatsPerStep = 0
    var bucket: [Float]

    public init(group: any ProcessGroup = Distributed.defaultGroup, bucketMegabytes: Double = 25) {
        precondition(bucketMegabytes > 0, "bucketMegabytes must be positive, got \(bucketMegabytes)")
        self.group = group
        bucketCapacity = max(1, Int(bucketMegabytes * 1_048_576) / MemoryLayout<Float>.size)
        bucket = []
    }

    public var rank: Int { group.rank }
    public var worldSize: Int { group.worldSize }
    /// Rank 0: the process that prints, logs, plots, evaluates and checkpoints.
    public var isMain: Bool { group.rank == 0 }

    /// Rows per rank for a global batch of `globalBatch` rows.
    public func microBatchSize(globalBatch: Int) throws -> Int {
        guard globalBatch % worldSize == 0 else {
            throw RunError.invalid("the batch size \(globalBatch) is not divisible by the \(worldSize) processes")
        }
        return globalBatch / worldSize
    }

    /// This rank's contiguous block of rows of a global batch: rank r of N takes rows
    /// [r*B/N, (r+1)*B/N). Every rank builds the same global batch (same seeded order and
    /// augmentation), so the shards are disjoint and together are exactly the single-process batch.
    public func shard(_ x: Tensor, _ y: IndexTensor) -> (x: Tensor, y: IndexTensor) { // [B/N, ...], [B/N]
        if worldSize == 1 { return (x, y) }
        let batch = x.shape[0]
        precondition(y.shape == [batch], "shard: labels \(y.shape) do not match the batch \(x.shape)")
        precondition(batch % worldSize == 0, "shard: batch \(batch) not divisible by \(worldSize) ranks")
        let rows = batch / worldSize, row = x.count / max(batch, 1)
        let start = rank * rows
        let xs = Array(x.data[(start * row)..<((start + rows) * row)])
        return (Tensor(shape: [rows] + x.shape.dropFirst(), data: xs),
                IndexTensor(shape: [rows], data: Array(y.data[start..<(start + rows)])))
    }

    /// Makes every rank's tensors equal to rank 0's (parameters and buffers at the start of a run,
    /// so that replicas start identical whatever each rank initialised).
    public func broadcast(_ tensors: [Tensor]) {
        if worldSize == 1 { return }
        for t in tensors {
            t.data.withUnsafeMutableBufferPointer { group.broadcast($0, root: 0) }
        }
    }

    /// Replaces each parameter's `.grad` with its mean over ranks and returns `scalars` summed over
    /// ranks (a loss sum, counts, a stop flag: they ride in the last bucket, so no extra call).
    /// A parameter whose `.grad` is nil contributes zeros; its gradient stays nil. All ranks must
    /// call this with the same parameters in the same order.
    @discardableResult
    public func averageGradients(_ parameters: [Tensor], sum scalars: [Double] = []) -> [Double] {
        if worldSize == 1 { return scalars }
        let clock = ContinuousClock.now
        defer {
            allReduceSeconds += (ContinuousClock.now - clock).inSeconds
            allReduceSteps += 1
        }
        let counts = parameters.map(\.count)
        let gradientFloats = counts.reduce(0, +)
        floatsPerStep = gradientFloats
        let total = gradientFloats + scalars.count
        let capacity = min(bucketCapacity, total)
        if bucket.count < capacity { bucket = [Float](repeating: 0, count: capacity) }
        var summed = scalars
        let ranks = Float(worldSize)
        var windowStart = 0
        while windowStart < total {
            let windowEnd = min(windowStart + capacity, total)
            bucket.withUnsafeMutableBufferPointer { b in
                let base = b.baseAddress!
                // Pack: every gradient (or scalar) slice that overlaps [windowStart, windowEnd).
                var offset = 0
                for (p, n) in zip(parameters, counts) {
                    let lo = max(offset, windowStart), hi = min(offset + n, windowEnd)
                    if lo < hi {
                        if let g = p.grad {
                            g.data.withUnsafeBufferPointer { src in
                                (base + (lo - windowStart)).update(from: src.baseAddress! + (lo - offset), count: hi - lo)
                            }
                        } else {
                            (base + (lo - windowStart)).update(repeating: 0, count: hi - lo)
                        }
                    }
                    offset += n
                }
                for (k, s) in scalars.enumerated() where (gradientFloats + k) >= windowStart && (gradientFloats + k) < windowEnd {
                    base[gradientFloats + k - windowStart] = Float(s)
                }
                group.allReduceSum(UnsafeMutableBufferPointer(start: base, count: windowEnd - windowStart))
                // Unpack the means into the gradients and the sums into the scalars.
                offset = 0
                for (p, n) in zip(parameters, counts) {
                    let lo = max(offset, windowStart), hi = min(offset + n, windowEnd)
                    if lo < hi, let g = p.grad {
                        g.data.withUnsafeMutableBufferPointer { dst in
                            let d = dst.baseAddress! + (lo - offset), s = base + (lo - windowStart)
                            for i in 0..<(hi - lo) { d[i] = s[i] / ranks }
                        }
                    }
                    offset += n
                }
                for k in scalars.indices where (gradientFloats + k) >= windowStart && (gradientFloats + k) < windowEnd {
                    summed[k] = Double(base[gradientFloats + k - windowStart])
                }
            }
            windowStart = windowEnd
        }
        return summed
    }

    /// A seed for this rank derived from `seed` (rank 0 keeps `seed` unchanged, so a one-process
    /// run is the single-process run): for per-rank randomness such as dropout masks.
    public func rankSeed(_ seed: UInt64) -> UInt64 {
        if rank == 0 { return seed }
        var g = Generator(seed: seed ^ (UInt64(rank) &* 0x9E37_79B9_7F4A_7C15))
        return g.next()
    }
}
