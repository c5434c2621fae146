// Runs a fixture: forward, loss, backward and optional optimizer steps, then compares every
// expected tensor under the fixture's tolerances. Follows the contract of docs/FIXTURES.md.
import WorkbenchNN

/// The verdict on one fixture file.
public struct FixtureReport: Sendable {
    public let path: String
    public let id: String
    public var problems: [String] = []
    /// The compared key closest to (or furthest beyond) its tolerance.
    public var worstKey: String?
    public var worst: Closeness?
    /// Number of tensors compared.
    public var compared = 0

    public init(path: String, id: String, problems: [String] = []) {
        self.path = path
        self.id = id
        self.problems = problems
    }

    public var passed: Bool { problems.isEmpty }

    /// One line: verdict, id, the first three problems, and the worst key with its errors and
    /// their ratio to the tolerance (at most 1 when it passes).
    public var line: String {
        let worstText = worstKey.map { k in "worst \(k): \(worst!.description); \(worst!.worstRatio) of tolerance" }
            ?? "nothing compared"
        if passed { return "PASS \(id)  (\(compared) tensors; \(worstText))" }
        let more = problems.count > 3 ? "; and \(problems.count - 3) more" : ""
        return "FAIL \(id)  \(problems.prefix(3).joined(separator: "; "))\(more)  (\(worstText))"
    }
}

public enum FixtureVerifier {
    /// Verifies the fixture at `path`; never throws: every problem is in the report.
    public static func verify(path: String) -> FixtureReport {
        do {
            return verify(try Fixture(path: path))
        } catch {
            let id = String(path.split(separator: "/").last ?? Substring(path))
            return FixtureReport(path: path, id: id, problems: [error.message])
        }
    }

    public static func verify(_ fixture: Fixture) -> FixtureReport {
        var run = Run(fixture)
        do {
            try run.execute()
        } catch let e as FixtureError {
            run.report.problems.append(e.message)
        } catch {
            run.report.problems.append("\(error)")
        }
        return run.report
    }
}

/// One verification in progress.
private struct Run {
    let f: Fixture
    var report: FixtureReport
    var consumed: Set<String> = []

    init(_ f: Fixture) {
        self.f = f
        report = FixtureReport(path: f.path, id: f.id)
    }

    mutating func execute() throws {
        guard let handler = FixtureRegistry.handler(kind: f.kind, name: f.name) else {
            throw FixtureError("unknown \(f.kind) id '\(f.name)' (see `workbench verify --list`)")
        }
        let call = try makeCall()
        var outputs = try handler(call)
        var loss = try formLoss(outputs, call: call)
        if f.loss == "self" { outputs["loss"] = nil }
        // With upstream gradients the loss is only a by-product (and step 1's loss, when there
        // are optimizer steps); for a loss op or a model loss it is the thing under test.
        if let l = loss.value { try compare("expect.loss", l, rtol: f.rtol, required: f.loss != "upstream") }
        for (name, out) in outputs.sorted(by: { $0.key < $1.key }) {
            try compare("expect.output." + name, out, rtol: f.rtol, required: true)
        }
        for name in f.names(withPrefix: "expect.output.") where outputs[name] == nil {
            report.problems.append("expect.output.\(name) names no output of \(f.name) (outputs: \(outputs.keys.sorted()))")
        }
        if let l = loss.value, l.requiresGrad { l.backward() }
        try compareGradients(call)
        for name in f.names(withPrefix: "expect.buffer.") {
            try compare("expect.buffer." + name, call.liveBuffers[name], rtol: f.rtol, required: true)
        }
        if let opt = f.optimizer {
            try runSteps(opt, handler: handler, call: call, firstLoss: &loss)
        }
        let unused = Set(f.file.names).subtracting(consumed).subtracting(call.used)
        for key in unused.sorted() { report.problems.append("unknown or unused key \(key)") }
    }

    /// Parameters and floating inputs as leaves that require grad; integer tensors as indices.
    func makeCall() throws -> FixtureCall {
        var params: [String: Tensor] = [:], buffers: [String: Tensor] = [:]
        var floats: [String: Tensor] = [:], indices: [String: IndexTensor] = [:]
        for key in f.file.names {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["param", "buffer", "input", "upstream", "expect"].contains(parts[0]) else {
                throw FixtureError("unknown key \(key)")
            }
            let name = parts[1]
            switch parts[0] {
            case "param":
                try require(!f.isInteger(key), "\(key) must be a float tensor")
                params[name] = try f.tensor(key).requiringGrad()
            case "buffer":
                buffers[name] = try f.floatValues(key)
            case "input":
                if f.isInteger(key) { indices[name] = try f.indexTensor(key) }
                else { floats[name] = try f.tensor(key).requiringGrad(name != "target" && name != "mask") }
            default: break
            }
        }
        return FixtureCall(config: f.config, training: f.training, params: params, buffers: buffers,
                           floatInputs: floats, indexInputs: indices)
    }

