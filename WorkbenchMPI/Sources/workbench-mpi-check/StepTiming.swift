// `workbench-mpi-check --bench-inception [steps]`: GoogLeNet quick-preset training steps (global
// batch 128 split over the ranks, synthetic inputs of Fashion-MNIST's shape) timed part by part:
// forward+backward (wall and process CPU time, which a shared machine's load barely moves),
// the gradient allreduce, and the optimizer step. The inputs of docs/DISTRIBUTED.md.
import Foundation
import Inception
import WorkbenchCore
import WorkbenchNN
import WorkbenchRun

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

/// The maximum of `value` over ranks (for "the slowest rank" figures).
func maxOverRanks(_ value: Double) -> Double {
    var all = [Float](repeating: 0, count: world.worldSize)
    all[world.rank] = Float(value)
    all.withUnsafeMutableBufferPointer { world.allReduceSum($0) }
    return Double(all.max()!)
}

func benchInception(steps: Int) throws {
    configureAllocatorForTensors()
    let recipe = try Recipe.preset("quick")
    let dp = DataParallel(group: world)
    let micro = try dp.microBatchSize(globalBatch: recipe.batchSize)
    var g = Generator(seed: 0)
    let model = GoogLeNet(recipe.model, generator: &g, dropoutSeed: dp.rankSeed(1))
    let optimizer = SGD(model.parameters(), lr: 0.01, momentum: 0.9, weightDecay: recipe.weightDecay)
    dp.broadcast(model.parameters() + model.namedBuffers().map(\.1))
    var data = Generator(seed: dp.rankSeed(2))
    var computeWall: [Double] = [], computeCPU: [Double] = [], reduceWall: [Double] = [], stepWall: [Double] = []
    let warmup = 3
    world.barrier()
    let start = ContinuousClock.now
    for i in 0..<(steps + warmup) {
        if i == warmup { world.barrier() }
        let x = Tensor.normal([micro, 1, 28, 28], generator: &data)
        let y = IndexTensor(shape: [micro], data: (0..<micro).map { _ in Int(data.next() % 10) })
        let t0 = ContinuousClock.now, c0 = processCPUSeconds()
        optimizer.zeroGrad()
        let loss = model.loss(model(x), target: y)
        loss.backward()
        let t1 = ContinuousClock.now, c1 = processCPUSeconds()
        dp.averageGradients(model.parameters(), sum: [Double(loss.item())])
        let t2 = ContinuousClock.now
        optimizer.step()
        let t3 = ContinuousClock.now
        if i >= warmup {
            computeWall.append(seconds(t1 - t0)); computeCPU.append(c1 - c0)
            reduceWall.append(seconds(t2 - t1)); stepWall.append(seconds(t3 - t0))
        }
    }
    let total = seconds(ContinuousClock.now - start)
    // The allreduce alone, each after a barrier: inside the loop it also waits for the slowest
    // rank, which on a loaded machine dominates. The minimum is the transfer cost itself.
    var pure: [Double] = []
    var buffer = [Float](repeating: 1, count: model.parameterCount + 1)
    for _ in 0..<30 {
        world.barrier()
        let t = ContinuousClock.now
        buffer.withUnsafeMutableBufferPointer { world.allReduceSum($0) }
        pure.append(seconds(ContinuousClock.now - t))
    }
    let pureMin = maxOverRanks(pure.min()!), pureMedian = maxOverRanks(median(pure))
    let cpu = maxOverRanks(median(computeCPU)), wall = maxOverRanks(median(computeWall))
    let reduce = maxOverRanks(median(reduceWall)), step = maxOverRanks(median(stepWall))
    if world.rank == 0 {
        let bytes = Double(model.parameterCount * 4)
        print(String(format: "GoogLeNet quick, %d ranks x %d images, %d steps (after %d warm-up), %.2f MB of gradients per step",
                     world.worldSize, micro, steps, warmup, bytes / 1e6))
        print(String(format: "  median per step (slowest rank): forward+backward %.1f ms wall, %.1f ms CPU; allreduce %.2f ms; whole step %.1f ms",
                     wall * 1000, cpu * 1000, reduce * 1000, step * 1000))
        print(String(format: "  allreduce of the gradients alone after a barrier: min %.3f ms, median %.3f ms",
                     pureMin * 1000, pureMedian * 1000))
        print(String(format: "  throughput: %.1f img/s from the median step, %.1f img/s over the whole run, %.1f img/s if each rank had its own core (compute CPU time + minimum allreduce)",
                     Double(recipe.batchSize) / step, Double(recipe.batchSize * (steps + warmup)) / total,
                     Double(recipe.batchSize) / (cpu + pureMin)))
    }
}
