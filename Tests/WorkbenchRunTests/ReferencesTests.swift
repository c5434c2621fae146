// papers/<paper>/reference.json: every committed file reads, a bad entry is named, and the lines a
// plot gets for a value, a band and a curve.
import Foundation
import Testing
import WorkbenchData
import WorkbenchRun
import WorkbenchTesting

@Suite struct ReferencesTests {
    @Test func everyPapersReferencesRead() throws {
        let papers = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/papers").filter {
            FileManager.default.fileExists(atPath: "\(repositoryRoot)/papers/\($0)/reference.json")
        }
        #expect(Set(papers).isSuperset(of: ["dcgan", "dqn", "inception", "lenet", "seq2seq"]))
        for paper in papers {
            let all = try References.load(paper: paper)
            #expect(!all.isEmpty && all.allSatisfy { !$0.source.isEmpty }, "\(paper)")
        }
        // A preset sees only the references that apply to it.
        #expect(try References.load(paper: "inception", preset: "quick").map(\.label) == ["GoogLeNet, Fashion-MNIST benchmark 93.7 %"])
    }

    @Test func badEntriesAreNamed() {
        let cases = [
            (#"{"refs": []}"#, "expected {\"references\": [...]}"),
            (#"{"references": [{"metric": "m", "label": "l"}]}"#, "references[0] needs metric, label and source strings"),
            (#"{"references": [{"metric": "m", "label": "l", "source": "s", "value": 1, "band": [0, 1]}]}"#, "needs exactly one of value, band or points"),
            (#"{"references": [{"metric": "m", "label": "l", "source": "s", "band": [2, 1]}]}"#, "band must be [low, high]"),
            (#"{"references": [{"metric": "m", "label": "l", "source": "s", "points": [[1]]}]}"#, "points must be [[x, y], ...]"),
            (#"{"references": [{"metric": "m", "label": "l", "source": "s", "value": 1, "x": "time"}]}"#, "x must be \"epoch\" or \"step\""),
        ]
        for (text, message) in cases {
            do {
                _ = try References.parse(text, origin: "r.json")
                Issue.record("accepted \(text)")
            } catch let error as RunError {
                #expect(error.description.hasPrefix("r.json: ") && error.description.contains(message), "\(error)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func plotLinesOfEachShape() throws {
        let refs = try References.parse(#"""
            {"references": [
              {"metric": "acc", "label": "target", "value": 0.9, "source": "s"},
              {"metric": "acc", "label": "range", "band": [0.8, 0.85], "source": "s"},
              {"metric": "acc", "label": "peer", "points": [[1, 0.5], [2, 0.7]], "source": "s"},
              {"metric": "acc", "label": "per step", "x": "step", "points": [[100, 0.6]], "source": "s"},
              {"metric": "loss", "label": "other metric", "value": 1, "source": "s"}
            ]}
            """#, origin: "r.json")
        let lines = References.series(refs, keys: ["acc"], x: "epoch", over: 0.5...3)
        #expect(lines.map(\.name) == ["target", "range", "", "peer"])
        #expect(lines[0].x == [0.5, 3] && lines[0].y == [0.9, 0.9])
        #expect(lines[1].y == [0.8, 0.8] && lines[2].y == [0.85, 0.85] && lines[1].color == lines[2].color)
        #expect(lines[3].x == [1, 2] && lines[3].y == [0.5, 0.7])
    }

    /// Against epochs, a value with windowed records is drawn from them at fractional epochs.
    @Test func oneEpochRunPlotsItsWindows() throws {
        let dir = TemporaryDirectory("references")
        let run = try ExperimentRun(paper: "toy", preset: "quick", seed: 1, epochs: 1, dataDirectory: nil, root: dir.path)
        for step in [20, 40, 60, 80] { try run.log(step: step, ["train_loss": 1 / Double(step)]) }
        try run.log(epoch: 1, step: 80, ["train_loss": 0.03, "test_loss": 0.02])
        try run.plot("loss", title: "toy", x: "epoch", series: ["train_loss", "test_loss"], yLabel: "loss")
        let image = try Bitmap.readPNG(run.plotsDirectory + "/loss.png")
        #expect(image.width == 800 && image.height == 500)
    }
}
