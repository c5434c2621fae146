// The one protocol a paper module implements to appear in `workbench list` and `workbench run`.

public protocol PaperExperiment {
    /// Command-line id: `workbench run inception`.
    static var id: String { get }
    /// Title with citation, e.g. "GoogLeNet / Inception — Szegedy et al. 2014, arXiv:1409.4842".
    static var title: String { get }
    /// Presets in display order with a one-line description each.
    static var presets: [(name: String, summary: String)] { get }
    static var defaultPreset: String { get }
    /// Dataset ids the paper needs ("fashion-mnist"), for `workbench list`.
    static var datasets: [String] { get }
    /// Registers the paper's model ids with `FixtureRegistry` for `workbench verify`.
    static func registerFixtures()
    /// Runs the reference experiment for `run.preset` in a new or resumed run directory and
    /// returns the final metrics for summary.json (standard names where they apply:
    /// test_accuracy 0-1, bleu 0-100, fid, eval_return_mean, epochs, frames).
    static func run(_ run: ExperimentRun) throws -> [String: Double]
    /// Whether `run` trains data-parallel over `run.parallel` (shards batches, averages gradients);
    /// workbench-mpi refuses the others rather than train N independent copies.
    static var supportsDataParallel: Bool { get }
    /// For `workbench import`: the modules of `preset`'s checkpoints, freshly built for its model
    /// config, or for `model` (config.json's `hyperparameters.model` names) when given.
    static func importModules(preset: String, model: FixtureConfig?) throws -> ImportedModules
}

extension PaperExperiment {
    public static var supportsDataParallel: Bool { false }
}

/// Errors that end a run with a message instead of a crash.
public enum RunError: Error, CustomStringConvertible {
    /// `checkpointIsFinite`: whether every tensor of `lastCheckpoint` is finite (a run can go bad
    /// in the parameters before its loss shows it).
    case nonFinite(name: String, lastCheckpoint: String?, checkpointIsFinite: Bool = true)
    case unknownPreset(paper: String, preset: String, known: [String])
    case invalid(String)

    public var description: String {
        switch self {
        case .nonFinite(let name, let checkpoint, let finite):
            let about = checkpoint.map { path in
                finite ? "The last good checkpoint is \(path)."
                    : "The last checkpoint, \(path), holds NaN or infinite values too: start a new run (e.g. with a lower learning rate)."
            }
            return "training diverged: \(name) is not finite (NaN or infinity). " + (about ?? "No checkpoint was written yet.")
        case .unknownPreset(let paper, let preset, let known):
            return "\(paper) has no preset '\(preset)'; presets: \(known.joined(separator: ", "))"
        case .invalid(let message):
            return message
        }
    }
}
