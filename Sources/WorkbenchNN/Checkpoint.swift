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
    /// remaining tensors and the metadata.
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
        for (prefix, module) in modules {
            // A prefixed module owns every key under its prefix (extra ones are errors); a bare
            // module owns the keys of its own state dict, the others stay for the caller.
            let dot = prefix.isEmpty ? "" : prefix + "."
            let own = Set(module.stateDict().map(\.0))
            var state: [String: Tensor] = [:]
            for key in file.names where prefix.isEmpty ? own.contains(key) : key.hasPrefix(dot) {
                state[String(key.dropFirst(dot.count))] = try value(key)
                remaining.remove(key)
            }
            do { try module.loadStateDict(state) } catch {
                throw CheckpointError(path: path, message: prefix.isEmpty ? error.description : "\(prefix): \(error.description)")
            }
        }
        for (name, optimizer) in optimizers {
            let dot = "optimizer.\(name)."
            var state: [String: Tensor] = [:]
            for key in file.names where key.hasPrefix(dot) {
                state[String(key.dropFirst(dot.count))] = try value(key)
                remaining.remove(key)
            }
            do { try optimizer.loadStateDict(state) } catch {
                throw CheckpointError(path: path, message: "optimizer \(name): \(error)")
            }
        }
        var tensors: [String: Tensor] = [:]
        for key in remaining { tensors[key] = try value(key) }
        return (tensors, file.metadata)
    }
}

/// A checkpoint that does not fit the model or optimizer it is loaded into.
public struct CheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}
