// `workbench run lenet`: LeNet-5 trained on Fashion-MNIST. Data -> train (SGD with momentum,
// cross-entropy) -> evaluate on the test set after every epoch -> curves, checkpoints, summary.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

public enum LeNetExperiment: PaperExperiment {
    public static let id = "lenet"
    public static let title = "LeNet-5 — LeCun, Bottou, Bengio, Haffner 1998, Gradient-based learning applied to document recognition"
    public static var presets: [(name: String, summary: String)] { LeNetRecipe.presets }
    public static let defaultPreset = "quick"
    public static let datasets = ["fashion-mnist"]

    public static func registerFixtures() { LeNetFixtures.register() }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        let recipe = try LeNetRecipe.preset(run.preset)
        let epochs = run.epochs ?? recipe.epochs
        var hyper = recipe.json
        hyper["epochs"] = .int(epochs)
        try run.writeConfig(hyper)

        var train = try FashionMNIST.load(split: .train, dataDirectory: run.dataDirectory)
        if let limit = recipe.trainLimit { train = train.prefix(limit) }
        let test = try FashionMNIST.load(split: .test, dataDirectory: run.dataDirectory)

        var g = Generator(seed: run.seed)
        let model = LeNetModel(recipe.model, generator: &g)
        let optimizer = SGD(model.parameters(), lr: recipe.learningRate, momentum: recipe.momentum,
                            weightDecay: recipe.weightDecay)
        print("LeNet-5 \(run.preset): \(model.effectiveParameterCount) parameters in use "
              + "(\(model.parameterCount) stored, Table I masks the rest); \(epochs) epochs of "
              + "\(train.count / recipe.batchSize) steps on \(train.count) images")

        var start = 0, step = 0
        var best = -Double.infinity
        if let (_, state) = try run.restoreCheckpoint(modules: ["model": model], optimizers: ["optimizer": optimizer]) {
            start = state.epoch + 1
            step = state.step
            best = state.bestMetric ?? best
        }

        var last: ClassifierEvaluation?
        var epochsDone = start
        for epoch in start..<epochs {
            let batches = ImageBatches(train, batchSize: recipe.batchSize, shuffle: true, seed: run.seed, epoch: epoch,
                                       dropLast: true, normalization: .fashionMNIST)
            optimizer.lr = recipe.learningRate(epoch: epoch, of: epochs)
            let bar = run.progress("epoch \(epoch + 1)/\(epochs)", total: batches.count)
            var lossSum = 0.0, correct = 0, seen = 0
            let clock = ContinuousClock.now
            model.train()
            let times = run.times
            for (i, (x, y)) in times.timed(batches).enumerated() {
                times.measure("optimizer") { optimizer.zeroGrad() }
                let logits = times.measure("forward") { model(x) }
                let loss = times.measure("forward") { F.crossEntropy(logits, target: y) }
                try run.checkFinite(loss.item(), "loss")
                times.measure("backward") { loss.backward() }
                times.measure("optimizer") { optimizer.step() }
                step += 1
                lossSum += Double(loss.item()) * Double(y.count)
                correct += zip(logits.argmax(dim: 1).data, y.data).filter { $0 == $1 }.count
                seen += y.count
                bar.update(i + 1, info: String(format: "loss %.3f  acc %.3f", lossSum / Double(seen),
                                               Double(correct) / Double(seen)))
                // A stop mid-epoch keeps the last epoch-end checkpoint, so that a resumed run
                // repeats this epoch exactly as an uninterrupted run would.
                if run.stopRequested { break }
            }
            bar.finish()
            if run.stopRequested { break }
            let trainSeconds = (ContinuousClock.now - clock).inSeconds
            let eval = times.measure("evaluation") {
                ClassifierEvaluation.run(model, on: test, batchSize: recipe.evalBatchSize) { model($0) }
            }
            last = eval
            let isBest = eval.accuracy > best
            if isBest { best = eval.accuracy }
            print(String(format: "epoch %d: train loss %.4f, train accuracy %.4f, test loss %.4f, test accuracy %.4f%@",
                         epoch + 1, lossSum / Double(seen), Double(correct) / Double(seen), eval.loss, eval.accuracy,
                         isBest ? " (best)" : ""))
            try run.log(epoch: epoch + 1, step: step, [
                "train_loss": lossSum / Double(seen), "train_accuracy": Double(correct) / Double(seen),
                "test_loss": eval.loss, "test_accuracy": eval.accuracy, "lr": Double(optimizer.lr),
                "images_per_second": Double(seen) / max(trainSeconds, 1e-9),
            ])
            try run.plot("accuracy", title: "LeNet-5 on Fashion-MNIST (\(run.preset))", x: "epoch",
                         series: ["train_accuracy", "test_accuracy"], yLabel: "accuracy")
            try run.plot("loss", title: "LeNet-5 on Fashion-MNIST (\(run.preset))", x: "epoch",
                         series: ["train_loss", "test_loss"], yLabel: "cross-entropy")
            try eval.confusion.writePNG(to: run.samplesDirectory + "/confusion_matrix.png",
                                        title: "Test confusion matrix, epoch \(epoch + 1)")
            try run.saveCheckpoint(modules: ["model": model], optimizers: ["optimizer": optimizer], generators: [:],
                                   state: TrainingState(epoch: epoch, step: step, bestMetric: best), isBest: isBest)
            epochsDone = epoch + 1
        }

        var summary: [String: Double] = ["epochs": Double(epochsDone), "best_test_accuracy": best,
                                         "parameters": Double(model.effectiveParameterCount)]
        if let last {
            summary["test_accuracy"] = last.accuracy
            summary.merge(last.perClass) { $1 }
        } else if let record = run.records.last, let acc = record["test_accuracy"] {
            summary["test_accuracy"] = acc
        }
        return summary
    }
}
