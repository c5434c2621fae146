// Splitting independent elementwise work (gate maths, optimizer updates, loss rows) across the
// machine's two cores.
import Dispatch

/// Runs `body` over `0..<count` in two halves on two cores when `count * costPerItem` is large
/// enough to pay for the hand-off (about 2^15 simple operations), else in one call. The halves
/// must write disjoint memory; the result then does not depend on the split.
public func splitAcrossCores(_ count: Int, costPerItem: Int, _ body: (Range<Int>) -> Void) {
    guard count > 1 && count * costPerItem >= 1 << 15 else { body(0..<count); return }
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
