// The papers the command line knows. Adding a paper module adds one line here
// (`workbench new` does it for you); nothing else in the CLI names a paper.
import AlphaGoZero
import DCGAN
import DQN
import Inception
import LeNet
import Seq2Seq
import WorkbenchRun

enum Papers {
    nonisolated(unsafe) static let all: [any PaperExperiment.Type] = [
        InceptionExperiment.self,
        DQNExperiment.self,
        DCGAN.self,
        Seq2SeqExperiment.self,
        LeNetExperiment.self,
        AlphaGoZeroExperiment.self,
    ]

    static func find(_ id: String) throws -> any PaperExperiment.Type {
        guard let paper = all.first(where: { $0.id == id }) else {
            let known = all.map { $0.id }
            throw RunError.invalid("unknown paper '\(id)'" + (known.isEmpty ? "" : "; papers: \(known.joined(separator: ", "))"))
        }
        return paper
    }

    /// The paper and its preset (`preset`, else the paper's default), or the error naming the known ones.
    static func find(_ id: String, preset: String?) throws -> (paper: any PaperExperiment.Type, preset: String) {
        let paper = try find(id)
        let name = preset ?? paper.defaultPreset
        guard paper.presets.contains(where: { $0.name == name }) else {
            throw RunError.unknownPreset(paper: paper.id, preset: name, known: paper.presets.map { $0.name })
        }
        return (paper, name)
    }

    /// Makes every paper's model ids known to `workbench verify`.
    static func registerFixtures() {
        for paper in all { paper.registerFixtures() }
    }
}
