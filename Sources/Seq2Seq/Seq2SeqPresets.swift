// How each preset trains (`workbench run seq2seq --preset NAME`): the model's sizes and variant,
// the optimizer and its schedule, the data limits and the evaluation. Its encoding is
// config.json's hyperparameters.
import Foundation
import WorkbenchNN
import WorkbenchRun

public struct Seq2SeqRecipe: Preset {
    public enum OptimizerKind: String, Codable, Sendable { case sgd, adam }

    public var name: String
    public var summary: String
    /// Bahdanau attention over a bidirectional encoder; false: Sutskever's model.
    public var attention: Bool
    /// Feed each source sentence backwards (Sutskever); the attention presets read it forwards.
    public var reverseSource: Bool
    public var numLayers = 1
    public var embed = 128, hidden = 256
    /// Every parameter uniform(-initRange, initRange) (Sutskever: 0.08).
    public var initRange: Float = 0.08
    public var batchSize = 64
    public var epochs = 5
    /// Sutskever: plain SGD with the halving schedule; the measured presets: Adam.
    public var optimizer = OptimizerKind.adam
    public var lr: Float = 1e-3
    public var clipGradNorm: Float = 5
    /// SGD's schedule: halve the learning rate every half epoch from this epoch on (Sutskever: 5 of
    /// 7.5); nil: constant.
    public var halvingStartEpoch: Double?
    /// Use only the first pairs of the training set (nil: all).
    public var trainLimit: Int?
    /// Test sentences decoded for the per-epoch BLEU (the final BLEU uses the whole test set).
    public var epochEvalSentences = 500
    /// Test sentences decoded with beam search at the end (nil: all).
    public var beamEvalSentences: Int?
    public var beamWidth = 5
    public var lengthAlpha = 0.6
    /// Pairs with more tokens on either side are skipped, in every corpus form (generated,
    /// aligned files, TSV); the count is in config.json's `data`. Bounds a step's time and memory.
    public var maxLength = 50

    public init(name: String, summary: String, attention: Bool) {
        self.name = name
        self.summary = summary
        self.attention = attention
        reverseSource = !attention
    }

    public static let all: [Seq2SeqRecipe] = {
        var quick = Seq2SeqRecipe(name: "quick", summary: "attention model (LSTM 128), 20k generated pairs, 2 epochs, beam on 500 test sentences",
                                  attention: true)
        quick.embed = 64; quick.hidden = 128; quick.epochs = 2; quick.trainLimit = 20_000; quick.lr = 3e-3
        quick.epochEvalSentences = 300; quick.beamEvalSentences = 500
        // The paper's recipe at a small scale (BLEU 18 after its 4 epochs: see the card).
        var paper = Seq2SeqRecipe(name: "small-vocab", summary: "Sutskever recipe: 2-layer LSTM 256, reversed source, SGD lr 0.7 halving, clip 5, all 147k pairs",
                                  attention: false)
        paper.numLayers = 2; paper.optimizer = .sgd; paper.lr = 0.7; paper.batchSize = 128; paper.epochs = 4; paper.halvingStartEpoch = 3
        var adam = Seq2SeqRecipe(name: "small-vocab-adam", summary: "Sutskever model (2-layer LSTM 128, reversed source) with Adam, 60k pairs, 5 epochs (BLEU ~94)",
                                 attention: false)
        adam.numLayers = 2; adam.embed = 64; adam.hidden = 128; adam.lr = 3e-3; adam.epochs = 5; adam.trainLimit = 60_000
        var attention = Seq2SeqRecipe(name: "small-vocab-attention", summary: "Bahdanau attention (bidirectional encoder, LSTM 128), Adam, 60k pairs, 1 epoch (BLEU ~99.9)",
                                      attention: true)
        attention.embed = 64; attention.hidden = 128; attention.lr = 3e-3; attention.epochs = 1; attention.trainLimit = 60_000
        var tatoeba = Seq2SeqRecipe(name: "tatoeba", summary: "attention model on a real TSV corpus: --data-dir path/to/fra.txt", attention: true)
        tatoeba.epochs = 10; tatoeba.hidden = 256; tatoeba.embed = 256; tatoeba.maxLength = 20
        return [quick, paper, adam, attention, tatoeba]
    }()

    public static func preset(_ name: String) throws -> Seq2SeqRecipe { try named(name, in: all, paper: Seq2SeqExperiment.id) }

    /// The tatoeba preset trains on a real corpus only (`--data-dir`).
    public var needsDataDirectory: Bool { name == "tatoeba" }

    /// The model for the vocabularies of `data`.
    public func model(_ data: TranslationData) -> Seq2SeqConfig {
        Seq2SeqConfig(srcVocab: data.source.count, tgtVocab: data.target.count, embed: embed, hidden: hidden,
                      numLayers: numLayers, attention: attention, reverseSource: reverseSource)
    }

    public func makeOptimizer(_ parameters: [Tensor]) -> Optimizer {
        optimizer == .sgd ? SGD(parameters, lr: lr) : Adam(parameters, lr: lr)
    }

    /// The learning rate at `progress` epochs (fractional: a step's place in its epoch): constant,
    /// then halved every half epoch from `halvingStartEpoch` on.
    public func learningRate(progress: Double) -> Float {
        guard let start = halvingStartEpoch, progress >= start else { return lr }
        let halvings = Int(((progress - start) / 0.5).rounded(.down)) + 1
        return lr * powf(0.5, Float(halvings))
    }
}
