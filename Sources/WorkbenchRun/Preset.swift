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
