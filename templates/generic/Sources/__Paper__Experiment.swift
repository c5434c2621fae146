// `workbench run __paper__`: the reference experiment. Data -> train (Adam, mean squared error) ->
// evaluate on held-out examples after every epoch -> curves, checkpoints, summary. The shared
// TrainingLoop does the rest: resume, Ctrl-C, the NaN guard, logging, plots and checkpoints.
import Foundation
import WorkbenchNN
import WorkbenchRun

public enum __Paper__Experiment: PaperExperiment {
    public static let id = "__paper__"
    public static let title = "__TITLE__"
    public static var presets: [(name: String, summary: String)] { __Paper__Recipe.all.map { ($0.name, $0.summary) } }
    public static let defaultPreset = "quick"
    public static let datasets: [String] = []

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

        let train = __Paper__Data(recipe.model, count: recipe.trainCount, noise: recipe.noise, seed: run.seed, split: 0)
        let valid = __Paper__Data(recipe.model, count: recipe.validCount, noise: recipe.noise, seed: run.seed, split: 1)
        var g = Generator(seed: run.seed &+ 2)
        let model = __Paper__Model(recipe.model, generator: &g)
        let optimizer = Adam(model.parameters(), lr: recipe.learningRate)
        print("__Paper__ \(run.preset): \(model.parameterCount) parameters; \(epochs) epochs on \(train.count) examples")

        let loop = TrainingLoop(run, epochs: epochs, modules: ["model": model], optimizers: ["optimizer": optimizer],
                                metric: "valid_loss", higherIsBetter: false)
        loop.plots = [PlotSpec("loss", title: "__Paper__ (\(run.preset))", series: ["train_loss", "valid_loss"], yLabel: "mean squared error")]
        try loop.fit(batches: { epoch in
            train.batches(batchSize: recipe.batchSize, seed: run.seed, epoch: epoch)
        }, step: { batch, _ in
            optimizer.zeroGrad()
            let loss = F.mseLoss(model(batch.x), target: batch.y)
            loss.backward()
            optimizer.step()
            return StepStats(["train_loss": Double(loss.item())], weight: Double(batch.x.shape[0]))
        }, evaluate: { _ in
            ["valid_loss": Double(withNoGrad { F.mseLoss(model(valid.x), target: valid.y) }.item())]
        })

        var summary = loop.summary
        summary["parameters"] = Double(model.parameterCount)
        return summary
    }
}
