// `workbench run inception`: GoogLeNet trained on Fashion-MNIST with the paper's recipe adapted
// (SGD with momentum, staircase learning-rate decay, auxiliary losses at weight 0.3).
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

public enum InceptionExperiment: PaperExperiment {
    public static let id = "inception"
    public static let title = "GoogLeNet / Inception — Szegedy et al. 2014, arXiv:1409.4842"
    public static var presets: [(name: String, summary: String)] { Recipe.presets }
    public static let defaultPreset = "fashion"
    public static let datasets = ["fashion-mnist"]
    public static let supportsDataParallel = true

    public static func registerFixtures() { InceptionFixtures.register() }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        let recipe = try Recipe.preset(run.preset)
        let epochs = run.epochs ?? recipe.epochs
        var hyper = recipe.json
        hyper["epochs"] = .int(epochs)
        try run.writeConfig(hyper)

        let train = try FashionMNIST.load(split: .train, dataDirectory: run.dataDirectory)
        let test = try FashionMNIST.load(split: .test, dataDirectory: run.dataDirectory)

        // Data parallelism (one process unless run by workbench-mpi): every rank builds the same
        // model and global batches and trains on its own rows of each batch; see docs/DISTRIBUTED.md.
        let parallel = run.parallel
        _ = try parallel.microBatchSize(globalBatch: recipe.batchSize)
        var g = Generator(seed: run.seed)
        let dropoutSeed = g.next()
        let model = GoogLeNet(recipe.model, generator: &g, dropoutSeed: parallel.rankSeed(dropoutSeed))
        let optimizer = SGD(model.parameters(), lr: recipe.learningRate, momentum: recipe.momentum,
                            weightDecay: recipe.weightDecay)
        let stepsPerEpoch = train.count / recipe.batchSize
        let totalSteps = stepsPerEpoch * epochs
        if run.isMain {
            print("GoogLeNet \(run.preset): \(model.inferenceParameterCount) parameters at inference, "
                  + "\(model.parameterCount) with the auxiliary heads; \(epochs) epochs of \(stepsPerEpoch) steps"
                  + (parallel.worldSize > 1 ? "; \(parallel.worldSize) processes of \(recipe.batchSize / parallel.worldSize) images per step" : ""))
        }

        var start = 0, step = 0
        var best = -Double.infinity
        if let (generators, state) = try run.restoreCheckpoint(modules: ["model": model], optimizers: ["optimizer": optimizer]) {
            if let dropout = generators["dropout"] {
                // The checkpoint holds rank 0's dropout stream; other ranks start a fresh one of their own.
                model.random.generator = parallel.isMain ? dropout : Generator(seed: parallel.rankSeed(dropoutSeed &+ UInt64(state.epoch + 1)))
            }
            start = state.epoch + 1
            step = state.step
            best = state.bestMetric ?? best
        }
        parallel.broadcast(model.parameters() + model.namedBuffers().map(\.1))

