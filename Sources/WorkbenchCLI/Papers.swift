// The papers the command line knows. Adding a paper module adds one line here
// (`workbench new` does it for you); nothing else in the CLI names a paper.
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
    ]

    static func find(_ id: String) throws -> any PaperExperiment.Type {
        guard let paper = all.first(where: { $0.id == id }) else {
            let known = all.map { $0.id }
            throw RunError.invalid("unknown paper '\(id)'" + (known.isEmpty ? "" : "; papers: \(known.joined(separator: ", "))"))
        }
        return paper
    }

    /// Makes every paper's model ids known to `workbench verify`.
    static func registerFixtures() {
        for paper in all { paper.registerFixtures() }
    }
}
