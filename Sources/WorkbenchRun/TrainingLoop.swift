// The one training loop every paper's run goes through: epochs of steps, resume, Ctrl-C, the NaN
// guard, phase timers, windowed and per-epoch logging, plots, best/last checkpoints and
// data-parallel gradient averaging. A paper hands it its batches, a step and an evaluation.
import Foundation
import WorkbenchNN

/// What one training step reports. Each value is averaged over the logging window and over the
/// epoch, weighted by `weight` (the batch's examples or target tokens; 1 for a plain mean per step).
public struct StepStats: Sendable {
    public var values: [String: Double]
    public var weight: Double

    public init(_ values: [String: Double], weight: Double = 1) {
        self.values = values
        self.weight = weight
    }
}

/// Weighted running sums of step values.
struct StatsSum {
    var sums: [String: Double] = [:]
    var weight = 0.0
    var steps = 0

    mutating func add(_ s: StepStats) {
        for (key, value) in s.values { sums[key, default: 0] += value * s.weight }
        weight += s.weight
        steps += 1
    }

    var means: [String: Double] { sums.mapValues { $0 / Swift.max(weight, 1e-300) } }

    /// The sums as checkpoint extras under `prefix`, and back.
    func extra(_ prefix: String) -> [String: Double] {
        var out = [prefix + "weight": weight, prefix + "steps": Double(steps)]
        for (key, value) in sums { out[prefix + "sum." + key] = value }
        return out
    }

    init() {}

    init(extra: [String: Double], prefix: String) {
        for (key, value) in extra where key.hasPrefix(prefix + "sum.") { sums[String(key.dropFirst(prefix.count + 4))] = value }
        weight = extra[prefix + "weight"] ?? 0
        steps = Int(extra[prefix + "steps"] ?? 0)
    }
}

/// What a stop mid-epoch leaves of the epoch: its sums, the logging window's and its training seconds.
struct PartialEpoch {
    var total = StatsSum(), window = StatsSum(), seconds = 0.0

    var extra: [String: Double] { total.extra("partial.epoch.").merging(window.extra("partial.window.")) { $1 }
        .merging(["partial.seconds": seconds]) { $1 } }

    init() {}

    /// Nil when the checkpoint was written at the end of an epoch.
    init?(extra: [String: Double]) {
        guard let seconds = extra["partial.seconds"] else { return nil }
        total = StatsSum(extra: extra, prefix: "partial.epoch.")
        window = StatsSum(extra: extra, prefix: "partial.window.")
        self.seconds = seconds
    }
}

/// What a step may ask of the loop: its position, and the data-parallel collectives.
public final class StepContext {
    /// The epoch (0-based), the step's index in it, and the global step count before it.
    public let epoch: Int, index: Int, step: Int
    let run: ExperimentRun
    var parallel: DataParallel { run.parallel }
    var times: PhaseTimes { run.times }
    var agreedStop: Bool?

    init(epoch: Int, index: Int, step: Int, run: ExperimentRun) {
        self.epoch = epoch
        self.index = index
        self.step = step
        self.run = run
    }

    /// This process's rows of a global batch (the whole batch in a one-process run).
    public func shard(_ x: Tensor, _ y: IndexTensor) -> (x: Tensor, y: IndexTensor) {
        times.measure("data") { parallel.shard(x, y) }
    }

    /// Call between `backward()` and the optimizer step of a data-parallel paper: makes the
    /// gradients of `parameters` their mean over the processes and returns `stats` for the global
    /// batch. A Ctrl-C on any process rides in the same collective, so every process stops after
    /// the same step. In a one-process run it returns `stats` unchanged.
    public func averageGradients(_ parameters: [Tensor], _ stats: StepStats) -> StepStats {
        let keys = stats.values.keys.sorted()
        let local = keys.map { stats.values[$0]! * stats.weight } + [stats.weight, run.stopRequested ? 1 : 0]
        let sums = times.measure("allreduce") { parallel.averageGradients(parameters, sum: local) }
        agreedStop = sums[keys.count + 1] > 0
        if parallel.worldSize == 1 { return stats }
        let weight = sums[keys.count]
        return StepStats(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, sums[$0] / weight) }), weight: weight)
    }
}

