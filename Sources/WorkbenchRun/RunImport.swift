// `workbench import`: a PyTorch state dict (.safetensors) made into a run directory, so that eval,
// predict, sample, translate and play use weights trained elsewhere.
import Foundation
import WorkbenchData
import WorkbenchNN

/// What a paper's run checkpoints hold, built for one preset: the paper's answer to
/// `PaperExperiment.importModules`.
public struct ImportedModules {
    /// config.json's hyperparameters: the preset's, with the model config that was imported.
    public var hyperparameters: [String: JSONValue]
    /// The checkpoint's modules by prefix ("model"; "G" and "D"; ...).
    public var modules: [String: Module]
    /// The module a plain PyTorch state dict (keys without a prefix) fills.
    public var primary: String
    /// Modules the file may leave out (they keep their fresh initialisation, or `complete` sets them).
    public var optional: Set<String>
    /// Runs after loading with the prefixes the file held (e.g. a target network copies the online one).
    public var complete: (Set<String>) throws -> Void
    /// Writes the files besides the checkpoint that the paper's commands read (e.g. vocabularies).
    public var writeFiles: (ExperimentRun) throws -> Void

    public init(hyperparameters: [String: JSONValue], modules: [String: Module], primary: String = "model",
                optional: Set<String> = [], complete: @escaping (Set<String>) throws -> Void = { _ in },
                writeFiles: @escaping (ExperimentRun) throws -> Void = { _ in }) {
        self.hyperparameters = hyperparameters
        self.modules = modules
        self.primary = primary
        self.optional = optional
        self.complete = complete
        self.writeFiles = writeFiles
    }
}

public enum RunImport {
    /// Loads `stateDict` into `paper`'s modules for `preset` (its model config replaced by the JSON
    /// object in `modelConfig` when given) and writes a finished run directory under `root`:
    /// config.json, checkpoints/last.safetensors and summary.json. Keys are the modules' PyTorch
    /// state-dict names, either bare (for the primary module) or under the checkpoint prefixes.
    /// Nothing is written unless every tensor fits.
    public static func make(_ paper: any PaperExperiment.Type, stateDict: String, preset: String,
                            modelConfig: String?, root: String) throws -> ExperimentRun {
        var model: FixtureConfig?
        if let modelConfig {
            let text: String
            do { text = try readTextLines(modelConfig).joined(separator: "\n") } catch { throw RunError.invalid("\(error)") }
            do { model = try FixtureConfig(json: text, origin: modelConfig) } catch { throw RunError.invalid(error.message) }
        }
        let target: ImportedModules
        do { target = try paper.importModules(preset: preset, model: model) } catch let e as FixtureError {
            throw RunError.invalid(e.message)
        }
        let names: [String]
        do { names = try SafeTensorsFile(contentsOf: stateDict).names } catch { throw RunError.invalid("\(error)") }
        let held = Set(target.modules.keys.filter { prefix in names.contains { $0.hasPrefix(prefix + ".") } })
        let loaded: [String: Tensor]
        do {
            if held.isEmpty {
                loaded = try Checkpoint.load(from: stateDict, modules: ["": target.modules[target.primary]!]).tensors
            } else {
                loaded = try Checkpoint.load(from: stateDict, modules: target.modules.filter { held.contains($0.key) }).tensors
            }
        } catch let error as CheckpointError {
            throw RunError.invalid(error.description)
        }
        let filled = held.isEmpty ? [target.primary] : held
        let left = loaded.keys.filter { !$0.hasPrefix("optimizer.") }.sorted()
        guard left.isEmpty else {
            throw RunError.invalid("\(stateDict): \(left.prefix(8).joined(separator: ", ")) fit no module of \(paper.id) "
                                   + "(its checkpoint modules: \(target.modules.keys.sorted().joined(separator: ", ")))")
        }
        let missing = Set(target.modules.keys).subtracting(filled).subtracting(target.optional)
        guard missing.isEmpty else {
            throw RunError.invalid("\(stateDict) has no \(missing.sorted().map { $0 + ".*" }.joined(separator: ", ")) tensors, which \(paper.id) needs")
        }
        try target.complete(filled)
        for (prefix, module) in target.modules {
            if let (name, _) = module.stateDict().first(where: { !$0.1.data.allSatisfy(\.isFinite) }) {
                throw RunError.invalid("\(stateDict): \(prefix).\(name) holds NaN or infinite values")
            }
        }

        let run = try ExperimentRun(paper: paper.id, preset: preset, seed: 0, epochs: nil, dataDirectory: nil, root: root)
        var hyper = target.hyperparameters
        hyper["imported_from"] = .string(URL(fileURLWithPath: stateDict).standardizedFileURL.path)
        try run.writeConfig(hyper)
        try target.writeFiles(run)
        try run.saveCheckpoint(modules: target.modules, optimizers: [:], generators: [:],
                               state: TrainingState(epoch: 0, step: 0, bestMetric: nil, extra: ["finished": 1]), isBest: false)
        let parameters = target.modules.values.reduce(0) { $0 + $1.parameterCount }
        _ = try run.writeSummary(["parameters": Double(parameters), "imported": 1])
        run.close()
        return run
    }
}
