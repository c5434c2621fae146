// `workbench run inception`: GoogLeNet trained on Fashion-MNIST with the paper's recipe adapted
// (SGD with momentum, staircase learning-rate decay, auxiliary losses at weight 0.3), data-parallel
// when run by workbench-mpi.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

public enum InceptionExperiment: PaperExperiment {
    public static let id = "inception"
    public static let title = "GoogLeNet / Inception — Szegedy et al. 2014, arXiv:1409.4842"
    public static var presets: [(name: String, summary: String)] { Recipe.all.map { ($0.name, $0.summary) } }
    public static let defaultPreset = "fashion"
    public static let datasets = ["fashion-mnist"]
    public static let supportsDataParallel = true

    public static func registerFixtures() { InceptionFixtures.register() }

    public static func importModules(preset: String, model: FixtureConfig?) throws -> ImportedModules {
        var recipe = try Recipe.preset(preset)
        if let model { recipe.model = try GoogLeNetConfig(model) }
        var g = Generator(seed: 0)
        return ImportedModules(hyperparameters: recipe.hyperparameters, modules: ["model": GoogLeNet(recipe.model, generator: &g)])
    }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        let recipe = try Recipe.preset(run.preset)
        let epochs = run.epochs ?? recipe.epochs
        var hyper = recipe.hyperparameters
        hyper["epochs"] = .int(epochs)
        try run.writeConfig(hyper)

        let train = try FashionMNIST.load(split: .train, dataDirectory: run.dataDirectory)
        let test = try FashionMNIST.load(split: .test, dataDirectory: run.dataDirectory)

        // Every process builds the same model and global batches and trains on its own rows of
        // each batch (docs/DISTRIBUTED.md); dropout masks differ per process.
        let parallel = run.parallel
        _ = try parallel.microBatchSize(globalBatch: recipe.batchSize)
        var g = Generator(seed: run.seed)
        let dropoutSeed = g.next()
        let model = GoogLeNet(recipe.model, generator: &g, dropoutSeed: parallel.rankSeed(dropoutSeed))
        let optimizer = SGD(model.parameters(), lr: recipe.learningRate, momentum: recipe.momentum,
                            weightDecay: recipe.weightDecay)
        let totalSteps = train.count / recipe.batchSize * epochs
        if run.isMain {
            print("GoogLeNet \(run.preset): \(model.inferenceParameterCount) parameters at inference, "
                  + "\(model.parameterCount) with the auxiliary heads; \(epochs) epochs of \(totalSteps / epochs) steps")
        }

        let loop = TrainingLoop(run, epochs: epochs, modules: ["model": model], optimizers: ["optimizer": optimizer],
                                generators: { ["dropout": model.random.generator] }, metric: "test_accuracy")
        if let saved = try loop.restore(), let dropout = saved["dropout"] {
            // The checkpoint holds the main process's dropout stream; the others start one of their own.
            model.random.generator = run.isMain ? dropout : Generator(seed: parallel.rankSeed(dropoutSeed &+ UInt64(loop.epoch)))
        }
        loop.showClassifierCurves(title: "GoogLeNet on Fashion-MNIST (\(run.preset))")
        let times = run.times
        var last: ClassifierEvaluation?
        try loop.fit(batches: { epoch in
            model.train()
            return ImageBatches(train, batchSize: recipe.batchSize, shuffle: true, seed: run.seed, epoch: epoch,
                                dropLast: true, augmentation: recipe.augmentation, normalization: .fashionMNIST)
        }, step: { batch, ctx in
            let (x, y) = ctx.shard(batch.x, batch.y)
            optimizer.lr = recipe.learningRate(step: ctx.step, totalSteps: totalSteps)
            times.measure("optimizer") { optimizer.zeroGrad() }
            let out = times.measure("forward") { model(x) }
            let loss = times.measure("forward") { model.loss(out, target: y) }
            times.measure("backward") { loss.backward() }
            let stats = ctx.averageGradients(model.parameters(), StepStats(
                ["train_loss": Double(loss.item()), "train_accuracy": out.logits.accuracy(y)], weight: Double(y.count)))
            times.measure("optimizer") { optimizer.step() }
            return stats
        }, evaluate: { epoch in
            let eval = try ClassifierEvaluation.epoch(epoch, of: run, model, on: test, batchSize: recipe.evalBatchSize) { model($0).logits }
            last = eval
            try eval.writeSampleGrid(test, png: run.samplesDirectory + "/test_predictions.png",
                                     labels: run.samplesDirectory + "/test_predictions.txt")
            return eval.epochMetrics.merging(["lr": Double(optimizer.lr)]) { $1 }
        })

        var summary = loop.summary
        summary["parameters"] = Double(model.inferenceParameterCount)
        if let last { summary.merge(last.perClass) { $1 } }
        return summary
    }
}