/// A curve of the run's records drawn after every epoch into plots/<name>.png.
public struct PlotSpec: Sendable {
    public var name: String, title: String, x: String, series: [String], yLabel: String

    public init(_ name: String, title: String, x: String = "epoch", series: [String], yLabel: String) {
        self.name = name
        self.title = title
        self.x = x
        self.series = series
        self.yLabel = yLabel
    }
}

public final class TrainingLoop {
    public let run: ExperimentRun
    /// Epochs to reach (a resumed run continues from the epoch after its checkpoint).
    public let epochs: Int
    let modules: [String: Module]
    let optimizers: [String: Optimizer]
    let generators: () -> [String: Generator]
    /// The evaluation value that picks best.safetensors, and whether higher is better.
    public let metric: String
    public let higherIsBetter: Bool
    /// Steps per windowed record in metrics.jsonl (`step` and the window's means; plotted as
    /// plots/train_steps.png), so that a short run still shows its curve.
    public var logEvery = 20
    /// When set, each epoch record gets this key: the steps' total weight per second of training
    /// ("images_per_second", "tokens_per_second").
    public var throughput: String?
    /// The epoch curves drawn after every epoch (the step curve is drawn always).
    public var plots: [PlotSpec] = []
    /// Step values shown on the progress bar, with their short labels (default: every value).
    public var progressLabels: [(key: String, label: String)] = []
    /// False (image and text papers): a Ctrl-C mid-epoch keeps the last epoch-end checkpoint, so
    /// that the resumed run repeats the epoch exactly. True (DQN, whose whole state is saved at any
    /// step): the stop writes a checkpoint at the current step, with the epoch's running sums, and
    /// the resume continues from it; `batches(epoch)` must then yield only what is left of the epoch.
    public var checkpointOnStop = false
    /// Extra numbers saved in each checkpoint's state; `restoredExtra` holds them after `restore`.
    public var extraState: () -> [String: Double] = { [:] }
    /// Runs before each checkpoint is written (state kept in files of its own, such as a replay memory).
    public var willCheckpoint: () throws -> Void = {}

    /// The next epoch to run (0-based), which is also the number of epochs done.
    public private(set) var epoch = 0
    public private(set) var step = 0
    public private(set) var best: Double?
    /// The latest evaluation of this process, nil before the first.
    public private(set) var lastEvaluation: [String: Double]?
    /// True when a Ctrl-C ended the loop before `epochs`.
    public private(set) var stopped = false
    public private(set) var restoredExtra: [String: Double] = [:]
    /// The stopped epoch's sums of a run resumed mid-epoch.
    var resumedPartial: PartialEpoch?
    var restored = false
    var finishing = false

    public init(_ run: ExperimentRun, epochs: Int, modules: [String: Module], optimizers: [String: Optimizer],
                generators: @escaping () -> [String: Generator] = { [:] }, metric: String, higherIsBetter: Bool = true) {
        self.run = run
        self.epochs = epochs
        self.modules = modules
        self.optimizers = optimizers
        self.generators = generators
        self.metric = metric
        self.higherIsBetter = higherIsBetter
    }