    /// The scalar that is differentiated, per the `loss` metadata.
    mutating func formLoss(_ outputs: [String: Tensor], call: FixtureCall) throws -> (value: Tensor?, Void) {
        switch f.loss {
        case "upstream":
            let names = f.names(withPrefix: "upstream.")
            try require(!names.isEmpty, "loss 'upstream' but the file has no upstream.* tensors")
            var total: Tensor?
            for name in names {
                let key = "upstream." + name
                consumed.insert(key)
                guard let out = outputs[name] else { throw FixtureError("\(key) names no output of \(f.name)") }
                let up = try f.tensor(key)
                try require(up.shape == out.shape, "\(key) has shape \(up.shape), output \(name) has \(out.shape)")
                let term = (out * up).sum()
                total = total.map { $0 + term } ?? term
            }
            return (total, ())
        case "self":
            guard let l = outputs["loss"] else { throw FixtureError("loss 'self' but \(f.name) is not a loss") }
            try require(l.count == 1, "loss 'self' needs a scalar loss, got shape \(l.shape)")
            return (l, ())
        default:
            guard let lossFn = FixtureRegistry.loss(f.loss) else { throw FixtureError("unknown loss '\(f.loss)'") }
            guard let y = outputs["y"] else { throw FixtureError("loss \(f.loss) needs an output named y") }
            let l = try lossFn(y, try call.target(), f.lossConfig)
            try require(l.count == 1, "loss \(f.loss) gave shape \(l.shape), expected a scalar")
            return (l, ())
        }
    }

    mutating func compareGradients(_ call: FixtureCall) throws {
        for (name, p) in call.liveParams.sorted(by: { $0.key < $1.key }) {
            try compare("expect.grad.param." + name, p.grad ?? Tensor.zeros(p.shape), rtol: f.gradRtol, required: true)
        }
        for (name, x) in call.floatInputs.sorted(by: { $0.key < $1.key }) where x.requiresGrad && call.used.contains("input." + name) {
            try compare("expect.grad.input." + name, x.grad ?? Tensor.zeros(x.shape), rtol: f.gradRtol, required: true)
        }
    }

    /// docs/FIXTURES.md's step rule: each step is forward, record loss, backward, clip, update.
    mutating func runSteps(_ config: FixtureConfig, handler: FixtureHandler, call: FixtureCall, firstLoss: inout (value: Tensor?, Void)) throws {
        let steps = try config.int("steps")
        try require(steps >= 1 && steps <= 10_000, "optimizer.steps must be in 1...10000, got \(steps)")
        let params = call.liveParams.sorted(by: { $0.key < $1.key }).map(\.value)
        let optimizer = try FixtureOptimizer.make(config, parameters: params)
        let clip = config.has("clip_grad_norm") ? try config.float("clip_grad_norm") : nil
        for k in 1...steps {
            var loss = firstLoss.value
            if k > 1 {
                optimizer.zeroGrad()
                loss = try formLoss(try handler(call), call: call).value
                loss?.backward()
            }
            guard let loss else { throw FixtureError("optimizer steps need a loss") }
            try compare("expect.step\(k).loss", loss, rtol: f.rtol, required: true)
            if let clip { clipGradNorm(params, maxNorm: clip) }
            optimizer.step()
        }
        for (name, p) in call.liveParams.sorted(by: { $0.key < $1.key }) {
            try compare("expect.final.param." + name, p, rtol: f.rtol, required: true)
        }
        for name in f.names(withPrefix: "expect.final.buffer.") {
            try compare("expect.final.buffer." + name, call.liveBuffers[name], rtol: f.rtol, required: true)
        }
        for name in f.names(withPrefix: "expect.step") where !consumed.contains("expect.step" + name) {
            report.problems.append("expect.step\(name) lies beyond the \(steps) optimizer steps")
        }
    }

    /// Compares `actual` with the expected tensor at `key`, updating the report.
    mutating func compare(_ key: String, _ actual: Tensor?, rtol: Float, required: Bool) throws {
        guard f.file[key] != nil else {
            if required { report.problems.append("missing expected key \(key)") }
            return
        }
        consumed.insert(key)
        guard let actual else {
            report.problems.append("\(key): nothing was computed for it")
            return
        }
        let expected = try f.floatValues(key)
        let sameShape = expected.shape == actual.shape || (expected.count == 1 && actual.count == 1)
        guard sameShape else {
            report.problems.append("\(key): shape \(actual.shape), expected \(expected.shape)")
            return
        }
        if !f.nonfinite.contains(key), let i = expected.data.firstIndex(where: { !$0.isFinite }) {
            report.problems.append("\(key): expected element \(i) is \(expected.data[i]), but the nonfinite metadata does not list \(key)")
            return
        }
        // NaN matches only NaN and an infinity only itself; a computed non-finite value where a
        // finite one is expected fails.
        let c = closeness(actual.data, expected.data, atol: f.atol, rtol: rtol)
        report.compared += 1
        if report.worst == nil || c.worstRatio > report.worst!.worstRatio || c.worstRatio.isNaN {
            report.worst = c
            report.worstKey = key
        }
        if !c.passed {
            report.problems.append("\(key) differs: \(c.description) (element \(c.worstIndex): \(actual.data[c.worstIndex]) vs \(expected.data[c.worstIndex]))")
        }
    }
}
