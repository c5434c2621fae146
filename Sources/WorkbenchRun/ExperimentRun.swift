// One run of a paper's reference experiment: its directory (config.json, metrics.jsonl,
// checkpoints/, plots/, samples/, summary.json), logging, plots, progress, checkpoints and resume.
import Foundation
import WorkbenchData
import WorkbenchNN

/// Where a training loop stands, saved with every checkpoint.
public struct TrainingState: Sendable, Equatable {
    /// Index of the last completed epoch (0-based); a resumed run continues at `epoch + 1`.
    public var epoch: Int
    public var step: Int
    public var bestMetric: Double?
    public var extra: [String: Double]

    public init(epoch: Int, step: Int, bestMetric: Double? = nil, extra: [String: Double] = [:]) {
        self.epoch = epoch
        self.step = step
        self.bestMetric = bestMetric
        self.extra = extra
    }
}

public final class ExperimentRun {
    public let paper: String
    public let preset: String
    public let seed: UInt64
    /// `--epochs` override; nil means the preset's own number.
    public let epochs: Int?
    /// `--data-dir` override for datasets.
    public let dataDirectory: String?
    public let directory: String
    public let isResumed: Bool
    /// The data-parallel group this run trains in (one process unless started by workbench-mpi).
    /// Only rank 0 (`isMain`) writes: directories, config, metrics, plots, checkpoints, summary.
    public let parallel: DataParallel
    public var isMain: Bool { parallel.isMain }
    public var plotsDirectory: String { directory + "/plots" }
    public var samplesDirectory: String { directory + "/samples" }
    public var checkpointsDirectory: String { directory + "/checkpoints" }
    public var lastCheckpointPath: String { checkpointsDirectory + "/last.safetensors" }
    public var bestCheckpointPath: String { checkpointsDirectory + "/best.safetensors" }

    public private(set) var records: [[String: Double]] = []
    let started = ContinuousClock.now
    /// Wall time per phase of this process (since the start or the resume), filled by the loop.
    public let times = PhaseTimes()
    /// Seconds already spent before a resume (kept in checkpoints).
    var previousSeconds: Double = 0
    var lockDescriptor: Int32 = -1
    var loadedReferences: [Reference]?
    /// TensorBoard: the run's event file (made at the first record), the latest step logged, and
    /// the images already written to it with their modification dates.
    var events: EventFile?
    var lastEventStep = 0
    var loggedImages: [String: Date] = [:]