    /// On a resumed run, loads checkpoints/last.safetensors into the modules and optimizers, sets
    /// the position and returns the checkpoint's generators; nil on a fresh run. A run that has
    /// nothing left to do (finished, or asked for fewer epochs than it has done, and summary.json
    /// written) is refused, so that its summary.json is kept.
    @discardableResult
    public func restore() throws -> [String: Generator]? {
        restored = true
        guard let (saved, state) = try run.restoreCheckpoint(modules: modules, optimizers: optimizers) else { return nil }
        let done = state.epoch + 1
        // A run stopped after its training but before summary.json (e.g. in a final test-set
        // evaluation) resumes with no epochs left, to do that work again.
        let summaryWritten = FileManager.default.fileExists(atPath: run.directory + "/summary.json")
        if summaryWritten && (state.extra["finished"] == 1 || done >= epochs) {
            throw RunError.invalid("\(run.directory) has nothing left to do: it has trained \(done) of \(epochs) epochs"
                + (state.extra["finished"] == 1 && done < epochs ? " and finished early" : "")
                + "; its checkpoints and summary.json are kept")
        }
        epoch = done
        finishing = state.extra["finished"] == 1
        step = state.step
        best = state.bestMetric
        restoredExtra = state.extra.filter { !$0.key.hasPrefix("partial.") }
        resumedPartial = PartialEpoch(extra: state.extra)
        lastEvaluation = run.records.last { $0["epoch"] != nil && $0[metric] != nil }
        return saved
    }

    /// Ends the loop after the current epoch's checkpoint (e.g. an environment solved).
    public func finish() { finishing = true }

    /// Trains epochs `epoch..<epochs`: for each, `step` on every batch of `batches(epoch)`, then
    /// (on the main process) `evaluate(epoch)`, one epoch record, the plots and the checkpoints.
    /// `evaluate` returns the metrics logged with the epoch and must include `metric`.
    public func fit<Batches: Sequence>(batches: (Int) throws -> Batches,
                                       step body: (Batches.Element, StepContext) throws -> StepStats,
                                       evaluate: (Int) throws -> [String: Double]) throws {
        if !restored { try restore() }
        let parallel = run.parallel
        if parallel.worldSize > 1 {
            parallel.broadcast(modules.keys.sorted().flatMap { modules[$0]!.parameters() + modules[$0]!.namedBuffers().map(\.1) })
        }
        let times = run.times
        while epoch < epochs && !finishing {
            let e = epoch
            let epochBatches = try batches(e)
            // (A run that checkpoints mid-epoch may resume with nothing left of an epoch but its evaluation.)
            if epochBatches.underestimatedCount == 0 && !checkpointOnStop {
                throw RunError.invalid("epoch \(e + 1) has no training batches: the training set is empty or smaller than one batch")
            }
            let bar = run.progress("epoch \(e + 1)/\(epochs)", total: epochBatches.underestimatedCount)
            var partial = resumedPartial ?? PartialEpoch()
            resumedPartial = nil
            let clock = ContinuousClock.now, allReduceBefore = parallel.allReduceSeconds
            var stop = false, plottedStep = -1
            for (i, batch) in times.timed(epochBatches).enumerated() {
                let context = StepContext(epoch: e, index: i, step: step, run: run)
                let stats = try body(batch, context)
                for key in stats.values.keys.sorted() { try run.checkFinite(stats.values[key]!, key) }
                step += 1
                if let last = run.stopAfterStep, step >= last { run.stopReached = true }
                partial.total.add(stats)
                partial.window.add(stats)
                if partial.window.steps == logEvery {
                    // (A window without values, e.g. before DQN's first update, writes no record.)
                    if !partial.window.sums.isEmpty { try run.log(step: step, partial.window.means) }
                    partial.window = StatsSum()
                    if step % (5 * logEvery) == 0 {
                        try plotSteps(Array(partial.total.sums.keys))
                        plottedStep = step
                    }
                }
                bar.update(i + 1, info: progressText(partial.total.means))
                stop = context.agreedStop.map { $0 || run.stopReached } ?? run.stopRequested
                if stop { break }
            }
            bar.finish(info: progressText(partial.total.means))
            partial.seconds += (ContinuousClock.now - clock).inSeconds
            if stop {
                if checkpointOnStop { try checkpoint(completedEpoch: e - 1, isBest: false, partial: partial) }
                stopped = true
                return
            }
            let total = partial.total, trainSeconds = partial.seconds
            // The main process evaluates and writes; the others go on and wait for it in the next
            // epoch's first gradient average.
            guard run.isMain else { epoch = e + 1; continue }
            let evaluation = try times.measure("evaluation") { try evaluate(e) }
            // Stopped during the evaluation: the resume repeats this epoch from its checkpoint.
            if run.stopRequested {
                if checkpointOnStop { try checkpoint(completedEpoch: e - 1, isBest: false, partial: partial) }
                stopped = true
                return
            }
            epoch = e + 1
            lastEvaluation = evaluation
            let value = evaluation[metric]
            let isBest = value.map { v in best.map { higherIsBetter ? v > $0 : v < $0 } ?? true } ?? false
            if isBest { best = value }
            var record = total.means.merging(evaluation) { $1 }
            record["ms_per_step"] = trainSeconds * 1000 / Double(max(total.steps, 1))
            if let throughput { record[throughput] = total.weight / max(trainSeconds, 1e-9) }
            if parallel.worldSize > 1 {
                record["processes"] = Double(parallel.worldSize)
                record["allreduce_ms_per_step"] = (parallel.allReduceSeconds - allReduceBefore) * 1000 / Double(max(total.steps, 1))
            }
            try run.log(epoch: e + 1, step: step, record)
            print("epoch \(e + 1): " + epochText(record) + (isBest ? " (best)" : ""))
            if plottedStep != step { try plotSteps(Array(total.sums.keys)) }
            for p in plots { try run.plot(p.name, title: p.title, x: p.x, series: p.series, yLabel: p.yLabel) }
            try run.logImages()
            try checkpoint(completedEpoch: e, isBest: isBest)
            if run.stopRequested { stopped = epoch < epochs; return }
        }
    }

