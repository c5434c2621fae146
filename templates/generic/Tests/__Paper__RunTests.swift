// __Paper__'s reference experiment end to end: the run directory, learning (the held-out loss
// falls), and a stopped-then-resumed run that ends bit-identical to an uninterrupted one.
import Foundation
import Testing
import WorkbenchNN
import WorkbenchRun
import WorkbenchTesting
import __Paper__

@Suite struct __Paper__RunTests {
    @Test func quickRunLearns() throws {
        let dir = TemporaryDirectory("__paper__-run")
        let run = try ExperimentRun(paper: __Paper__Experiment.id, preset: "quick", seed: 2, epochs: 3,
                                    dataDirectory: nil, root: dir.file("runs"))
        let summary = try run.writeSummary(try __Paper__Experiment.run(run))
        #expect(summary["epochs"] == 3)
        for file in ["config.json", "metrics.jsonl", "summary.json", "plots/loss.png", "plots/train_steps.png",
                     "checkpoints/best.safetensors", "checkpoints/last.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(run.directory)/\(file)"), "\(file)")
        }
        let losses = run.records.compactMap { $0["epoch"] != nil ? $0["valid_loss"] : nil }
        #expect(losses.count == 3 && losses.last! < losses.first!, "\(losses)")
    }

    @Test func resumeIsBitIdentical() throws {
        let dir = TemporaryDirectory("__paper__-resume")
        // quick: 4,096 examples in batches of 64, so 64 steps per epoch; stop in the middle of epoch 2.
        let differences = try resumeDifferences(__Paper__Experiment.self, preset: "quick", epochs: 3,
                                                stopAfterStep: 100, root: dir.file("runs"))
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
