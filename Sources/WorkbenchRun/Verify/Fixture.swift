// A `workbench-fixture/1` file: metadata and tensors written by a PyTorch reference script
// (format in docs/FIXTURES.md).

public struct Fixture: Sendable {
    public static let format = "workbench-fixture/1"

    public let path: String
    public let file: SafeTensorsFile
    /// `op` or `model`.
    public let kind: String
    /// The op or model id, e.g. `conv2d` or `inception.googlenet`.
    public let name: String
    public let config: FixtureConfig
    public let training: Bool
    /// `upstream`, `self` or a loss id.
    public let loss: String
    public let lossConfig: FixtureConfig
    public let optimizer: FixtureConfig?
    public let atol: Float
    public let rtol: Float
    public let gradRtol: Float
    /// The `expect.*` keys the `nonfinite` metadata lists: the only ones that may hold NaN or ±Inf.
    public let nonfinite: Set<String>

    /// Reads and validates a fixture file; every problem is a `FixtureError` naming the file.
    public init(path: String) throws(FixtureError) {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: path) } catch { throw FixtureError("\(error)") }
        do { try self.init(file: file, path: path) } catch { throw FixtureError("\(path): \(error.message)") }
    }

    public init(file: SafeTensorsFile, path: String) throws(FixtureError) {
        self.path = path
        self.file = file
        let meta = file.metadata
        func required(_ key: String) throws(FixtureError) -> String {
            guard let v = meta[key] else { throw FixtureError("metadata lacks \(key)") }
            return v
        }
        func tolerance(_ key: String, _ d: Float) throws(FixtureError) -> Float {
            guard let s = meta[key] else { return d }
            guard let v = Float(s.trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else {
                throw FixtureError("metadata \(key) is not a non-negative number: \(s)")
            }
            return v
        }
        let format = try required("format")
        guard format == Fixture.format else { throw FixtureError("format is \(format), expected \(Fixture.format)") }
        kind = try required("kind")
        guard kind == "op" || kind == "model" else { throw FixtureError("kind is \(kind), expected op or model") }
        name = try required("name")
        config = try FixtureConfig(json: meta["config"] ?? "{}", origin: "config")
        let mode = meta["mode"] ?? "train"
        guard mode == "train" || mode == "eval" else { throw FixtureError("mode is \(mode), expected train or eval") }
        training = mode == "train"
        loss = meta["loss"] ?? "upstream"
        lossConfig = try FixtureConfig(json: meta["loss_config"] ?? "{}", origin: "loss_config")
        optimizer = try meta["optimizer"].map { (s) throws(FixtureError) in try FixtureConfig(json: s, origin: "optimizer") }
        atol = try tolerance("atol", 1e-5)
        rtol = try tolerance("rtol", 1e-4)
        gradRtol = try tolerance("grad_rtol", 1e-3)
        nonfinite = try Fixture.nonfiniteKeys(meta["nonfinite"], in: file)
    }

    /// Parses the `nonfinite` metadata, a JSON list of keys. An undeclared NaN would match the NaN
    /// an implementation computes from NaN inputs, so a fixture of NaNs would pass anything; hence
    /// non-finite expectations must be declared, and only on `expect.*` tensors the file holds.
    static func nonfiniteKeys(_ text: String?, in file: SafeTensorsFile) throws(FixtureError) -> Set<String> {
        guard let text else { return [] }
        guard case .array(let items)? = JSONValue.parse(text) else {
            throw FixtureError("metadata nonfinite is not a JSON list of expected keys: \(text.prefix(80))")
        }
        var keys: Set<String> = []
        for item in items {
            guard case .string(let key) = item, key.hasPrefix("expect."), file[key] != nil else {
                throw FixtureError("metadata nonfinite lists \(item.jsonText), which is no expect.* tensor of the file")
            }
            keys.insert(key)
        }
        return keys
    }

    /// The fixture's id for reports: the file name without extension.
    public var id: String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return base.hasSuffix(".safetensors") ? String(base.dropLast(12)) : base
    }

    /// Names (after the prefix) of the tensors whose key starts with `prefix`.
    public func names(withPrefix prefix: String) -> [String] {
        file.names.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// A float tensor by key, as a `FixtureError` when absent or of the wrong dtype.
    public func tensor(_ key: String) throws(FixtureError) -> Tensor {
        do { return try file.tensor(key) } catch { throw FixtureError("\(key): \(error.message)") }
    }

    public func indexTensor(_ key: String) throws(FixtureError) -> IndexTensor {
        do { return try file.indexTensor(key) } catch { throw FixtureError("\(key): \(error.message)") }
    }

    /// A float tensor, or an integer one (e.g. `num_batches_tracked`) converted to Float.
    public func floatValues(_ key: String) throws(FixtureError) -> Tensor {
        guard isInteger(key) else { return try tensor(key) }
        let t = try indexTensor(key)
        return Tensor(shape: t.shape, data: t.data.map(Float.init))
    }

    public func isInteger(_ key: String) -> Bool {
        guard let t = file[key] else { return false }
        return [.I64, .I32, .I16, .I8, .U8].contains(t.dtype)
    }
}
