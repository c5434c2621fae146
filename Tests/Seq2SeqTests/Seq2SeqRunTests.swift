// The seq2seq experiment end to end on a small generated corpus (`--data-dir` of aligned files):
// the run directory, translating from it, a refused resume of the finished run, and a
// stopped-then-resumed run that ends bit-identical to an uninterrupted one.
import Foundation
import Testing
import Seq2Seq
import WorkbenchRun
import WorkbenchTesting

@Suite struct Seq2SeqRunTests {
    /// 640 training pairs (10 steps of the quick preset's batch 64 per epoch), 40 valid, 60 test.
    func corpus(_ dir: TemporaryDirectory) throws -> String {
        try CorpusGenerator.writeIfMissing(root: dir.file("data"), count: 740, seed: 0, valid: 40, test: 60)
    }

    @Test func quickRunWritesItsDirectory() throws {
        let dir = TemporaryDirectory("seq2seq-run")
        let run = try ExperimentRun(paper: Seq2SeqExperiment.id, preset: "quick", seed: 2, epochs: 2,
                                    dataDirectory: try corpus(dir), root: dir.file("runs"))
        let summary = try run.writeSummary(try Seq2SeqExperiment.run(run))
        #expect(summary["epochs"] == 2 && summary["steps"] == 20 && summary["test_sentences"] == 60 && summary["beam_sentences"] == 60)
        for key in ["bleu", "bleu_beam", "best_bleu"] { #expect((0...100).contains(summary[key] ?? -1), "\(key)") }
        for file in ["config.json", "metrics.jsonl", "summary.json", "model.json", "vocab.src.txt", "vocab.tgt.txt",
                     "plots/loss.png", "plots/bleu.png", "plots/train_steps.png", "samples/translations.txt",
                     "samples/test.greedy.txt", "samples/test.beam.txt", "samples/test.ref.txt", "samples/attention_1.png",
                     "samples/attention_1.txt", "checkpoints/best.safetensors", "checkpoints/last.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(run.directory)/\(file)"), "\(file)")
        }
        #expect(try Seq2SeqExperiment.translate(checkpoint: run.directory, sentences: ["paris is cold in winter ."], beamWidth: 2).count == 1)
        // Nothing left to do: a resume of the finished run is refused and keeps its summary.
        run.close()
        do {
            _ = try Seq2SeqExperiment.run(try ExperimentRun(resuming: run.directory))
            Issue.record("a finished run was resumed")
        } catch let error as RunError {
            #expect(error.description.contains("nothing left to do"), "\(error)")
        }
    }

    @Test func resumeIsBitIdentical() throws {
        let dir = TemporaryDirectory("seq2seq-resume")
        // 10 steps per epoch: stop in the middle of epoch 2.
        let differences = try resumeDifferences(Seq2SeqExperiment.self, preset: "quick", epochs: 2, dataDirectory: try corpus(dir),
                                                stopAfterStep: 13, root: dir.file("runs"))
        #expect(differences.isEmpty, "\(differences)")
    }
}