        var last: ClassifierEvaluation?
        var epochsDone = start
        var stop = false
        for epoch in start..<epochs {
            let batches = ImageBatches(train, batchSize: recipe.batchSize, shuffle: true, seed: run.seed, epoch: epoch,
                                       dropLast: true, augmentation: recipe.augmentation, normalization: .fashionMNIST)
            let bar = run.progress("epoch \(epoch + 1)/\(epochs)", total: batches.count)
            var lossSum = 0.0, correct = 0.0, seen = 0.0
            var windowLoss = 0.0, windowSteps = 0
            let clock = ContinuousClock.now
            let allReduceBefore = parallel.allReduceSeconds
            model.train()
            let times = run.times
            for (i, (batchX, batchY)) in times.timed(batches).enumerated() {
                let (x, y) = times.measure("data") { parallel.shard(batchX, batchY) }
                optimizer.lr = recipe.learningRate(step: step, totalSteps: totalSteps)
                times.measure("optimizer") { optimizer.zeroGrad() }
                let out = times.measure("forward") { model(x) }
                let loss = times.measure("forward") { model.loss(out, target: y) }
                times.measure("backward") { loss.backward() }
                // Gradients averaged over ranks; the loss, accuracy counts and a stop request
                // are summed in the same collective, so every rank sees the global batch's values.
                let hits = zip(out.logits.argmax(dim: 1).data, y.data).filter { $0 == $1 }.count
                let sums = times.measure("allreduce") {
                    parallel.averageGradients(model.parameters(), sum: [
                        Double(loss.item()), Double(hits), Double(y.count), run.stopRequested ? 1 : 0,
                    ])
                }
                let globalLoss = sums[0] / Double(parallel.worldSize)
                try run.checkFinite(Float(globalLoss), "loss")
                times.measure("optimizer") { optimizer.step() }
                step += 1
                lossSum += globalLoss * sums[2]
                correct += sums[1]
                seen += sums[2]
                stop = sums[3] > 0
                bar.update(i + 1, info: String(format: "loss %.3f  acc %.3f  lr %.4f", lossSum / seen,
                                               correct / seen, optimizer.lr))
                // A training curve within epochs too (the quick preset has one epoch).
                windowLoss += globalLoss
                windowSteps += 1
                if windowSteps == 20 {
                    try run.log(epoch: epoch + 1, step: step, ["batch_loss": windowLoss / 20])
                    windowLoss = 0
                    windowSteps = 0
                    if step % 100 == 0 {
                        try run.plot("train_steps", title: "GoogLeNet training loss (\(run.preset), mean of 20 steps)",
                                     x: "step", series: ["batch_loss"], yLabel: "training loss")
                    }
                }
                // A stop mid-epoch keeps the last epoch-end checkpoint, so that a resumed run
                // repeats this epoch exactly as an uninterrupted run would.
                if stop { break }
            }
            bar.finish()
            if stop { break }
            let trainSeconds = (ContinuousClock.now - clock).inSeconds
            let steps = Double(max(batches.count, 1))
            epochsDone = epoch + 1
            // Rank 0 evaluates on the whole test set and writes everything; the other ranks go on
            // to the next epoch and wait for it in the first gradient average.
            guard run.isMain else { continue }
            let eval = times.measure("evaluation") { ClassifierEvaluation.run(model, on: test, batchSize: recipe.evalBatchSize) { model($0).logits } }
            last = eval
            let isBest = eval.accuracy > best
            if isBest { best = eval.accuracy }
            print(String(format: "epoch %d: train loss %.4f, train accuracy %.4f, test loss %.4f, test accuracy %.4f%@",
                         epoch + 1, lossSum / seen, correct / seen, eval.loss, eval.accuracy,
                         isBest ? " (best)" : ""))
            var record: [String: Double] = [
                "train_loss": lossSum / seen, "train_accuracy": correct / seen,
                "test_loss": eval.loss, "test_accuracy": eval.accuracy, "lr": Double(optimizer.lr),
                "ms_per_step": trainSeconds * 1000 / steps,
                "images_per_second": seen / max(trainSeconds, 1e-9),
            ]
            if parallel.worldSize > 1 {
                let allReduceMs = (parallel.allReduceSeconds - allReduceBefore) * 1000 / steps
                record["processes"] = Double(parallel.worldSize)
                record["allreduce_ms_per_step"] = allReduceMs
                print(String(format: "  %d processes: %.1f images/s, %.1f ms per step of which %.1f ms in the gradient allreduce (%.2f MB)",
                             parallel.worldSize, seen / max(trainSeconds, 1e-9), trainSeconds * 1000 / steps, allReduceMs,
                             Double(parallel.floatsPerStep * 4) / 1e6))
            }
            try run.log(epoch: epoch + 1, step: step, record)
            try run.plot("train_steps", title: "GoogLeNet training loss (\(run.preset), mean of 20 steps)",
                         x: "step", series: ["batch_loss"], yLabel: "training loss")
            try run.plot("accuracy", title: "GoogLeNet on Fashion-MNIST (\(run.preset))", x: "epoch",
                         series: ["train_accuracy", "test_accuracy"], yLabel: "accuracy")
            try run.plot("loss", title: "GoogLeNet on Fashion-MNIST (\(run.preset))", x: "epoch",
                         series: ["train_loss", "test_loss"], yLabel: "cross-entropy")
            try eval.confusion.writePNG(to: run.samplesDirectory + "/confusion_matrix.png",
                                        title: "Test confusion matrix, epoch \(epoch + 1)")
            try eval.writeSampleGrid(test, png: run.samplesDirectory + "/test_predictions.png",
                                     labels: run.samplesDirectory + "/test_predictions.txt")
            try run.saveCheckpoint(modules: ["model": model], optimizers: ["optimizer": optimizer],
                                   generators: ["dropout": model.random.generator],
                                   state: TrainingState(epoch: epoch, step: step, bestMetric: best), isBest: isBest)
        }

        var summary: [String: Double] = ["epochs": Double(epochsDone), "best_test_accuracy": best,
                                         "parameters": Double(model.inferenceParameterCount)]
        if let last {
            summary["test_accuracy"] = last.accuracy
            summary.merge(last.perClass) { $1 }
        } else if let record = run.records.last, let acc = record["test_accuracy"] {
            summary["test_accuracy"] = acc
        }
        return summary
    }
}
