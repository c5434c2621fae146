// The multi-process tests of data parallelism, run by `make test-mpi` as
// `mpirun -np 2 workbench-mpi-check` (Swift Testing runs in one process, so these are a program).
// Every check runs on every rank; rank 0 prints PASS/FAIL and the exit status is non-zero when any
// rank failed. `--bench` times the allreduce instead, `--bench-inception [steps]` GoogLeNet steps.
import Foundation
import WorkbenchCore
import WorkbenchMPI
import WorkbenchNN
import WorkbenchRun

nonisolated(unsafe) let world = MPIProcessGroup()
nonisolated(unsafe) var failures = 0

/// Records a check; all ranks learn whether any rank failed it.
func check(_ name: String, _ ok: Bool, _ detail: @autoclosure () -> String = "") {
    var flag: [Float] = [ok ? 0 : 1]
    flag.withUnsafeMutableBufferPointer { world.allReduceSum($0) }
    if !ok { print("rank \(world.rank): \(name): \(detail())") }
    if flag[0] > 0 { failures += 1 }
    if world.rank == 0 { print("\(flag[0] > 0 ? "FAIL" : "PASS")  \(name)") }
}

/// Number of parameter elements whose bits differ from rank 0's.
func bitMismatches(_ parameters: [Tensor]) -> Int {
    var mismatches = 0
    for p in parameters {
        var root = p.data
        root.withUnsafeMutableBufferPointer { world.broadcast($0, root: 0) }
        mismatches += zip(root, p.data).filter { $0.bitPattern != $1.bitPattern }.count
    }
    return mismatches
}

func close(_ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-4) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= atol + rtol * abs($1) }
}

// MARK: checks

/// The transport: exact small-integer sums reach every rank.
func checkAllReduce() {
    let n = world.worldSize
    var buffer = (0..<1000).map { Float($0 * (world.rank + 1)) }
    buffer.withUnsafeMutableBufferPointer { world.allReduceSum($0) }
    let factor = Float(n * (n + 1) / 2)
    check("allreduce sums over \(n) ranks", buffer == (0..<1000).map { Float($0) * factor })
    var b: [Float] = world.rank == 0 ? [1, 2, 3] : [0, 0, 0]
    b.withUnsafeMutableBufferPointer { world.broadcast($0, root: 0) }
    check("broadcast from rank 0", b == [1, 2, 3])
}

/// Gradient averaging through many small buckets (tensors split across buckets, a nil gradient,
/// scalars in the last bucket) gives the exact mean on every rank.
func checkBuckets() {
    let dp = DataParallel(group: world, bucketMegabytes: 7.0 * 4 / 1_048_576) // 7 floats per bucket
    let sizes = [3, 10, 1, 7, 20]
    let r = Float(world.rank), n = Float(world.worldSize)
    let params = sizes.map { Tensor(shape: [$0], data: [Float](repeating: 0, count: $0), requiresGrad: true) }
    for (k, p) in params.enumerated() where k != 2 {
        p.grad = Tensor(shape: p.shape, data: (0..<p.count).map { Float($0 + k) + 2 * r })
    }
    let sums = dp.averageGradients(params, sum: [Double(world.rank + 1), 0.5])
    // Mean over ranks of (i + k + 2r) is i + k + (n - 1): exact in Float.
    var ok = params[2].grad == nil
    for (k, p) in params.enumerated() where k != 2 {
        ok = ok && p.grad!.data == (0..<p.count).map { Float($0 + k) + (n - 1) }
    }
    check("bucketed gradient mean (7-float buckets, nil grad)", ok)
    check("scalars summed in the last bucket", sums == [Double(world.worldSize * (world.worldSize + 1) / 2), 0.5 * Double(world.worldSize)],
          "\(sums)")
}

/// A tiny CNN without BatchNorm: forward conv -> relu -> linear on [N, 1, 6, 6] with labels.
func makeModel() -> Sequential {
    var g = Generator(seed: 7)
    return Sequential(Conv2d(1, 4, kernelSize: (3, 3), generator: &g), ReLU(), Flatten(),
                      Linear(4 * 4 * 4, 16, generator: &g), ReLU(), Linear(16, 3, generator: &g))
}

/// Training the same model on the same global batches data-parallel and in one process.
/// Returns the global loss at each step; `parallel` nil means one process on whole batches.
func train(parallel: DataParallel?, steps: Int, afterStep: (Sequential) -> Void = { _ in }) -> (losses: [Float], parameters: [Tensor]) {
    let model = makeModel()
    let optimizer = SGD(model.parameters(), lr: 0.05, momentum: 0.9, weightDecay: 1e-4)
    // 32 fixed images whose label is the brightest third of the image, cycled in batches of 8.
    var data = Generator(seed: 11)
    let pool = Tensor.normal([32, 1, 6, 6], generator: &data)
    let labels = (0..<32).map { i -> Int in
        let rows = (0..<3).map { t in pool.data[(i * 36 + t * 12)..<(i * 36 + t * 12 + 12)].reduce(0, +) }
        return rows.firstIndex(of: rows.max()!)!
    }
    var losses: [Float] = []
    let globalBatch = 8
    for step in 0..<steps {
        let first = step % 4 * globalBatch
        let x = Tensor(shape: [globalBatch, 1, 6, 6], data: Array(pool.data[(first * 36)..<((first + globalBatch) * 36)]))
        let y = IndexTensor(shape: [globalBatch], data: Array(labels[first..<(first + globalBatch)]))
        optimizer.zeroGrad()
        if let parallel {
            let (xs, ys) = parallel.shard(x, y)
            let loss = F.crossEntropy(model(xs), target: ys)
            loss.backward()
            let sums = parallel.averageGradients(model.parameters(), sum: [Double(loss.item())])
            losses.append(Float(sums[0] / Double(parallel.worldSize)))
        } else {
            let loss = F.crossEntropy(model(x), target: y)
            loss.backward()
            losses.append(loss.item())
        }
        optimizer.step()
        afterStep(model)
    }
    return (losses, model.parameters())
}

