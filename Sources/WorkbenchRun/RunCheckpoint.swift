// The one rule every command that reads a trained model uses (eval, predict, sample, play,
// translate): a run directory means its best checkpoint, else its last; a file is used as it is.
import Foundation
import WorkbenchCore

public struct RunCheckpoint: Sendable {
    /// The checkpoint file to load.
    public let path: String
    /// The run directory it belongs to (for config.json and other files next to the checkpoints).
    public let runDirectory: String

    /// The rule, for each command's help.
    public static let rule = "a run directory (its checkpoints/best.safetensors, else last.safetensors) or a .safetensors checkpoint file"

    /// Resolves `path` by `rule`; a missing path, a run without checkpoints, or (given `paper`) a
    /// checkpoint of another paper is a clear error.
    public init(_ path: String, paper: String? = nil) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunError.invalid("\(path): no such run directory or checkpoint file")
        }
        if isDirectory.boolValue {
            runDirectory = path
            let candidates = ["best", "last"].map { "\(path)/checkpoints/\($0).safetensors" }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw RunError.invalid("\(path) has no checkpoint yet (checkpoints/best.safetensors or last.safetensors)")
            }
            self.path = found
        } else {
            self.path = path
            // <run>/checkpoints/<name>.safetensors
            runDirectory = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        }
        // Checkpoints written by a run name their paper in the metadata; a bare state dict does not.
        if let paper, let owner = try SafeTensorsFile(contentsOf: self.path).metadata["paper"], owner != paper {
            throw RunError.invalid("\(path) belongs to paper \(owner), not to \(paper)")
        }
    }
}
