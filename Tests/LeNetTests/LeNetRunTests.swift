// LeNet's reference experiment end to end on a tiny synthetic Fashion-MNIST: the run directory,
// and a stopped-then-resumed run that ends bit-identical to an uninterrupted one.
import Foundation
import Testing
import LeNet
import WorkbenchNN
import WorkbenchRun
import WorkbenchTesting

@Suite struct LeNetRunTests {
    @Test func quickRunWritesItsDirectory() throws {
        let dir = TemporaryDirectory("lenet-run")
        try writeSyntheticFashionMNIST(to: dir.file("data"), train: 300, test: 50)
        let run = try ExperimentRun(paper: LeNetExperiment.id, preset: "quick", seed: 2, epochs: 2,
                                    dataDirectory: dir.file("data"), root: dir.file("runs"))
        let summary = try run.writeSummary(try LeNetExperiment.run(run))
        #expect(summary["epochs"] == 2 && summary["steps"] != nil)
        #expect((0...1).contains(summary["test_accuracy"] ?? -1) && summary["best_test_accuracy"] != nil)
        for file in ["config.json", "metrics.jsonl", "summary.json", "plots/accuracy.png", "plots/loss.png",
                     "plots/train_steps.png", "samples/confusion_matrix.png", "checkpoints/best.safetensors",
                     "checkpoints/last.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(run.directory)/\(file)"), "\(file)")
        }
        // A diverged checkpoint is named by `eval`, not scored.
        var g = Generator(seed: 0)
        let model = LeNetModel(try LeNetRecipe.preset("quick").model, generator: &g)
        model.parameters()[0].data[0] = .nan
        let copy = dir.file("diverged")
        try FileManager.default.copyItem(atPath: run.directory, toPath: copy)
        for name in ["best", "last"] { try Checkpoint.save(modules: ["model": model], to: "\(copy)/checkpoints/\(name).safetensors") }
        do {
            _ = try LeNetExperiment.evaluate(runDirectory: copy, dataDirectory: dir.file("data"))
            Issue.record("a checkpoint holding NaN was evaluated")
        } catch let error as RunError {
            #expect(error.description.contains("NaN or infinite"), "\(error)")
        }
        // Nothing left to do: a resume of the finished run is refused and keeps its summary.
        run.close()
        do {
            _ = try LeNetExperiment.run(try ExperimentRun(resuming: run.directory))
            Issue.record("a finished run was resumed")
        } catch let error as RunError {
            #expect(error.description.contains("nothing left to do"), "\(error)")
        }
    }

    @Test func resumeIsBitIdentical() throws {
        let dir = TemporaryDirectory("lenet-resume")
        try writeSyntheticFashionMNIST(to: dir.file("data"), train: 300, test: 50)
        // quick: batch 64 with drop_last, so 4 steps per epoch; stop in the middle of epoch 2.
        let differences = try resumeDifferences(LeNetExperiment.self, preset: "quick", epochs: 3,
                                                dataDirectory: dir.file("data"), stopAfterStep: 6, root: dir.file("runs"))
        #expect(differences.isEmpty, "\(differences)")
    }
}
