// DataParallel in one process: the single-process default is a no-op, and the bucketing, scalar
// riding and sharding are checked against a stand-in group. The real multi-process checks are
// WorkbenchMPI's workbench-mpi-check (`make test-mpi`).
import Testing
import WorkbenchCore
import WorkbenchRun

/// Rank `rank` of `worldSize` whose peers all hold this rank's values: an allreduce multiplies by
/// the world size, and every call's length is recorded.
final class MirrorGroup: ProcessGroup {
    let rank: Int, worldSize: Int
    var calls: [Int] = []
    init(rank: Int, worldSize: Int) { self.rank = rank; self.worldSize = worldSize }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        calls.append(buffer.count)
        for i in buffer.indices { buffer[i] *= Float(worldSize) }
    }
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) {}
}

func gradParameters(_ sizes: [Int], nilAt: Int? = nil) -> [Tensor] {
    sizes.enumerated().map { k, n in
        let p = Tensor(shape: [n], data: [Float](repeating: 0, count: n), requiresGrad: true)
        if k != nilAt { p.grad = Tensor(shape: [n], data: (0..<n).map { Float($0) * 0.37 + Float(k) }) }
        return p
    }
}

@Suite struct DataParallelTests {
    @Test func singleProcessChangesNothing() throws {
        let dp = DataParallel(group: SingleProcess())
        let params = gradParameters([5, 3])
        let before = params.map { $0.grad!.data }
        #expect(dp.averageGradients(params, sum: [2.5, 1]) == [2.5, 1])
        #expect(params.map { $0.grad!.data } == before)
        #expect(dp.isMain && dp.worldSize == 1 && dp.rankSeed(42) == 42)
        let x = Tensor(shape: [4, 2], data: (0..<8).map(Float.init))
        let (xs, ys) = dp.shard(x, IndexTensor([0, 1, 2, 3]))
        #expect(xs.data == x.data && ys.data == [0, 1, 2, 3])
    }

    @Test func bucketsCoverEveryGradientOnce() throws {
        let group = MirrorGroup(rank: 1, worldSize: 2)
        let dp = DataParallel(group: group, bucketMegabytes: 7.0 * 4 / 1_048_576)
        #expect(dp.bucketCapacity == 7)
        let params = gradParameters([3, 10, 1, 7, 20], nilAt: 2)
        let before = params.map { $0.grad?.data }
        let sums = dp.averageGradients(params, sum: [1.5, 3])
        // 41 gradient floats + 2 scalars in buckets of 7: six full calls and one of 1.
        #expect(group.calls == [7, 7, 7, 7, 7, 7, 1])
        // Identical peers: the mean is each rank's own gradient, bit for bit; sums double.
        #expect(params.map { $0.grad?.data } == before)
        #expect(params[2].grad == nil)
        #expect(sums == [3, 6])
        #expect(dp.floatsPerStep == 41 && dp.allReduceSteps == 1)
    }

    @Test func oneCallForASmallModel() throws {
        let group = MirrorGroup(rank: 0, worldSize: 4)
        let dp = DataParallel(group: group)
        dp.averageGradients(gradParameters([300, 2000, 64]), sum: [1])
        #expect(group.calls == [2365])
    }

    @Test func shardTakesThisRanksRows() throws {
        let dp = DataParallel(group: MirrorGroup(rank: 1, worldSize: 2))
        let x = Tensor(shape: [4, 1, 2], data: (0..<8).map(Float.init))
        let (xs, ys) = dp.shard(x, IndexTensor([5, 6, 7, 8]))
        #expect(xs.shape == [2, 1, 2] && xs.data == [4, 5, 6, 7])
        #expect(ys.data == [7, 8])
        #expect(throws: RunError.self) { try dp.microBatchSize(globalBatch: 5) }
        #expect(try dp.microBatchSize(globalBatch: 128) == 64)
        #expect(dp.rankSeed(42) != 42)
    }
}
