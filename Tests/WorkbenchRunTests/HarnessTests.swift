// The experiment harness: run directory contents, resume bit-identity, NaN guard, reports.
import Foundation
import Testing
import WorkbenchData
import WorkbenchNN
import WorkbenchTesting

/// A tiny experiment with every kind of state a real one has: a model, an optimizer with
/// momentum, a generator used during training, per-epoch metrics and checkpoints.
enum ToyExperiment {
    /// Fits y = 3x - 1 with noise; stops after `stopAfter` epochs when given (as Ctrl-C would).
    static func train(_ run: ExperimentRun, epochs: Int = 4, lr: Float = 0.05, stopAfter: Int? = nil) throws -> [Float] {
        try run.writeConfig(["lr": .double(Double(lr)), "epochs": .int(epochs)])
        var g = Generator(seed: run.seed)
        let model = Linear(1, 1, generator: &g)
        let optimizer = SGD(model.parameters(), lr: lr, momentum: 0.9)
        var start = 0
        if let (generators, state) = try run.restoreCheckpoint(modules: ["model": model], optimizers: ["optimizer": optimizer]) {
            g = generators["train"]!
            start = state.epoch + 1
        }
        for epoch in start..<epochs {
            var total: Float = 0
            for step in 0..<8 {
                let x = Tensor.uniform([16, 1], low: -1, high: 1, generator: &g)
                let y = x * 3 - 1 + Tensor.normal([16, 1], std: 0.1, generator: &g)
                optimizer.zeroGrad()
                let loss = F.mseLoss(model(x), target: y)
                try run.checkFinite(loss.item(), "loss")
                loss.backward()
                optimizer.step()
                total += loss.item()
                try run.log(epoch: epoch + 1, step: epoch * 8 + step + 1, ["loss": Double(loss.item())])
            }
            try run.log(epoch: epoch + 1, ["train_loss": Double(total / 8)])
            try run.saveCheckpoint(modules: ["model": model], optimizers: ["optimizer": optimizer], generators: ["train": g],
                                   state: TrainingState(epoch: epoch, step: (epoch + 1) * 8), isBest: epoch == 0)
            try run.plot("loss", title: "toy loss", x: "epoch", series: ["train_loss"], yLabel: "MSE")
            if let stopAfter, epoch + 1 == stopAfter { break }
        }
        return model.weight.data + model.bias!.data
    }
}

@Suite struct HarnessTests {
    let root = NSTemporaryDirectory() + "workbench-harness-\(UUID().uuidString)"

    func newRun(seed: UInt64 = 5) throws -> ExperimentRun {
        try ExperimentRun(paper: "toy", preset: "quick", seed: seed, epochs: nil, dataDirectory: nil, root: root)
    }

    /// metrics.jsonl without the wall-clock field.
    func metricsWithoutTime(_ dir: String) -> [[String: Double]] {
        RunReport.records(of: dir).map { $0.filter { $0.key != "time" } }
    }

    @Test func runDirectoryHoldsConfigMetricsCheckpointsPlotsAndSummary() throws {
        let run = try newRun()
        _ = try ToyExperiment.train(run)
        let summary = try run.writeSummary(["final_loss": 0.01])
        let fm = FileManager.default
        for file in ["config.json", "metrics.jsonl", "checkpoints/last.safetensors", "checkpoints/best.safetensors",
                     "plots/loss.png", "summary.json"] {
            #expect(fm.fileExists(atPath: run.directory + "/" + file), "missing \(file)")
        }
        let config = try RunReport.config(of: run.directory)
        #expect(config["run"]?["seed"]?.intValue == 5)
        #expect(config["hyperparameters"]?["epochs"]?.intValue == 4)
        #expect(config["run"]?["machine"]?["blas_core"] == .string(BLASKernel.coreName))
        #expect(config["run"]?["machine"]?["cpu"] == .string(Machine.cpuModel))
        #expect(summary["wall_seconds"] != nil && summary["peak_rss_mb"]! > 0)
        #expect(RunReport.records(of: run.directory).count == 4 * 9)
        let png = try Bitmap.readPNG(run.plotsDirectory + "/loss.png")
        #expect(png.width > 100 && png.height > 100)
    }

    @Test func resumedRunIsBitIdenticalToAnUninterruptedOne() throws {
        let full = try ToyExperiment.train(try newRun())
        let fullDir = try #require(try FileManager.default.contentsOfDirectory(atPath: root).first)

        let first = try newRun()
        _ = try ToyExperiment.train(first, stopAfter: 2)
        // An interrupted third epoch: its step records must be dropped on resume.
        try first.log(epoch: 3, step: 17, ["loss": 123])
        first.close()
        let resumed = try ExperimentRun(paper: "toy", preset: "quick", seed: 5, epochs: nil, dataDirectory: nil,
                                        resumeDirectory: first.directory)
        let params = try ToyExperiment.train(resumed)
        #expect(params == full)   // bit-identical, not approximately equal
        #expect(metricsWithoutTime(first.directory) == metricsWithoutTime(root + "/" + fullDir))
    }

    @Test func nonFiniteLossStopsWithTheLastGoodCheckpoint() throws {
        let run = try newRun()
        do {
            _ = try ToyExperiment.train(run, epochs: 50, lr: 3)
            Issue.record("a learning rate of 3 should diverge")
        } catch let RunError.nonFinite(name, checkpoint, finite) {
            #expect(name == "loss")
            #expect(checkpoint == run.lastCheckpointPath)
            #expect(RunError.nonFinite(name: name, lastCheckpoint: checkpoint, checkpointIsFinite: finite).description
                .contains(finite ? "last good checkpoint" : "holds NaN"))
        }
    }

    @Test func resumeOfADirectoryThatIsNotARunFails() throws {
        #expect(throws: RunError.self) {
            try ExperimentRun(paper: "toy", preset: "quick", seed: 0, epochs: nil, dataDirectory: nil, resumeDirectory: root + "/nothing")
        }
    }

    @Test func htmlReportEmbedsPlotsAndCompareDrawsSharedMetrics() throws {
        let a = try newRun(seed: 1), b = try newRun(seed: 2)
        _ = try ToyExperiment.train(a, epochs: 2)
        _ = try ToyExperiment.train(b, epochs: 3)
        _ = try a.writeSummary(["test_accuracy": 0.5])
        let html = try String(contentsOfFile: try RunReport.writeHTML(for: a.directory), encoding: .utf8)
        #expect(html.contains("data:image/png;base64,"))
        #expect(html.contains("test_accuracy"))
        let plots = try RunReport.compare([a.directory, b.directory], into: root + "/compare")
        #expect(plots.map { ($0 as NSString).lastPathComponent }.sorted() == ["loss.png", "train_loss.png"])
    }

    @Test func generatorStateSurvivesACheckpoint() throws {
        let run = try newRun()
        try run.writeConfig([:])
        var g = Generator(seed: 9)
        _ = g.normal()
        let model = Linear(2, 2, generator: &g)
        try run.saveCheckpoint(modules: ["m": model], optimizers: [:], generators: ["g": g], state: TrainingState(epoch: 0, step: 1), isBest: false)
        run.close()
        let resumed = try ExperimentRun(paper: "toy", preset: "quick", seed: 5, epochs: nil, dataDirectory: nil, resumeDirectory: run.directory)
        let restored = try #require(try resumed.restoreCheckpoint(modules: ["m": model], optimizers: [:]))
        var h = restored.generators["g"]!
        #expect(g.normal() == h.normal())
        #expect(restored.state == TrainingState(epoch: 0, step: 1))
    }
}