    /// Creates `root/<paper>-<preset>-<timestamp>` (or uses `directory` exactly when resuming).
    public init(paper: String, preset: String, seed: UInt64, epochs: Int?, dataDirectory: String?,
                root: String = "runs", resumeDirectory: String? = nil,
                parallel: DataParallel = DataParallel()) throws {
        self.paper = paper
        self.parallel = parallel
        self.preset = preset
        self.seed = seed
        self.epochs = epochs
        self.dataDirectory = dataDirectory
        let fm = FileManager.default
        if let resumeDirectory {
            directory = resumeDirectory
            isResumed = true
            guard fm.fileExists(atPath: resumeDirectory + "/config.json") else {
                throw RunError.invalid("\(resumeDirectory) is not a run directory (no config.json)")
            }
        } else {
            let stamp = ExperimentRun.timestamp()
            var dir = "\(root)/\(paper)-\(preset)-\(stamp)"
            if parallel.isMain {
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: root, isDirectory: &isDirectory) && !isDirectory.boolValue {
                    throw RunError.invalid("--out \(root) is a file, not a directory: give a directory for the run directories")
                }
                do { try fm.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
                    throw RunError.invalid("cannot create \(root): \(error.localizedDescription)")
                }
                // mkdir either creates the directory or fails: of several runs started at the same
                // second with the same --out, each gets a directory of its own.
                var n = 2
                while mkdir(dir, 0o755) != 0 {
                    guard errno == EEXIST else { throw RunError.invalid("cannot create \(dir): \(String(cString: strerror(errno)))") }
                    dir = "\(root)/\(paper)-\(preset)-\(stamp)-\(n)"
                    n += 1
                }
            }
            directory = dir
            isResumed = false
        }
        // Other ranks name the same directory (up to the timestamp) but never create or write it.
        if !parallel.isMain { return }
        for d in [directory, plotsDirectory, samplesDirectory, checkpointsDirectory] {
            do { try fm.createDirectory(atPath: d, withIntermediateDirectories: true) } catch {
                throw RunError.invalid("cannot create \(d): \(error.localizedDescription)")
            }
        }
        try lock()
        removeStaleTemporaryFiles()
        if isResumed { records = try readRecords() }
    }

    deinit { close() }

    /// Releases the run directory's lock (also done when the value goes away): after this, another
    /// process (or value) may resume the run.
    public func close() {
        if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
        lockDescriptor = -1
    }

    /// Holds `<run>/.lock` for the life of this value: a second `run` or `resume` of the same
    /// directory (which would interleave metrics and overwrite checkpoints) is refused.
    func lock() throws {
        let path = directory + "/.lock"
        lockDescriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockDescriptor >= 0 else { throw RunError.invalid("cannot create \(path): \(String(cString: strerror(errno)))") }
        // A process forked by this one (a test's child process, between fork and exec) can hold
        // a just-released lock for a moment, so a busy lock is tried again for up to a second.
        var locked = flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0
        for _ in 0..<20 where !locked {
            usleep(50_000)
            locked = flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0
        }
        guard locked else {
            throw RunError.invalid("\(directory) is in use by another workbench process (a run or resume of it); "
                                   + "wait for that one to end or stop it first")
        }
    }

    /// Removes the temporary files of atomic writes that a killed process left behind
    /// (`.last.safetensors.tmp-PID-N`, `metrics.jsonl.tmp-PID-N`); safe under the lock.
    func removeStaleTemporaryFiles() {
        let fm = FileManager.default
        for d in [directory, plotsDirectory, samplesDirectory, checkpointsDirectory] {
            for name in (try? fm.contentsOfDirectory(atPath: d)) ?? [] where name.contains(".tmp-") {
                try? fm.removeItem(atPath: d + "/" + name)
            }
        }
    }

    /// The run in `directory` as its config.json describes it (paper, preset, seed, epochs
    /// override, data directory), ready to continue from its last checkpoint.
    public convenience init(resuming directory: String, parallel: DataParallel = DataParallel()) throws {
        let config = try RunReport.config(of: directory)
        guard case .string(let paper)? = config["run"]?["paper"], case .string(let preset)? = config["run"]?["preset"],
              let seed = config["run"]?["seed"]?.intValue else {
            throw RunError.invalid("\(directory)/config.json lacks run.paper, run.preset or run.seed")
        }
        guard seed >= 0 else { throw RunError.invalid("\(directory)/config.json: run.seed must be at least 0, got \(seed)") }
        let epochs = config["run"]?["epochs_override"]?.intValue
        if let epochs, epochs < 1 {
            throw RunError.invalid("\(directory)/config.json: run.epochs_override must be at least 1, got \(epochs)")
        }
        var dataDirectory: String?
        if case .string(let d)? = config["run"]?["data_dir"] { dataDirectory = d }
        try self.init(paper: paper, preset: preset, seed: UInt64(seed), epochs: epochs, dataDirectory: dataDirectory,
                      resumeDirectory: directory, parallel: parallel)
    }

    static func timestamp() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f.string(from: Date())
    }

    // MARK: config and metrics

    /// Writes config.json: the experiment's hyperparameters plus what identifies the run.
    /// A resumed run keeps the original file.
    public func writeConfig(_ hyperparameters: [String: JSONValue]) throws {
        let path = directory + "/config.json"
        if !isMain { return }
        if isResumed && FileManager.default.fileExists(atPath: path) {
            try checkUnchanged(hyperparameters, path: path)
            return
        }
        var run: [String: JSONValue] = [
            "paper": .string(paper), "preset": .string(preset), "seed": .int(Int(seed)),
            "git_commit": .string(Machine.gitCommit), "machine": .object(Machine.description),
            "started": .string(ISO8601DateFormatter().string(from: Date())),
        ]
        if let epochs { run["epochs_override"] = .int(epochs) }
        // Absolute, so that `resume` from another directory finds the data.
        if let dataDirectory { run["data_dir"] = .string(URL(fileURLWithPath: dataDirectory).standardizedFileURL.path) }
        let config: JSONValue = .object(["run": .object(run), "hyperparameters": .object(hyperparameters)])
        try writeJSON(config, to: path)
    }

    /// A run resumes with the hyperparameters it started with. A value edited in config.json (or a
    /// preset changed since) would be ignored or mixed into a run made with others, so it is an
    /// error naming each key. Keys only one side has (a newer version's config layout) and the run's
    /// length (`epochs`, AlphaGo Zero's `generations`; raised by `run.epochs_override` to train
    /// longer) are not compared.
    func checkUnchanged(_ hyperparameters: [String: JSONValue], path: String) throws {
        guard case .object(let stored)? = try RunReport.config(of: directory)["hyperparameters"] else { return }
        func differences(_ a: JSONValue, _ b: JSONValue, _ key: String) -> [String] {
            if case .object(let x) = a, case .object(let y) = b {
                return x.keys.sorted().filter { y[$0] != nil }.flatMap { differences(x[$0]!, y[$0]!, key + "." + $0) }
            }
            // Equal as Float32 is equal: a run written before presets were Codable recorded a Float
            // hyperparameter as its Double expansion (0.003000000026077032 for 0.003).
            if let x = a.doubleValue, let y = b.doubleValue {
                return x == y || Float(x) == Float(y) ? [] : ["\(key): \(a.jsonText) in config.json, \(b.jsonText) in preset \(preset)"]
            }
            return a == b ? [] : ["\(key): \(a.jsonText) in config.json, \(b.jsonText) in preset \(preset)"]
        }
        let changed = stored.keys.sorted().filter { !["epochs", "generations"].contains($0) && hyperparameters[$0] != nil }
            .flatMap { differences(stored[$0]!, hyperparameters[$0]!, "hyperparameters." + $0) }
        guard changed.isEmpty else {
            throw RunError.invalid("\(path) does not match the run's preset: " + changed.joined(separator: "; ")
                + ". A run resumes with the hyperparameters it started with: undo the edit, or start a new run")
        }
    }

    /// Appends one record to metrics.jsonl (non-finite values become null).
    public func log(epoch: Int? = nil, step: Int? = nil, _ values: [String: Double]) throws {
        if !isMain { return }
        var record = values
        if let epoch { record["epoch"] = Double(epoch) }
        if let step { record["step"] = Double(step) }
        record["time"] = (elapsedSeconds * 1000).rounded() / 1000
        records.append(record)
        let object = JSONValue.object(record.mapValues { $0.isFinite ? .double($0) : .null })
        let line = object.jsonText + "\n"
        let path = directory + "/metrics.jsonl"
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw RunError.invalid("cannot create \(path)") }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw RunError.invalid("cannot write \(path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
        try logEvents(values, epoch: epoch, step: step)
    }

    func readRecords() throws -> [[String: Double]] {
        let path = directory + "/metrics.jsonl"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard case .object(let o)? = JSONValue.parse(String(line)) else { return nil }
            return o.compactMapValues { $0.doubleValue ?? ($0 == .null ? Double.nan : nil) }
        }
    }

    /// Seconds of training so far, including time before a resume.
    public var elapsedSeconds: Double {
        previousSeconds + (ContinuousClock.now - started).inSeconds
    }

    /// Writes plots/<name>.png: the given metric keys of the `records` that pass `include`, against `x`.
    public func plot(_ name: String, title: String, x: String, series: [String], yLabel: String,
                     where include: ([String: Double]) -> Bool = { _ in true }) throws {
        if !isMain { return }
        // Against epochs, a value that also has windowed records (every `logEvery` steps) is drawn
        // from those, at fractional epochs: a run of one epoch shows its curve, not a dot.
        let firstEpoch = records.first { $0["epoch"] != nil && $0["step"] != nil }
        let stepsPerEpoch = x == "epoch" ? firstEpoch.map { $0["step"]! / $0["epoch"]! } : nil
        let lines = series.map { key -> PlotSeries in
            if let stepsPerEpoch, stepsPerEpoch > 0 {
                let windows = records.filter { $0["epoch"] == nil && $0["step"] != nil && $0[key] != nil && include($0) }
                if !windows.isEmpty { return PlotSeries(key, x: windows.map { $0["step"]! / stepsPerEpoch }, y: windows.map { $0[key]! }) }
            }
            let points = records.filter { $0[x] != nil && $0[key] != nil && include($0) }
            return PlotSeries(key, x: points.map { $0[x]! }, y: points.map { $0[key]! })
        }
        let xs = lines.flatMap(\.x).filter(\.isFinite)
        let (low, high) = (xs.min() ?? 0, xs.max() ?? 1)
        let marks = References.series(try references(), keys: series, x: x, over: low...(high > low ? high : low + 1))
        let plot = LinePlot(title: title, xLabel: x, yLabel: yLabel, series: lines + marks)
        try plot.writePNG(to: "\(plotsDirectory)/\(name).png")
    }

    /// The paper's references for this run's preset (papers/<paper>/reference.json), read once.
    public func references() throws -> [Reference] {
        if let loadedReferences { return loadedReferences }
        let loaded = try References.load(paper: paper, preset: preset)
        loadedReferences = loaded
        return loaded
    }

    public func progress(_ label: String, total: Int) -> Progress { Progress(label: label, total: total, silent: !isMain) }

    /// Stops the run with a clear message when `value` is NaN or infinite.
    public func checkFinite(_ value: Float, _ name: String) throws {
        try checkFinite(Double(value), name)
    }

    public func checkFinite(_ value: Double, _ name: String) throws {
        guard value.isFinite else {
            guard FileManager.default.fileExists(atPath: lastCheckpointPath) else { throw RunError.nonFinite(name: name, lastCheckpoint: nil) }
            let file = try? SafeTensorsFile(contentsOf: lastCheckpointPath)
            let finite = file.map { f in
                f.names.allSatisfy { n in f[n]?.dtype.isFloatingPoint != true || (try? f.tensor(n))?.data.allSatisfy(\.isFinite) == true }
            } ?? false
            throw RunError.nonFinite(name: name, lastCheckpoint: lastCheckpointPath, checkpointIsFinite: finite)
        }
    }

    /// True once the user pressed Ctrl-C (or `stopAfterStep` was reached): finish the step, save a
    /// checkpoint, return.
    public var stopRequested: Bool { Interrupt.isRequested || stopReached }
    /// Makes the training loop stop as a Ctrl-C would once it has done this many steps in total:
    /// how tests interrupt one run without stopping every other run in the process.
    public var stopAfterStep: Int?
    var stopReached = false

    // MARK: checkpoints

    /// Writes checkpoints/last.safetensors (and best.safetensors) atomically.
    public func saveCheckpoint(modules: [String: Module], optimizers: [String: Optimizer],
                               generators: [String: Generator], state: TrainingState, isBest: Bool) throws {
        if !isMain { return }
        var metadata: [String: String] = [
            "paper": paper, "preset": preset,
            "state": JSONValue.object(Self.encode(state).merging(["seconds": .double(elapsedSeconds)]) { $1 }).jsonText,
        ]
        for (name, g) in generators { metadata["generator." + name] = g.serialized }
        try Checkpoint.save(modules: modules, optimizers: optimizers, metadata: metadata, to: lastCheckpointPath)
        if isBest {
            try Checkpoint.save(modules: modules, optimizers: optimizers, metadata: metadata, to: bestCheckpointPath)
        }
    }

    /// On a resumed run, loads last.safetensors into the modules and optimizers and returns the
    /// saved generators and state; nil on a fresh run. Metrics logged after that checkpoint (an
    /// interrupted epoch) are dropped so that the resumed run logs them again.
    public func restoreCheckpoint(modules: [String: Module], optimizers: [String: Optimizer]) throws
        -> (generators: [String: Generator], state: TrainingState)? {
        guard isResumed else { return nil }
        guard FileManager.default.fileExists(atPath: lastCheckpointPath) else {
            // Stopped before its first checkpoint: the run starts again from the beginning, so
            // the records of the lost start go too.
            records = []
            if isMain { try rewriteRecords() }
            return nil
        }
        let (_, metadata) = try Checkpoint.load(from: lastCheckpointPath, modules: modules, optimizers: optimizers)
        guard let stateText = metadata["state"], case .object(let o)? = JSONValue.parse(stateText),
              let epoch = o["epoch"]?.intValue, let step = o["step"]?.intValue else {
            throw RunError.invalid("\(lastCheckpointPath) has no training state")
        }
        var generators: [String: Generator] = [:]
        for (key, value) in metadata where key.hasPrefix("generator.") {
            guard let g = Generator(serialized: value) else { throw RunError.invalid("\(lastCheckpointPath): bad \(key)") }
            generators[String(key.dropFirst("generator.".count))] = g
        }
        var extra: [String: Double] = [:]
        if case .object(let e)? = o["extra"] { extra = e.compactMapValues(\.doubleValue) }
        let state = TrainingState(epoch: epoch, step: step, bestMetric: o["best"]?.doubleValue, extra: extra)
        previousSeconds = o["seconds"]?.doubleValue ?? 0
        records = records.filter { r in
            if let e = r["epoch"] { return e <= Double(epoch + 1) }
            return (r["step"] ?? 0) <= Double(step)
        }
        if isMain { try rewriteRecords() }
        return (generators, state)
    }

    static func encode(_ s: TrainingState) -> [String: JSONValue] {
        var o: [String: JSONValue] = ["epoch": .int(s.epoch), "step": .int(s.step), "extra": .object(s.extra.mapValues { .double($0) })]
        if let b = s.bestMetric { o["best"] = .double(b) }
        return o
    }

    func rewriteRecords() throws {
        let text = records.map { JSONValue.object($0.mapValues { $0.isFinite ? .double($0) : .null }).jsonText + "\n" }.joined()
        try writeFileAtomically(directory + "/metrics.jsonl", Array(text.utf8))
    }

    // MARK: summary

    /// Seconds since this process started the run (a resumed run's earlier time is in `elapsedSeconds`).
    public var processSeconds: Double { (ContinuousClock.now - started).inSeconds }

    /// Writes summary.json: the experiment's final metrics plus wall time, peak memory and the
    /// seconds of each timed phase (`time_forward_s`, ...; this process only).
    public func writeSummary(_ metrics: [String: Double]) throws -> [String: Double] {
        var summary = metrics
        summary["wall_seconds"] = (elapsedSeconds * 10).rounded() / 10
        summary["peak_rss_mb"] = Machine.peakRSSMegabytes()
        for (phase, seconds) in times.seconds { summary["time_\(phase)_s"] = (seconds * 10).rounded() / 10 }
        if !isMain { return summary }
        try logImages()
        try writeJSON(.object(summary.mapValues { $0.isFinite ? .double($0) : .null }), to: directory + "/summary.json")
        return summary
    }

    func writeJSON(_ value: JSONValue, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeFileAtomically(path, Array(try encoder.encode(value)) + [10])
    }
}
