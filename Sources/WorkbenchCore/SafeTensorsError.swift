// The one error type of safetensors reading and writing.

/// A safetensors file (or in-memory buffer) could not be read, written or converted.
/// `file` is the path (or `"<memory>"`), `message` says what is wrong and, where it applies,
/// which tensor.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
