// Checkpoints: modules' state dicts, optimizer state and extra tensors in one safetensors file,
// written atomically, loaded strictly. A module saved under the name "" keeps its bare PyTorch
// state-dict names, so `model.load_state_dict(safetensors.torch.load_file(path))` works in PyTorch.

public enum Checkpoint {
    /// Writes `modules` (keys `<name>.<state-dict name>`, or bare names for ""), each optimizer's
    /// state (`optimizer.<name>.state.<i>.<key>`), extra `tensors` and string `metadata` to `path`
    /// (temp file + rename: an existing checkpoint is never left half-written).
    public static func save(modules: [String: Module], optimizers: [String: Optimizer] = [:],
                            tensors: [String: Tensor] = [:], metadata: [String: String] = [:],
                            to path: String) throws(SafeTensorsError) {
        var file = SafeTensorsFile()
        file.metadata = metadata
        for (prefix, module) in modules.sorted(by: { $0.key < $1.key }) {
            for (name, t) in module.stateDict() {
                let key = prefix.isEmpty ? name : prefix + "." + name
                // PyTorch keeps BatchNorm's counter as int64; store it that way so it loads unchanged.
                if name.hasSuffix("num_batches_tracked") {
                    file.set(key, IndexTensor(shape: t.shape, data: t.data.map { Int($0) }))
                } else {
                    file.set(key, t)
                }
            }
        }
        for (name, optimizer) in optimizers.sorted(by: { $0.key < $1.key }) {
            for (key, t) in optimizer.stateDict().sorted(by: { $0.key < $1.key }) {
                file.set("optimizer.\(name).\(key)", t)
            }
        }
        for (key, t) in tensors.sorted(by: { $0.key < $1.key }) { file.set(key, t) }
        try file.write(to: path)
    }

    /// Loads a checkpoint written by `save` (or by PyTorch for a module saved under ""):
    /// every module and optimizer must find all its keys with matching shapes. Returns the
    /// remaining tensors and the metadata. Nothing is changed unless everything fits.
    public static func load(from path: String, modules: [String: Module], optimizers: [String: Optimizer] = [:])
        throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let file = try SafeTensorsFile(contentsOf: path)
        var remaining = Set(file.names)
        func value(_ key: String) throws -> Tensor {
            if let t = file[key], !t.dtype.isFloatingPoint {
                let i = try file.indexTensor(key)
                return Tensor(shape: i.shape, data: i.data.map(Float.init))
            }
            return try file.tensor(key)
        }
        var states: [(Module, [String: Tensor])] = []
        for (prefix, module) in modules.sorted(by: { $0.key < $1.key }) {
            // A prefixed module owns every key under its prefix (extra ones are errors); a bare
            // module owns the keys of its own state dict, the others stay for the caller.
            let dot = prefix.isEmpty ? "" : prefix + "."
            let own = Set(module.stateDict().map(\.0))
            var state: [String: Tensor] = [:]
            for key in file.names where prefix.isEmpty ? own.contains(key) : key.hasPrefix(dot) {
                state[String(key.dropFirst(dot.count))] = try value(key)
                remaining.remove(key)
            }
            do { try module.checkStateDict(state) } catch {
                // A PyTorch state dict saved as it is has the module's names without the prefix.
                if !prefix.isEmpty && state.isEmpty && own.isSubset(of: Set(file.names)) {
                    throw CheckpointError(path: path, message: "this is a plain state dict (keys such as \(own.sorted().first ?? "")); "
                        + "a run's checkpoint stores them under '\(dot)': save {'\(dot)' + k: v for k, v in state_dict.items()}")
                }
                throw CheckpointError(path: path, message: prefix.isEmpty ? error.description : "\(prefix): \(error.description)")
            }
            states.append((module, state))
        }
        var optimizerStates: [(String, Optimizer, [String: Tensor])] = []
        for (name, optimizer) in optimizers.sorted(by: { $0.key < $1.key }) {
            let dot = "optimizer.\(name)."
            var state: [String: Tensor] = [:]
            for key in file.names where key.hasPrefix(dot) {
                state[String(key.dropFirst(dot.count))] = try value(key)
                remaining.remove(key)
            }
            optimizerStates.append((name, optimizer, state))
        }
        var tensors: [String: Tensor] = [:]
        for key in remaining { tensors[key] = try value(key) }
        // Optimizers validate before they change; one that fails rolls back those loaded before it.
        var loaded: [(Optimizer, [String: Tensor])] = []
        for (name, optimizer, state) in optimizerStates {
            let previous = optimizer.stateDict()
            do { try optimizer.loadStateDict(state) } catch {
                for (o, old) in loaded { try? o.loadStateDict(old) }
                throw CheckpointError(path: path, message: "optimizer \(name): \(error)")
            }
            loaded.append((optimizer, previous))
        }
        for (module, state) in states { try module.loadStateDict(state) }
        return (tensors, file.metadata)
    }
}

/// A checkpoint that does not fit the model or optimizer it is loaded into.
public struct CheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}
