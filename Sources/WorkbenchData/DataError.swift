// The error thrown by everything in WorkbenchData that touches files or user input.
@_exported import WorkbenchCore

/// A descriptive failure reading or writing data: which file and what is wrong with it.
public struct DataError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (or directory) concerned; empty when there is none.
    public var path: String
    /// What went wrong, in words a user can act on.
    public var reason: String

    public init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
