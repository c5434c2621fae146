// `workbench run __paper__`: the reference experiment. Data -> train (SGD with momentum) ->
// evaluate on the test set after every epoch -> curves, checkpoints, summary. The shared
// TrainingLoop does the rest: resume, Ctrl-C, the NaN guard, logging, plots and checkpoints.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

public enum __Paper__Experiment: PaperExperiment {
    public static let id = "__paper__"
    public static let title = "__TITLE__"
    public static var presets: [(name: String, summary: String)] { __Paper__Recipe.all.map { ($0.name, $0.summary) } }
    public static let defaultPreset = "quick"
    public static let datasets = ["fashion-mnist"]
    public static let supportsDataParallel = true

    public static func registerFixtures() { __Paper__Fixtures.register() }

    /// `workbench import`: the module a PyTorch state dict of this paper's model fills.
    public static func importModules(preset: String, model: FixtureConfig?) throws -> ImportedModules {
        var recipe = try __Paper__Recipe.named(preset, in: __Paper__Recipe.all, paper: id)
        if let model { recipe.model = try __Paper__Config(model) }
        var g = Generator(seed: 0)
        return ImportedModules(hyperparameters: recipe.hyperparameters, modules: ["model": __Paper__Model(recipe.model, generator: &g)])
    }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        let recipe = try __Paper__Recipe.named(run.preset, in: __Paper__Recipe.all, paper: id)
        let epochs = run.epochs ?? recipe.epochs
        var hyper = recipe.hyperparameters
        hyper["epochs"] = .int(epochs)
        try run.writeConfig(hyper)

        var train = try FashionMNIST.load(split: .train, dataDirectory: run.dataDirectory)
        if let limit = recipe.trainLimit { train = train.prefix(limit) }
        let test = try FashionMNIST.load(split: .test, dataDirectory: run.dataDirectory)

        _ = try run.parallel.microBatchSize(globalBatch: recipe.batchSize)
        var g = Generator(seed: run.seed)
        let model = __Paper__Model(recipe.model, generator: &g)
        let optimizer = SGD(model.parameters(), lr: recipe.learningRate, momentum: recipe.momentum,
                            weightDecay: recipe.weightDecay)
        if run.isMain {
            print("__Paper__ \(run.preset): \(model.parameterCount) parameters; \(epochs) epochs of "
                  + "\(train.count / recipe.batchSize) steps on \(train.count) images")
        }

        let loop = TrainingLoop(run, epochs: epochs, modules: ["model": model], optimizers: ["optimizer": optimizer],
                                metric: "test_accuracy")
        loop.showClassifierCurves(title: "__Paper__ on Fashion-MNIST (\(run.preset))")
        var last: ClassifierEvaluation?
        try loop.fit(batches: { epoch in
            model.train()
            return ImageBatches(train, batchSize: recipe.batchSize, shuffle: true, seed: run.seed, epoch: epoch,
                                dropLast: true, normalization: .fashionMNIST)
        }, step: { batch, ctx in
            let (x, y) = ctx.shard(batch.x, batch.y)    // this process's rows (all of them in one process)
            optimizer.zeroGrad()
            let logits = model(x)
            let loss = F.crossEntropy(logits, target: y)
            loss.backward()
            let stats = ctx.averageGradients(model.parameters(), StepStats(
                ["train_loss": Double(loss.item()), "train_accuracy": logits.accuracy(y)], weight: Double(y.count)))
            optimizer.step()
            return stats
        }, evaluate: { epoch in
            let eval = try ClassifierEvaluation.epoch(epoch, of: run, model, on: test, batchSize: recipe.evalBatchSize) { model($0) }
            last = eval
            return eval.epochMetrics
        })

        var summary = loop.summary
        summary["parameters"] = Double(model.parameterCount)
        if let last { summary.merge(last.perClass) { $1 } }
        return summary
    }
}
