// `workbench run seq2seq`: trains the encoder-decoder with teacher forcing, logs the loss and
// held-out greedy BLEU per epoch, then reports greedy and beam-search BLEU on the test set.
import Foundation
import WorkbenchCore
import WorkbenchNN
import WorkbenchData
import WorkbenchRun

public enum Seq2SeqExperiment: PaperExperiment {
    public static let id = "seq2seq"
    public static let title = "Seq2seq translation — Sutskever et al. 2014 (arXiv:1409.3215), attention: Bahdanau et al. 2014 (arXiv:1409.0473)"
    public static var presets: [(name: String, summary: String)] { Seq2SeqRecipe.all.map { ($0.name, $0.summary) } }
    public static let defaultPreset = "quick"
    public static let datasets = ["en-fr-generated"]

    public static func registerFixtures() { Seq2SeqFixtures.register() }

    /// The model and the vocabularies of `preset` on its generated corpus (seed 0), as `run` builds
    /// them: a PyTorch model trained on that corpus translates with them.
    public static func importModules(preset: String, model: FixtureConfig?) throws -> ImportedModules {
        let recipe = try Seq2SeqRecipe.preset(preset)
        guard model == nil else {
            throw RunError.invalid("seq2seq's model config follows from the preset and its corpus's vocabularies: choose it with --preset, not --config")
        }
        guard !recipe.needsDataDirectory else {
            throw RunError.invalid("preset \(preset) takes its vocabularies from a corpus file; import into a preset on the generated corpus")
        }
        let data = try TranslationData.load(dataPath: nil, trainLimit: recipe.trainLimit, seed: 0, maxLength: recipe.maxLength)
        let config = recipe.model(data)
        var hyper = recipe.hyperparameters
        hyper["data"] = .string(data.origin)
        hyper["src_vocab"] = .int(data.source.count)
        hyper["tgt_vocab"] = .int(data.target.count)
        var g = Generator(seed: 0)
        return ImportedModules(hyperparameters: hyper, modules: ["model": Seq2SeqModel(config, initRange: recipe.initRange, generator: &g)],
                               writeFiles: { run in
            try writeVocabulary(data, to: run.directory)
            try writeModelConfig(config, to: run.directory)
        })
    }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        let recipe = try Seq2SeqRecipe.preset(run.preset)
        let epochs = run.epochs ?? recipe.epochs
        if recipe.needsDataDirectory && run.dataDirectory == nil {
            throw RunError.invalid("preset \(recipe.name) needs --data-dir path/to/fra.txt (from manythings.org/anki; see datasets/README.md)")
        }
        let data = try TranslationData.load(dataPath: run.dataDirectory, trainLimit: recipe.trainLimit, seed: run.seed,
                                            maxLength: recipe.maxLength)
        print("data: \(data.origin): \(data.train.count) train / \(data.valid.count) valid / \(data.test.count) test pairs, "
              + "vocab \(data.source.count) source / \(data.target.count) target")
        var hyper = recipe.hyperparameters
        hyper["epochs"] = .int(epochs)
        hyper["data"] = .string(data.origin)
        hyper["src_vocab"] = .int(data.source.count)
        hyper["tgt_vocab"] = .int(data.target.count)
        try run.writeConfig(hyper)
        let config = recipe.model(data)
        try writeVocabulary(data, to: run.directory)
        try writeModelConfig(config, to: run.directory)

        var g = Generator(seed: run.seed)
        let model = Seq2SeqModel(config, initRange: recipe.initRange, generator: &g)
        let optimizer = recipe.makeOptimizer(model.parameters())
        let train = data.encode(data.train)
        let evaluation = Seq2SeqEvaluation(model, data: data, recipe: recipe)

        let loop = TrainingLoop(run, epochs: epochs, modules: ["model": model], optimizers: ["optimizer": optimizer], metric: "bleu")
        loop.throughput = "tokens_per_second"
        loop.progressLabels = [("train_loss", "loss")]
        loop.plots = [PlotSpec("loss", title: "Cross-entropy per target token", series: ["train_loss", "valid_loss"], yLabel: "loss"),
                      PlotSpec("bleu", title: "Greedy BLEU on held-out sentences", series: ["bleu"], yLabel: "BLEU")]
        let times = run.times
        var stepsPerEpoch = 1
        try loop.fit(batches: { epoch in
            model.train()
            let batches = TextBatches(train, batchSize: recipe.batchSize, shuffle: true, seed: run.seed, epoch: epoch, bucketing: true)
            stepsPerEpoch = batches.count
            return batches
        }, step: { batch, context in
            optimizer.lr = recipe.learningRate(progress: Double(context.epoch) + Double(context.index) / Double(stepsPerEpoch))
            let (input, output) = times.measure("data") { teacherForcing(batch.target, lengths: batch.targetLengths) }
            times.measure("optimizer") { optimizer.zeroGrad() }
            let loss = times.measure("forward") { Seq2SeqModel.loss(model.forward(src: batch.source, tgt: input), target: output) }
            times.measure("backward") { loss.backward() }
            times.measure("optimizer") {
                _ = clipGradNorm(model.parameters(), maxNorm: recipe.clipGradNorm)
                optimizer.step()
            }
            return StepStats(["train_loss": Double(loss.item())], weight: Double(batch.targetLengths.reduce(0, +)))
        }, evaluate: { _ in
            evaluation.epoch().merging(["lr": Double(optimizer.lr)]) { $1 }
        })
        // The final evaluation on the whole test set; a run stopped in it redoes it on resume.
        guard !loop.stopped, let test = try evaluation.test(run) else { return loop.summary }
        return loop.summary.merging(test) { $1 }.merging(["parameters": Double(model.parameterCount)]) { $1 }
    }
}
