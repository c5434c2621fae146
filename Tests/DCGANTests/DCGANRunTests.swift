// DCGAN's run end to end on a tiny synthetic Fashion-MNIST (the quick preset, whose limits leave
// the whole tiny set in use): the run directory, a refused resume of a finished run, and a
// stopped-then-resumed run that ends bit-identical to an uninterrupted one.
import Foundation
import Testing
import DCGAN
import WorkbenchRun
import WorkbenchTesting

@Suite struct DCGANRunTests {
    /// 320 training images (5 steps of 64 per epoch), 200 test images (FID on 200 samples).
    static func data(_ dir: TemporaryDirectory) throws -> String {
        try writeSyntheticFashionMNIST(to: dir.file("data"), train: 320, test: 200)
        return dir.file("data")
    }

    @Test func quickRunWritesItsDirectory() throws {
        let dir = TemporaryDirectory("dcgan-run")
        let run = try ExperimentRun(paper: DCGAN.id, preset: "quick", seed: 2, epochs: 2, dataDirectory: try Self.data(dir),
                                    root: dir.file("runs"))
        let summary = try run.writeSummary(try DCGAN.run(run))
        #expect(summary["epochs"] == 2 && summary["steps"] == 10)
        for key in ["fid", "best_fid", "fid_floor", "fid_classifier_accuracy", "probe_accuracy_dcgan_d",
                    "probe_accuracy_random_d", "probe_accuracy_pixels"] {
            #expect(summary[key]?.isFinite == true, "\(key): \(String(describing: summary[key]))")
        }
        #expect(summary["probe_feature_count"] == Double((32 + 64 + 128) * 16))
        for file in ["config.json", "metrics.jsonl", "summary.json", "plots/losses.png", "plots/d_outputs.png", "plots/fid.png",
                     "plots/train_steps.png", "samples/epoch_001.png", "samples/epoch_002.png", "samples/final.png",
                     "samples/interpolation.png", "checkpoints/best.safetensors", "checkpoints/last.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(run.directory)/\(file)"), "\(file)")
        }
        // `sample` reads the run's generator (best, else last).
        try DCGAN.sample(checkpoint: run.directory, count: 10, seed: 0, to: dir.file("grid.png"))
        #expect(FileManager.default.fileExists(atPath: dir.file("grid.png")))
        // Nothing left to do: a resume of the finished run is refused and keeps its summary.
        run.close()
        do {
            _ = try DCGAN.run(try ExperimentRun(resuming: run.directory))
            Issue.record("a finished run was resumed")
        } catch let error as RunError {
            #expect(error.description.contains("nothing left to do"), "\(error)")
        }
    }

    @Test func resumeIsBitIdentical() throws {
        let dir = TemporaryDirectory("dcgan-resume")
        // 5 steps per epoch: stop in the middle of epoch 2.
        let differences = try resumeDifferences(DCGAN.self, preset: "quick", epochs: 3, dataDirectory: try Self.data(dir),
                                                stopAfterStep: 7, root: dir.file("runs"))
        #expect(differences.isEmpty, "\(differences)")
    }
}