    func checkpoint(completedEpoch: Int, isBest: Bool, partial: PartialEpoch? = nil) throws {
        try willCheckpoint()
        var extra = extraState().merging(partial?.extra ?? [:]) { $1 }
        // Only an early end (`finish()`) is kept: a run that did all its epochs can train longer
        // when run.epochs_override is raised.
        if finishing { extra["finished"] = 1 }
        try run.saveCheckpoint(modules: modules, optimizers: optimizers, generators: generators(),
                               state: TrainingState(epoch: completedEpoch, step: step, bestMetric: best, extra: extra),
                               isBest: isBest)
    }

    /// plots/train_steps.png: the windowed records (those without an epoch) against the step.
    func plotSteps(_ keys: [String]) throws {
        try run.plot("train_steps", title: "\(run.paper) \(run.preset): training, mean of \(logEvery) steps", x: "step",
                     series: keys.sorted(), yLabel: "value", where: { $0["epoch"] == nil })
    }

    func progressText(_ means: [String: Double]) -> String {
        let shown = progressLabels.isEmpty ? means.keys.sorted().map { ($0, $0) } : progressLabels.map { ($0.key, $0.label) }
        return shown.compactMap { key, label in means[key].map { String(format: "%@ %.3f", label, $0) } }.joined(separator: "  ")
    }

    func epochText(_ record: [String: Double]) -> String {
        record.keys.sorted().filter { !$0.hasSuffix("_per_second") && $0 != "ms_per_step" }
            .map { String(format: "%@ %.4f", $0, record[$0]!) }.joined(separator: ", ")
    }

    /// The summary every paper starts from: epochs done, the best and the latest value of `metric`
    /// (from this process's evaluation or, when resumed with nothing left to evaluate, the log).
    public var summary: [String: Double] {
        var s: [String: Double] = ["epochs": Double(epoch), "steps": Double(step)]
        if let best { s["best_" + metric] = best }
        if let value = lastEvaluation?[metric] { s[metric] = value }
        return s
    }
}
