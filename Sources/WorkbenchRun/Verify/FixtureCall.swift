// What a fixture handler sees: the config, the mode, and the fixture's parameters, buffers and
// inputs. Every tensor a handler asks for is marked used, so unused keys can be reported.
import WorkbenchNN

/// The target of a loss: class ids or values.
public enum LossTarget {
    case classes(IndexTensor)
    case values(Tensor)
}

public final class FixtureCall {
    public let config: FixtureConfig
    public let training: Bool
    /// Parameters by state-dict name; leaves that require grad.
    public let params: [String: Tensor]
    /// Buffers by state-dict name (integer buffers such as `num_batches_tracked` as Float).
    public let buffers: [String: Tensor]
    let floatInputs: [String: Tensor]
    let indexInputs: [String: IndexTensor]
    private(set) var used: Set<String> = []

    init(config: FixtureConfig, training: Bool, params: [String: Tensor], buffers: [String: Tensor],
         floatInputs: [String: Tensor], indexInputs: [String: IndexTensor]) {
        self.config = config
        self.training = training
        self.params = params
        self.buffers = buffers
        self.floatInputs = floatInputs
        self.indexInputs = indexInputs
    }

    /// The modules a model handler built with `module(prefix:_:)`, by prefix; when there are any,
    /// the verifier differentiates, steps and compares the modules' own parameters and buffers.
    private(set) var boundModules: [(prefix: String, module: Module)] = []

    /// A model handler's module: built by `make` on the first call and returned again on later
    /// calls (each optimizer step calls the handler again), with every `param.<prefix>*` and
    /// `buffer.<prefix>*` loaded by `loadStateDict` under its name less the prefix (strict: a name
    /// the module lacks, or lacks in the file, fails the fixture) and put in the fixture's
    /// train/eval mode. Lets a paper register a model id as
    /// `{ call in ["y": try call.module { Net(config) }(try call.input("x"))] }`, and bind several
    /// networks of one fixture by prefix (`module(prefix: "G.")`, `module(prefix: "D.")`).
    public func module<M: Module>(prefix: String = "", _ make: () throws -> M) throws -> M {
        if let bound = boundModules.first(where: { $0.prefix == prefix }) {
            guard let m = bound.module as? M else { throw FixtureError("the handler asked for two different modules under '\(prefix)'") }
            return m
        }
        let m = try make()
        let ownParams = params.filter { $0.key.hasPrefix(prefix) }, ownBuffers = buffers.filter { $0.key.hasPrefix(prefix) }
        var state: [String: Tensor] = [:]
        for (name, t) in ownParams { state[String(name.dropFirst(prefix.count))] = t }
        for (name, t) in ownBuffers { state[String(name.dropFirst(prefix.count))] = t }
        do { try m.loadStateDict(state) } catch {
            throw FixtureError("param.\(prefix)* / buffer.\(prefix)* do not fit the model: \(error.description)")
        }
        used.formUnion(ownParams.keys.map { "param." + $0 })
        used.formUnion(ownBuffers.keys.map { "buffer." + $0 })
        m.train(training)
        boundModules.append((prefix, m))
        return m
    }

    /// The parameters being optimized and compared: the bound modules' (under their prefixes),
    /// else the fixture's leaves.
    var liveParams: [String: Tensor] {
        if boundModules.isEmpty { return params }
        return Dictionary(boundModules.flatMap { b in b.module.namedParameters().map { (b.prefix + $0.0, $0.1) } },
                          uniquingKeysWith: { a, _ in a })
    }

    /// The buffers compared after the forward and the steps: the bound modules', else the fixture's.
    var liveBuffers: [String: Tensor] {
        if boundModules.isEmpty { return buffers }
        return Dictionary(boundModules.flatMap { b in b.module.namedBuffers().map { (b.prefix + $0.0, $0.1) } },
                          uniquingKeysWith: { a, _ in a })
    }

    public func param(_ name: String) throws(FixtureError) -> Tensor {
        guard let t = optionalParam(name) else { throw FixtureError("missing key param.\(name)") }
        return t
    }

    public func optionalParam(_ name: String) -> Tensor? {
        guard let t = params[name] else { return nil }
        used.insert("param." + name)
        return t
    }

    public func buffer(_ name: String) throws(FixtureError) -> Tensor {
        guard let t = optionalBuffer(name) else { throw FixtureError("missing key buffer.\(name)") }
        return t
    }

    public func optionalBuffer(_ name: String) -> Tensor? {
        guard let t = buffers[name] else { return nil }
        used.insert("buffer." + name)
        return t
    }

    public func input(_ name: String) throws(FixtureError) -> Tensor {
        guard let t = optionalInput(name) else {
            throw FixtureError(indexInputs[name] != nil ? "input.\(name) must be a float tensor" : "missing key input.\(name)")
        }
        return t
    }

    public func optionalInput(_ name: String) -> Tensor? {
        guard let t = floatInputs[name] else { return nil }
        used.insert("input." + name)
        return t
    }

    public func indexInput(_ name: String) throws(FixtureError) -> IndexTensor {
        guard let t = indexInputs[name] else {
            throw FixtureError(floatInputs[name] != nil ? "input.\(name) must be an integer tensor" : "missing key input.\(name)")
        }
        used.insert("input." + name)
        return t
    }

    public func optionalIndexInput(_ name: String) throws(FixtureError) -> IndexTensor? {
        indexInputs[name] == nil && floatInputs[name] == nil ? nil : try indexInput(name)
    }

    /// `input.target`: class ids when integer, values when float.
    public func target() throws(FixtureError) -> LossTarget {
        if indexInputs["target"] != nil { return .classes(try indexInput("target")) }
        return .values(try input("target"))
    }

    /// Inputs `<prefix>0`, `<prefix>1`, ... in numeric order.
    public func numberedInputs(_ prefix: String) -> [Tensor] {
        var out: [Tensor] = []
        while let t = optionalInput("\(prefix)\(out.count)") { out.append(t) }
        return out
    }
}

/// Computes a fixture's outputs by name from its call (for loss ops: the single output `loss`).
public typealias FixtureHandler = @Sendable (FixtureCall) throws -> [String: Tensor]

/// Fails a fixture with `message` unless `condition` holds (shape checks before calling an op,
/// so that a malformed fixture is reported instead of stopping the process).
public func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FixtureError) {
    if !condition { throw FixtureError(message()) }
}
