// The reference experiment end to end on a tiny synthetic MNIST-format data set: run directory
// contents, summary metrics, `eval` and `predict` on the result.
import Foundation
import Testing
import WorkbenchData
import WorkbenchRun
import WorkbenchTesting
import Inception

@Suite struct ExperimentTests {
    @Test func quickRunEvalAndPredict() throws {
        let root = NSTemporaryDirectory() + "inception-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (split, count) in [("train", 256), ("t10k", 70)] {
            let data = syntheticImages(count: count, seed: UInt64(count))
            try IDX.write(IDXArray(dataType: .uint8, shape: [count, 28, 28], bytes: data.pixels),
                          to: "\(root)/\(split)-images-idx3-ubyte")
            try IDX.write(IDXArray(dataType: .uint8, shape: [count], bytes: data.labels.data.map { UInt8($0) }),
                          to: "\(root)/\(split)-labels-idx1-ubyte")
        }
        let run = try ExperimentRun(paper: "inception", preset: "quick", seed: 3, epochs: 1, dataDirectory: root,
                                    root: root + "/runs")
        let summary = try InceptionExperiment.run(run)
        #expect(summary["epochs"] == 1)
        #expect((0...1).contains(summary["test_accuracy"] ?? -1))
        #expect(summary.keys.filter { $0.hasPrefix("test_accuracy_") }.count == 10)
        #expect(summary["test_accuracy_ankle_boot"] != nil && summary["test_accuracy_t_shirt_top"] != nil)
        for file in ["config.json", "metrics.jsonl", "plots/accuracy.png", "plots/loss.png", "samples/confusion_matrix.png",
                     "samples/test_predictions.png", "samples/test_predictions.txt", "checkpoints/best.safetensors",
                     "checkpoints/last.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(run.directory)/\(file)"), "\(file)")
        }
        let labels = try String(contentsOfFile: run.directory + "/samples/test_predictions.txt", encoding: .utf8)
        #expect(labels.split(separator: "\n").count == 65)

        let metrics = try InceptionExperiment.evaluate(runDirectory: run.directory, dataDirectory: root)
        #expect(metrics["test_accuracy"] == summary["test_accuracy"])

        let image = ImageGrid.image(syntheticImages(count: 1, seed: 70).images(at: [0]).reshape([1, 28, 28]))  // grey
        let big = Bitmap(width: 56, height: 40, channels: 3, pixels: [UInt8](repeating: 200, count: 56 * 40 * 3))
        for (name, bitmap) in [("small.png", image), ("big.png", big)] as [(String, Bitmap)] {
            try bitmap.writePNG(to: "\(root)/\(name)")
            let top = try InceptionExperiment.predict(runDirectory: run.directory, imagePath: "\(root)/\(name)", top: 3)
            #expect(top.count == 3 && top[0].probability >= top[1].probability && top[1].probability >= top[2].probability)
            #expect(Set(top.map { $0.label }).isSubset(of: FashionMNIST.classNames))
        }
        try "not an image".write(toFile: "\(root)/note.png", atomically: true, encoding: .utf8)
        #expect(throws: RunError.self) { try InceptionExperiment.predict(runDirectory: run.directory, imagePath: "\(root)/note.png", top: 3) }
        #expect(throws: RunError.self) { try InceptionExperiment.predict(runDirectory: run.directory, imagePath: "\(root)/missing.png", top: 3) }
        #expect(throws: RunError.self) { try InceptionExperiment.evaluate(runDirectory: root, dataDirectory: root) }
    }

    /// A run stopped mid-way through epoch 2 and resumed ends bit-identical to an uninterrupted one
    /// (weights, momentum, the dropout stream, metrics); the finished run's resume is refused.
    @Test func resumeIsBitIdentical() throws {
        let dir = TemporaryDirectory("inception-resume")
        try writeSyntheticFashionMNIST(to: dir.file("data"), train: 256, test: 40)
        // quick: batch 128, 2 steps per epoch; stop after step 3.
        let differences = try resumeDifferences(InceptionExperiment.self, preset: "quick", epochs: 2,
                                                dataDirectory: dir.file("data"), stopAfterStep: 3, root: dir.file("runs"))
        #expect(differences.isEmpty, "\(differences)")
        let finished = try FileManager.default.contentsOfDirectory(atPath: dir.file("runs/whole")).first!
        do {
            _ = try InceptionExperiment.run(try ExperimentRun(resuming: dir.file("runs/whole/") + finished))
            Issue.record("a finished run was resumed")
        } catch let error as RunError {
            #expect(error.description.contains("nothing left to do"), "\(error)")
        }
    }
}
