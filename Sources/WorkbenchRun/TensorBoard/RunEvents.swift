// What a run writes to its TensorBoard event file: each metrics.jsonl record as scalars, and the
// PNGs of plots/ and samples/ as images.
import Foundation

extension ExperimentRun {
    /// The run's event file, made at its first use.
    func eventFile() throws -> EventFile {
        if let events { return events }
        let file = try EventFile(directory: directory)
        events = file
        return file
    }

    /// One metrics.jsonl record as scalars at its step: a windowed record's values under their own
    /// names, an epoch record's under `epoch/` (an epoch mean and a window mean of the same value
    /// are different curves).
    func logEvents(_ values: [String: Double], epoch: Int?, step: Int?) throws {
        let tagged = epoch == nil ? values : Dictionary(uniqueKeysWithValues: values.map { ("epoch/" + $0.key, $0.value) })
        lastEventStep = step ?? lastEventStep
        try eventFile().scalars(tagged, step: lastEventStep, wallTime: Date().timeIntervalSince1970)
    }

    /// The PNGs of plots/ and samples/ written since the last call, as images (tags such as
    /// `plots/accuracy`, `samples/epoch_003`) at the latest step.
    public func logImages() throws {
        guard isMain else { return }
        let fm = FileManager.default
        for folder in ["plots", "samples"] {
            for name in ((try? fm.contentsOfDirectory(atPath: "\(directory)/\(folder)")) ?? []).sorted() where name.hasSuffix(".png") {
                let path = "\(directory)/\(folder)/\(name)"
                guard let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                      loggedImages[path] != modified, let data = fm.contents(atPath: path) else { continue }
                try eventFile().image("\(folder)/\(name.dropLast(4))", png: [UInt8](data), step: lastEventStep,
                                      wallTime: Date().timeIntervalSince1970)
                loggedImages[path] = modified
            }
        }
    }
}
