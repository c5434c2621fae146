// `workbench run lenet`: LeNet-5 trained on Fashion-MNIST. Data -> train (SGD with momentum,
// cross-entropy) -> evaluate on the test set after every epoch -> curves, checkpoints, summary.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

public enum LeNetExperiment: PaperExperiment {
    public static let id = "lenet"
    public static let title = "LeNet-5 — LeCun, Bottou, Bengio, Haffner 1998, Gradient-based learning applied to document recognition"
    public static var presets: [(name: String, summary: String)] { LeNetRecipe.all.map { ($0.name, $0.summary) } }
    public static let defaultPreset = "quick"
    public static let datasets = ["fashion-mnist"]
    public static let supportsDataParallel = true

    public static func registerFixtures() { LeNetFixtures.register() }

    public static func importModules(preset: String, model: FixtureConfig?) throws -> ImportedModules {
        var recipe = try LeNetRecipe.preset(preset)
        if let model { recipe.model = try LeNetConfig(model) }
        var g = Generator(seed: 0)
        return ImportedModules(hyperparameters: recipe.hyperparameters, modules: ["model": LeNetModel(recipe.model, generator: &g)])
    }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        let recipe = try LeNetRecipe.preset(run.preset)
        let epochs = run.epochs ?? recipe.epochs
        var hyper = recipe.hyperparameters
        hyper["epochs"] = .int(epochs)
        try run.writeConfig(hyper)

        var train = try FashionMNIST.load(split: .train, dataDirectory: run.dataDirectory)
        if let limit = recipe.trainLimit { train = train.prefix(limit) }
        let test = try FashionMNIST.load(split: .test, dataDirectory: run.dataDirectory)

        _ = try run.parallel.microBatchSize(globalBatch: recipe.batchSize)
        var g = Generator(seed: run.seed)
        let model = LeNetModel(recipe.model, generator: &g)
        let optimizer = SGD(model.parameters(), lr: recipe.learningRate, momentum: recipe.momentum,
                            weightDecay: recipe.weightDecay)
        if run.isMain {
            print("LeNet-5 \(run.preset): \(model.effectiveParameterCount) parameters in use "
                  + "(\(model.parameterCount) stored, Table I masks the rest); \(epochs) epochs of "
                  + "\(train.count / recipe.batchSize) steps on \(train.count) images")
        }

        let loop = TrainingLoop(run, epochs: epochs, modules: ["model": model], optimizers: ["optimizer": optimizer],
                                metric: "test_accuracy")
        loop.showClassifierCurves(title: "LeNet-5 on Fashion-MNIST (\(run.preset))")
        let times = run.times
        var last: ClassifierEvaluation?
        try loop.fit(batches: { epoch in
            model.train()
            optimizer.lr = recipe.learningRate(epoch: epoch, of: epochs)
            return ImageBatches(train, batchSize: recipe.batchSize, shuffle: true, seed: run.seed, epoch: epoch,
                                dropLast: true, normalization: .fashionMNIST)
        }, step: { batch, ctx in
            let (x, y) = ctx.shard(batch.x, batch.y)    // this process's rows (all of them in one process)
            times.measure("optimizer") { optimizer.zeroGrad() }
            let logits = times.measure("forward") { model(x) }
            let loss = times.measure("forward") { F.crossEntropy(logits, target: y) }
            times.measure("backward") { loss.backward() }
            let stats = ctx.averageGradients(model.parameters(), StepStats(
                ["train_loss": Double(loss.item()), "train_accuracy": logits.accuracy(y)], weight: Double(y.count)))
            times.measure("optimizer") { optimizer.step() }
            return stats
        }, evaluate: { epoch in
            let eval = try ClassifierEvaluation.epoch(epoch, of: run, model, on: test, batchSize: recipe.evalBatchSize) { model($0) }
            last = eval
            return eval.epochMetrics.merging(["lr": Double(optimizer.lr)]) { $1 }
        })

        var summary = loop.summary
        summary["parameters"] = Double(model.effectiveParameterCount)
        if let last { summary.merge(last.perClass) { $1 } }
        return summary
    }
}
