// __Paper__'s reference experiment end to end on a tiny synthetic Fashion-MNIST: the run
// directory, and a stopped-then-resumed run that ends bit-identical to an uninterrupted one.
import Foundation
import Testing
import WorkbenchNN
import WorkbenchRun
import WorkbenchTesting
import __Paper__

@Suite struct __Paper__RunTests {
    @Test func quickRunWritesItsDirectory() throws {
        let dir = TemporaryDirectory("__paper__-run")
        try writeSyntheticFashionMNIST(to: dir.file("data"), train: 300, test: 50)
        let run = try ExperimentRun(paper: __Paper__Experiment.id, preset: "quick", seed: 2, epochs: 2,
                                    dataDirectory: dir.file("data"), root: dir.file("runs"))
        let summary = try run.writeSummary(try __Paper__Experiment.run(run))
        #expect(summary["epochs"] == 2)
        #expect((0...1).contains(summary["test_accuracy"] ?? -1))
        for file in ["config.json", "metrics.jsonl", "summary.json", "plots/accuracy.png", "plots/loss.png",
                     "plots/train_steps.png", "samples/confusion_matrix.png", "checkpoints/best.safetensors",
                     "checkpoints/last.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(run.directory)/\(file)"), "\(file)")
        }
    }

    @Test func resumeIsBitIdentical() throws {
        let dir = TemporaryDirectory("__paper__-resume")
        try writeSyntheticFashionMNIST(to: dir.file("data"), train: 300, test: 50)
        // quick: batch 64 with drop_last, so 4 steps per epoch; stop in the middle of epoch 2.
        let differences = try resumeDifferences(__Paper__Experiment.self, preset: "quick", epochs: 3,
                                                dataDirectory: dir.file("data"), stopAfterStep: 6, root: dir.file("runs"))
        #expect(differences.isEmpty, "\(differences)")
    }

    /// `workbench import` takes the run's own weights back as a new run directory.
    @Test func importedWeightsMakeARun() throws {
        let dir = TemporaryDirectory("__paper__-import")
        var g = Generator(seed: 1)
        let model = __Paper__Model(try __Paper__Recipe.named("quick", in: __Paper__Recipe.all, paper: __Paper__Experiment.id).model, generator: &g)
        try Checkpoint.save(modules: ["": model], to: dir.file("state_dict.safetensors"))
        let run = try RunImport.make(__Paper__Experiment.self, stateDict: dir.file("state_dict.safetensors"), preset: "quick",
                                     modelConfig: nil, root: dir.file("runs"))
        let copy = __Paper__Model(try __Paper__Recipe.named("quick", in: __Paper__Recipe.all, paper: __Paper__Experiment.id).model, generator: &g)
        _ = try Checkpoint.load(from: run.lastCheckpointPath, modules: ["model": copy])
        #expect(copy.stateDict().map(\.1.data) == model.stateDict().map(\.1.data))
    }
}
