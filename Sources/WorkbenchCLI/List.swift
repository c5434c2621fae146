// `workbench list`: papers, their presets and datasets, and whether each dataset is installed.
import ArgumentParser
import WorkbenchData
import WorkbenchRun

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List papers, their presets and the datasets they need.")

    @Option(help: "Directory holding datasets (overrides WORKBENCH_DATA).")
    var dataDir: String?

    func run() throws {
        if Papers.all.isEmpty { print("No paper modules are registered yet.") }
        for paper in Papers.all {
            print("\(paper.id)  —  \(paper.title)")
            for preset in paper.presets {
                let mark = preset.name == paper.defaultPreset ? " (default)" : ""
                print("    --preset \(preset.name)\(mark): \(preset.summary)")
            }
            for dataset in paper.datasets {
                print("    dataset \(dataset): \(datasetStatus(dataset))")
            }
        }
    }

    func datasetStatus(_ id: String) -> String {
        switch id {
        case "fashion-mnist":
            let dir = FashionMNIST.resolveDirectory(dataDir)
            return MNISTFormat.isPresent(.train, in: dir) && MNISTFormat.isPresent(.test, in: dir)
                ? "installed (\(dir))" : "missing — install with: \(FashionMNIST.installCommand)"
        default:
            return "built in"
        }
    }
}
