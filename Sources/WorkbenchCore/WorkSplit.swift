// Splitting independent work (gate maths, optimizer updates, loss rows, the samples of a conv
// batch) across the machine's two cores.
import CBLAS
import Dispatch

/// Cores the compute kernels split their work over: OpenBLAS's configured thread count
/// (`OPENBLAS_NUM_THREADS`, else the machine's cores), at most 2. Reading it the first time also
/// sets OpenBLAS itself to one thread, for good: the kernels do their own splitting (`sgemm` into
/// two products, convolutions into batch halves), which depends on shapes alone. OpenBLAS's own
/// threading rounds differently with its thread count, and its pool threads spin on a core after
/// each call while the other threads of the process want it.
public let computeCores: Int = {
    let configured = Int(openblas_get_num_threads())
    openblas_set_num_threads(1)
    return Swift.min(2, Swift.max(1, configured))
}()

/// Runs `body` over `0..<count` in two halves on two cores when `count * costPerItem` is large
/// enough to pay for the hand-off (about 2^15 simple operations), else in one call. The halves
/// must write disjoint memory; the result then does not depend on the split.
public func splitAcrossCores(_ count: Int, costPerItem: Int, _ body: (Range<Int>) -> Void) {
    guard computeCores > 1 && count > 1 && count * costPerItem >= 1 << 15 else { body(0..<count); return }
    withoutActuallyEscaping(body) { body in
        // concurrentPerform returns only when both halves are done.
        let work = WorkSplitBox(body)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            work.body(part == 0 ? 0..<(count / 2) : (count / 2)..<count)
        }
    }
}

/// Carries the body into concurrentPerform, whose completion is the synchronisation.
private struct WorkSplitBox: @unchecked Sendable {
    let body: (Range<Int>) -> Void
    init(_ body: @escaping (Range<Int>) -> Void) { self.body = body }
}

/// Runs `body` over the samples of a batch: in two halves on the two cores when `computeCores`
/// allows it and the work (about 2^21 multiply-adds or more) pays for the hand-off; else once over
/// the whole batch. Splitting the batch spreads im2col/col2im, the copies and the gemms of a conv
/// over both cores at once. `body`'s third argument says whether it has both cores to itself
/// (false inside a half, where its gemms and column copies must not split again).
///
/// `sum` [count] is a sum over samples that `body` overwrites for the samples it is given: the
/// first half writes it directly, the second into a buffer added afterwards, so the result never
/// depends on timing.
func forBatchHalves(_ batch: Int, macsPerSample: Int, sum: UnsafeMutablePointer<Float>?, count: Int,
                    _ body: (_ samples: Range<Int>, _ sum: UnsafeMutablePointer<Float>?, _ bothCores: Bool) -> Void) {
    guard batch > 1 && computeCores > 1 && batch * macsPerSample >= 1 << 21 else {
        body(0..<batch, sum, computeCores > 1)
        return
    }
    let second = sum.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: count) }
    defer { second?.deallocate() }
    splitAcrossCores(2, costPerItem: 1 << 15) { parts in
        for part in parts {
            body(part == 0 ? 0..<(batch / 2) : (batch / 2)..<batch, part == 0 ? sum : second, false)
        }
    }
    if let sum, let second { for i in 0..<count { sum[i] += second[i] } }
}
