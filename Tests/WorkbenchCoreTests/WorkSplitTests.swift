// Work split over the two cores: every index exactly once, products split by rows or by columns
// equal to a float64 reference, and the same bits whichever thread gets the second core and
// whether its worker was polling or asleep.
import Dispatch
import Glibc
import Testing
import WorkbenchCore

@Suite struct WorkSplitTests {
    /// op(A)·op(B) in Float64 from row-major A [m,k] (or [k,m]) and B [k,n] (or [n,k]).
    func reference(_ a: [Float], _ b: [Float], transA: Bool, transB: Bool, m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    s += Double(transA ? a[p * m + i] : a[i * k + p]) * Double(transB ? b[j * k + p] : b[p * n + j])
                }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    func product(_ a: [Float], _ b: [Float], transA: Bool, transB: Bool, m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: .nan, count: m * n)   // beta 0 must not read C
        c.withUnsafeMutableBufferPointer { pc in
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a, b, pc.baseAddress!)
        }
        return c
    }

    // Each shape has at least 2^20 multiply-adds, so it runs as two products: (96, 160) by rows,
    // (40, 320) by columns, (128, 128) by rows (ties go to rows).
    @Test(arguments: [(96, 160, 80), (40, 320, 100), (128, 128, 64)])
    func splitProductsMatchReference(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var g = Generator(seed: 21)
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = Tensor.normal([m * k], generator: &g).data, b = Tensor.normal([k * n], generator: &g).data
            let c = product(a, b, transA: transA, transB: transB, m: m, n: n, k: k)
            let expected = reference(a, b, transA: transA, transB: transB, m: m, n: n, k: k)
            #expect(closeness(c, expected, atol: 1e-4, rtol: 1e-4).passed, "m \(m) n \(n) k \(k) transA \(transA) transB \(transB)")
        }
    }

    @Test func everyIndexOnceAtEverySize() {
        for count in [0, 1, 2, 3, 1000, 1 << 15 + 1] {
            var hits = [Int](repeating: 0, count: count)
            hits.withUnsafeMutableBufferPointer { h in
                let h = h
                splitAcrossCores(count, costPerItem: 4) { range in for i in range { h[i] += 1 } }
            }
            #expect(hits.allSatisfy { $0 == 1 }, "count \(count)")
        }
    }

    /// Four threads multiplying at once (only one can have the second core; the others run both
    /// halves themselves) and a split nested inside a split: same bits as one product alone.
    @Test func sameBitsFromConcurrentAndNestedCallers() {
        let (m, n, k) = (128, 96, 96)
        var g = Generator(seed: 22)
        let a = Tensor.normal([m * k], generator: &g).data, b = Tensor.normal([k * n], generator: &g).data
        let alone = product(a, b, transA: false, transB: false, m: m, n: n, k: k)
        let results = ResultSlots(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for _ in 0..<20 { results.store(product(a, b, transA: false, transB: false, m: m, n: n, k: k), at: t) }
        }
        for t in 0..<4 { #expect(results.value(at: t) == alone, "thread \(t)") }

        var nested = [[Float]](repeating: [], count: 2)
        nested.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            splitAcrossCores(2, costPerItem: 1 << 15) { range in
                for i in range { slots[i] = product(a, b, transA: false, transB: false, m: m, n: n, k: k) }
            }
        }
        #expect(nested[0] == alone && nested[1] == alone)
    }

    /// The worker sleeps after ~100 µs without work; a product after a pause must wake it.
    @Test func productsAfterTheWorkerSlept() {
        let (m, n, k) = (128, 96, 96)
        var g = Generator(seed: 23)
        let a = Tensor.normal([m * k], generator: &g).data, b = Tensor.normal([k * n], generator: &g).data
        let first = product(a, b, transA: false, transB: false, m: m, n: n, k: k)
        #expect(closeness(first, reference(a, b, transA: false, transB: false, m: m, n: n, k: k), atol: 1e-4, rtol: 1e-4).passed)
        for _ in 0..<5 {
            usleep(2_000)
            #expect(product(a, b, transA: false, transB: false, m: m, n: n, k: k) == first)
        }
    }
}

/// One result per thread; each thread writes only its own slot, read after all have finished.
private final class ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<[Float]>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: [], count: count)
    }
    deinit { slots.deinitialize(count: count); slots.deallocate() }
    func store(_ value: [Float], at i: Int) { slots[i] = value }
    func value(at i: Int) -> [Float] { slots[i] }
}
