// Module: the PyTorch-shaped container of parameters, buffers and child modules, with dotted
// state-dict names, train/eval mode that reaches every child, and strict state-dict loading.

/// Base class of every layer and model, like `torch.nn.Module`.
///
/// Subclasses list what they own explicitly (Swift has no attribute registration):
/// `namedLocalParameters`, `namedLocalBuffers` and `namedChildren`, in PyTorch's registration order,
/// under PyTorch's names, so that `stateDict()` keys match the reference implementation's.
open class Module {
    /// Train mode (BatchNorm uses batch statistics, Dropout drops); set through `train()`/`eval()`.
    public private(set) var training = true

    public init() {}

    /// Parameters owned directly by this module, e.g. `[("weight", w), ("bias", b)]`.
    open var namedLocalParameters: [(String, Tensor)] { [] }
    /// Buffers owned directly by this module, e.g. `running_mean`.
    open var namedLocalBuffers: [(String, Tensor)] { [] }
    /// Direct children, e.g. `[("conv1", conv1), ("bn1", bn1)]`.
    open var namedChildren: [(String, Module)] { [] }

    /// Sets train mode on this module and every descendant.
    public func train(_ mode: Bool = true) {
        training = mode
        for (_, child) in namedChildren { child.train(mode) }
    }

    /// Sets eval mode on this module and every descendant.
    public func eval() { train(false) }

    /// Every parameter with its dotted name (`inception3a.branch1.conv.weight`).
    public func namedParameters() -> [(String, Tensor)] {
        collect(\.namedLocalParameters)
    }

    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    public func namedBuffers() -> [(String, Tensor)] {
        collect(\.namedLocalBuffers)
    }

    /// Parameters then buffers of each module in depth-first registration order, as PyTorch's
    /// `state_dict()` lists them.
    public func stateDict() -> [(String, Tensor)] {
        var out = namedLocalParameters + namedLocalBuffers
        for (name, child) in namedChildren {
            out += child.stateDict().map { (name + "." + $0.0, $0.1) }
        }
        return out
    }

    /// Number of parameter elements.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Copies values from `state` into this module's parameters and buffers (in place, so
    /// optimizers keep their references). Strict: a missing, unexpected or mis-shaped key is an
    /// error naming the key, and nothing is changed unless everything matches.
    public func loadStateDict(_ state: [String: Tensor]) throws(StateDictError) {
        try checkStateDict(state)
        for (name, t) in stateDict() { t.data = state[name]!.data }
    }

    /// Throws what `loadStateDict` would throw for `state`, without changing anything.
    public func checkStateDict(_ state: [String: Tensor]) throws(StateDictError) {
        let own = stateDict()
        let ownNames = Set(own.map(\.0))
        let missing = own.map(\.0).filter { state[$0] == nil }
        let unexpected = state.keys.filter { !ownNames.contains($0) }.sorted()
        if !missing.isEmpty || !unexpected.isEmpty {
            throw StateDictError(missing: missing, unexpected: unexpected, mismatched: [])
        }
        let mismatched = own.compactMap { name, t in
            state[name]!.shape == t.shape ? nil : "\(name): checkpoint \(state[name]!.shape), model \(t.shape)"
        }
        if !mismatched.isEmpty { throw StateDictError(missing: [], unexpected: [], mismatched: mismatched) }
    }

    private func collect(_ local: KeyPath<Module, [(String, Tensor)]>) -> [(String, Tensor)] {
        var out = self[keyPath: local]
        for (name, child) in namedChildren {
            out += child.collect(local).map { (name + "." + $0.0, $0.1) }
        }
        return out
    }
}

/// Why a state dict does not fit a module; every offending key is named.
public struct StateDictError: Error, CustomStringConvertible, Sendable {
    public var missing: [String]
    public var unexpected: [String]
    public var mismatched: [String]

    public var description: String {
        // At most 8 names per list: a model's full key list runs to kilobytes.
        func names(_ keys: [String]) -> String {
            keys.prefix(8).joined(separator: ", ") + (keys.count > 8 ? ", ... (\(keys.count) in all)" : "")
        }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing keys: \(names(missing))") }
        if !unexpected.isEmpty { parts.append("unexpected keys: \(names(unexpected))") }
        if !mismatched.isEmpty {
            parts.append("shape mismatch: \(mismatched.prefix(8).joined(separator: "; "))" + (mismatched.count > 8 ? "; ... (\(mismatched.count) in all)" : ""))
        }
        return "state dict does not match the model: " + parts.joined(separator: "; ")
    }
}

/// A module with one input and one output tensor, usable inside `Sequential`.
public protocol Layer: Module {
    func forward(_ x: Tensor) -> Tensor
}

extension Layer {
    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }
}

/// Layers applied in order; children are named `0`, `1`, ... as in `nn.Sequential`.
public final class Sequential: Module, Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public convenience init(_ layers: any Layer...) { self.init(layers) }

    override public var namedChildren: [(String, Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public func forward(_ x: Tensor) -> Tensor {
        layers.reduce(x) { $1.forward($0) }
    }
}
