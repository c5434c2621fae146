// The one shape of a paper's presets: a Codable value per named recipe, listed in display order
// as `static let all`, whose encoding is config.json's `hyperparameters`.
import Foundation

public protocol Preset: Codable, Sendable {
    /// `--preset` name.
    var name: String { get }
    /// One line for `workbench list`.
    var summary: String { get }
}

extension Preset {
    /// The preset called `name` in `all`, or the error that lists the known ones.
    public static func named(_ name: String, in all: [Self], paper: String) throws -> Self {
        guard let preset = all.first(where: { $0.name == name }) else {
            throw RunError.unknownPreset(paper: paper, preset: name, known: all.map(\.name))
        }
        return preset
    }

    /// The preset as config.json's `hyperparameters`: its Codable encoding with snake_case keys.
    public var hyperparameters: [String: JSONValue] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(self), case .object(let o)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            preconditionFailure("\(Self.self) does not encode as a JSON object")
        }
        return o
    }
}

/// A model config read by one validating reader, `init(FixtureConfig)` (defaults for omitted
/// fields, a clear error for a wrong or unknown one), and written as `json` under the same
/// snake_case names. Fixture configs and config.json use the same names, so both go through the
/// reader; Codable (for presets that hold the config) goes through these two as well.
public protocol ModelConfig: Codable, Sendable {
    init(_ config: FixtureConfig) throws(FixtureError)
    var json: [String: JSONValue] { get }
}

extension ModelConfig {
    public func encode(to encoder: Encoder) throws { try JSONValue.object(json).encode(to: encoder) }

    public init(from decoder: Decoder) throws {
        guard case .object(let o) = try JSONValue(from: decoder) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a model config must be a JSON object"))
        }
        try self.init(FixtureConfig(o, origin: "model"))
    }
}
