// Typed access to a fixture's `config`: PyTorch constructor arguments, where a size may be an int
// or a list and an omitted argument takes PyTorch's default.

/// A problem with a fixture file: its format, a key, or a value it holds.
public struct FixtureError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct FixtureConfig: Sendable {
    public let values: [String: JSONValue]
    /// Where the config came from, for messages (`config` or `loss_config`).
    let origin: String

    public init(_ values: [String: JSONValue] = [:], origin: String = "config") {
        self.values = values
        self.origin = origin
    }

    /// Parses a JSON object text.
    public init(json: String, origin: String) throws(FixtureError) {
        guard case .object(let o)? = JSONValue.parse(json) else {
            throw FixtureError("\(origin) is not a JSON object: \(json.prefix(80))")
        }
        self.init(o, origin: origin)
    }

    func bad(_ key: String, _ expected: String) -> FixtureError {
        FixtureError("\(origin).\(key) should be \(expected), got \(values[key].map { $0.jsonText } ?? "nothing")")
    }

    /// A present, non-null value.
    func value(_ key: String) -> JSONValue? {
        guard let v = values[key], v != .null else { return nil }
        return v
    }

    public func has(_ key: String) -> Bool { value(key) != nil }

    /// Integers beyond ±(2³¹ - 1) are refused: no PyTorch size or index in a fixture is that large,
    /// and products of such sizes would overflow (a trap that ends the whole process).
    static let intLimit = Int(Int32.max)

    private func boundedInt(_ v: JSONValue) -> Int? {
        guard let i = v.intValue, i >= -FixtureConfig.intLimit && i <= FixtureConfig.intLimit else { return nil }
        return i
    }

    public func int(_ key: String, default d: Int? = nil) throws(FixtureError) -> Int {
        guard let v = value(key) else {
            if let d { return d }
            throw FixtureError("\(origin) lacks the required argument \(key)")
        }
        guard let i = boundedInt(v) else { throw bad(key, "an integer of magnitude at most \(FixtureConfig.intLimit)") }
        return i
    }

    public func optionalInt(_ key: String) throws(FixtureError) -> Int? {
        has(key) ? try int(key) : nil
    }

    public func float(_ key: String, default d: Float? = nil) throws(FixtureError) -> Float {
        guard let v = value(key) else {
            if let d { return d }
            throw FixtureError("\(origin) lacks the required argument \(key)")
        }
        guard let x = v.doubleValue else { throw bad(key, "a number") }
        return Float(x)
    }

    public func bool(_ key: String, default d: Bool) throws(FixtureError) -> Bool {
        guard let v = value(key) else { return d }
        guard case .bool(let b) = v else { throw bad(key, "true or false") }
        return b
    }

    public func string(_ key: String, default d: String) throws(FixtureError) -> String {
        guard let v = value(key) else { return d }
        guard case .string(let s) = v else { throw bad(key, "a string") }
        return s
    }

    /// A size given as `3` or `[3, 2]` (PyTorch's `_pair`).
    public func pair(_ key: String, default d: (Int, Int)? = nil) throws(FixtureError) -> (Int, Int) {
        guard let v = value(key) else {
            if let d { return d }
            throw FixtureError("\(origin) lacks the required argument \(key)")
        }
        if let i = boundedInt(v) { return (i, i) }
        if case .array(let a) = v, a.count == 2, let x = boundedInt(a[0]), let y = boundedInt(a[1]) { return (x, y) }
        if case .array(let a) = v, a.count == 1, let x = boundedInt(a[0]) { return (x, x) }
        throw bad(key, "an integer or a list of two integers (magnitude at most \(FixtureConfig.intLimit))")
    }

    public func optionalPair(_ key: String) throws(FixtureError) -> (Int, Int)? {
        has(key) ? try pair(key) : nil
    }

    public func floatList(_ key: String) throws(FixtureError) -> [Float]? {
        guard let v = value(key) else { return nil }
        if let x = v.doubleValue { return [Float(x)] }
        guard case .array(let a) = v else { throw bad(key, "a list of numbers") }
        var out: [Float] = []
        for e in a {
            guard let x = e.doubleValue else { throw bad(key, "a list of numbers") }
            out.append(Float(x))
        }
        return out
    }

    /// Fails when the config names an argument outside `known` (a typo must not pass silently).
    public func expectOnly(_ known: Set<String>) throws(FixtureError) {
        let unknown = Set(values.keys).subtracting(known)
        if !unknown.isEmpty {
            throw FixtureError("\(origin) has unsupported arguments: \(unknown.sorted().joined(separator: ", "))")
        }
    }
}
