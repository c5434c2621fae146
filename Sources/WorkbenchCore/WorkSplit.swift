// Splitting independent work (gate maths, optimizer updates, loss rows, the samples of a conv
// batch) across the machine's two cores, on one long-lived worker thread.
import CBLAS
import Glibc
import Synchronization

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
    onBothCores { part in body(part == 0 ? 0..<(count / 2) : (count / 2)..<count) }
}

/// Runs `body(0)` on this thread and `body(1)` on the second core's worker, returning when both
/// are done. When the worker is already taken (a call from inside a half, or from another thread
/// at the same time, or with one compute core) both parts run here, one after the other: callers
/// write disjoint memory per part, so the result is the same either way.
func onBothCores(_ body: (Int) -> Void) {
    guard computeCores > 1 else { body(0); body(1); return }
    let pool = SecondCore.shared
    guard pool.taken.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
        body(0); body(1)
        return
    }
    withoutActuallyEscaping(body) { body in
        pool.run(body)
    }
    pool.taken.store(false, ordering: .releasing)
}

/// The second core's worker: one thread that, after each part it runs, keeps polling for the next
/// for about 100 µs before it sleeps. The kernels hand work over hundreds of times per training
/// step (every LSTM time step, every conv); waking a sleeping thread costs 15–30 µs on this kind
/// of VM, polling costs nothing the process would otherwise use.
private final class SecondCore: @unchecked Sendable {
    static let shared = SecondCore()

    let taken = Atomic<Bool>(false)      // a caller owns the worker
    private let posted = Atomic<Int>(0)  // number of parts handed over so far
    private let done = Atomic<Int>(0)    // number of parts finished
    private let asleep = Atomic<Bool>(false)
    private var job: ((Int) -> Void)?    // written before `posted` is raised, cleared after `done` is
    // Heap-allocated: a pthread mutex or condition must never move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    private init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<SecondCore>.fromOpaque(context!).takeUnretainedValue().serve()
        }, context)
        precondition(created == 0, "could not start the second core's worker thread (error \(created))")
        pthread_detach(thread)
    }

    /// Caller side: hand part 1 over, run part 0, wait for part 1.
    func run(_ body: @escaping (Int) -> Void) {
        job = body
        let ticket = posted.add(1, ordering: .sequentiallyConsistent).newValue
        if asleep.load(ordering: .sequentiallyConsistent) {
            pthread_mutex_lock(mutex)
            pthread_cond_signal(wake)
            pthread_mutex_unlock(mutex)
        }
        body(0)
        var polls = 0
        while done.load(ordering: .acquiring) != ticket {
            polls += 1
            if polls > 1 << 12 { sched_yield() }   // the worker lost its core: let it have ours
        }
        job = nil
    }

    /// Worker side, forever: wait for a posted part, run it, report it done.
    private func serve() -> Never {
        var seen = 0
        while true {
            seen = waitForPost(after: seen)
            do {
                let body = job!
                body(1)
            }
            done.store(seen, ordering: .releasing)
        }
    }

    /// Polls `posted` for about 100 µs, then sleeps until a caller signals.
    private func waitForPost(after seen: Int) -> Int {
        let start = monotonicNanoseconds()
        var polls = 0
        while true {
            let now = posted.load(ordering: .acquiring)
            if now != seen { return now }
            polls += 1
            if polls & 63 == 0 && monotonicNanoseconds() - start > 100_000 { break }
        }
        pthread_mutex_lock(mutex)
        asleep.store(true, ordering: .sequentiallyConsistent)
        var now = posted.load(ordering: .sequentiallyConsistent)
        while now == seen {
            pthread_cond_wait(wake, mutex)
            now = posted.load(ordering: .sequentiallyConsistent)
        }
        asleep.store(false, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return now
    }
}

private func monotonicNanoseconds() -> Int {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return t.tv_sec * 1_000_000_000 + t.tv_nsec
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
    onBothCores { part in
        body(part == 0 ? 0..<(batch / 2) : (batch / 2)..<batch, part == 0 ? sum : second, false)
    }
    if let sum, let second { for i in 0..<count { sum[i] += second[i] } }
}