func checkTraining() {
    let steps = 16
    let single = train(parallel: nil, steps: steps)
    // A 100-float bucket so that the model's 1,161 gradient floats take several collectives.
    let dp = DataParallel(group: world, bucketMegabytes: 400.0 / 1_048_576)
    var mismatches: [Int] = []
    let parallel = train(parallel: dp, steps: steps) { model in mismatches.append(bitMismatches(model.parameters())) }
    check("parameters bit-identical on all ranks after each of \(steps) steps", mismatches.allSatisfy { $0 == 0 },
          "mismatching elements per step: \(mismatches)")
    check("loss curve matches one process on the same global batch (atol 1e-5, rtol 1e-4)",
          close(parallel.losses, single.losses), "\(parallel.losses) vs \(single.losses)")
    check("final parameters match one process (atol 1e-5, rtol 1e-4)",
          zip(parallel.parameters, single.parameters).allSatisfy { close($0.data, $1.data) })
    // The model learns: the last pass over the 4 batches has a lower mean loss than the first.
    let firstPass = single.losses.prefix(4).reduce(0, +), lastPass = single.losses.suffix(4).reduce(0, +)
    check("the loss went down", lastPass < 0.8 * firstPass, "\(single.losses)")
    if world.rank == 0 {
        print("      losses, \(world.worldSize) ranks: " + parallel.losses.map { String(format: "%.6f", $0) }.joined(separator: " "))
        print("      losses, 1 process: " + single.losses.map { String(format: "%.6f", $0) }.joined(separator: " "))
    }
}

/// Rank r's shard of a global batch is its contiguous block of rows; the shards cover the batch.
func checkShard() {
    let dp = DataParallel(group: world)
    let batch = 4 * world.worldSize
    let x = Tensor(shape: [batch, 2], data: (0..<(2 * batch)).map(Float.init))
    let y = IndexTensor(shape: [batch], data: Array(0..<batch))
    let (xs, ys) = dp.shard(x, y)
    var count: [Float] = [Float(ys.count), Float(ys.data.reduce(0, +))]
    count.withUnsafeMutableBufferPointer { world.allReduceSum($0) }
    check("shards are disjoint blocks covering the global batch",
          ys.data == Array((4 * world.rank)..<(4 * world.rank + 4)) && xs.shape == [4, 2]
              && xs.data == (8 * world.rank..<(8 * world.rank + 8)).map(Float.init)
              && count == [Float(batch), Float(batch * (batch - 1) / 2)])
}

/// Seconds per allreduce of `floats` (median of `repeats`), after a warm-up.
func benchAllReduce(floats: Int, repeats: Int) -> Double {
    var buffer = [Float](repeating: 1, count: floats)
    var times: [Double] = []
    for i in 0..<(repeats + 2) {
        world.barrier()
        let t = ContinuousClock.now
        buffer.withUnsafeMutableBufferPointer { world.allReduceSum($0) }
        let d = ContinuousClock.now - t
        if i >= 2 { times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18) }
    }
    return times.sorted()[times.count / 2]
}

if let k = CommandLine.arguments.firstIndex(of: "--bench-inception") {
    let steps = CommandLine.arguments.count > k + 1 ? Int(CommandLine.arguments[k + 1]) ?? 100 : 100
    try benchInception(steps: steps)
} else if CommandLine.arguments.contains("--bench") {
    // Sizes around GoogLeNet's gradients: quick preset ~0.3 MB, fashion ~2 MB, plus larger buckets.
    for megabytes in [0.25, 1.0, 4.0, 25.0, 100.0] {
        let floats = Int(megabytes * 1_048_576) / 4
        let s = benchAllReduce(floats: floats, repeats: megabytes >= 25 ? 10 : 50)
        if world.rank == 0 {
            print(String(format: "allreduce %7.2f MB over %d ranks: %8.3f ms  (%.2f GB/s of buffer, %.2f GB/s on the ring per rank)",
                         megabytes, world.worldSize, s * 1000, megabytes * 1_048_576 / s / 1e9,
                         2 * Double(world.worldSize - 1) / Double(world.worldSize) * megabytes * 1_048_576 / s / 1e9))
        }
    }
} else {
    checkAllReduce()
    checkBuckets()
    checkShard()
    checkTraining()
    if world.rank == 0 { print(failures == 0 ? "all checks passed on \(world.worldSize) ranks" : "\(failures) checks failed") }
}
world.finalize()
exit(failures == 0 ? 0 : 1)
