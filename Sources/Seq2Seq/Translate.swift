// Translating with a trained run: the run directory keeps the vocabularies (vocab.src.txt,
// vocab.tgt.txt) and the model shape (model.json) next to its checkpoints.
import Foundation
import WorkbenchCore
import WorkbenchNN
import WorkbenchData
import WorkbenchRun

extension Seq2SeqExperiment {
    public static func writeVocabulary(_ data: TranslationData, to dir: String) throws {
        try writeFileAtomically(dir + "/vocab.src.txt", Array((data.source.tokens.joined(separator: "\n") + "\n").utf8))
        try writeFileAtomically(dir + "/vocab.tgt.txt", Array((data.target.tokens.joined(separator: "\n") + "\n").utf8))
    }

    public static func writeModelConfig(_ c: Seq2SeqConfig, to dir: String) throws {
        try writeFileAtomically(dir + "/model.json", Array((JSONValue.object(c.json).jsonText + "\n").utf8))
    }

    /// Loads a trained model: `checkpoint` is a run directory or a checkpoint file, resolved by
    /// `RunCheckpoint.rule`; the vocabularies and model.json are read from its run directory.
    public static func load(checkpoint: String) throws -> (model: Seq2SeqModel, source: Vocabulary, target: Vocabulary) {
        let resolved = try RunCheckpoint(checkpoint, paper: id)
        let runDir = resolved.runDirectory
        func text(_ name: String) throws -> String {
            guard let text = try? String(contentsOfFile: runDir + "/" + name, encoding: .utf8) else {
                throw RunError.invalid("\(runDir)/\(name) is missing: is \(runDir) a seq2seq run directory?")
            }
            return text
        }
        func lines(_ name: String) throws -> [String] {
            try text(name).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        let source = try Vocabulary(tokens: try lines("vocab.src.txt")), target = try Vocabulary(tokens: try lines("vocab.tgt.txt"))
        let config: Seq2SeqConfig
        do { config = try Seq2SeqConfig(FixtureConfig(json: try text("model.json"), origin: "\(runDir)/model.json")) } catch let error as FixtureError {
            throw RunError.invalid(error.description)
        }
        var g = Generator(seed: 0)
        let model = Seq2SeqModel(config, generator: &g)
        _ = try Checkpoint.load(from: resolved.path, modules: ["model": model])
        model.eval()
        return (model, source, target)
    }

    /// Translates sentences with a trained run (see `load(checkpoint:)`); beamWidth 1 is greedy.
    /// Unknown words become <unk> with a warning on stderr.
    public static func translate(checkpoint: String, sentences: [String], beamWidth: Int) throws -> [String] {
        guard beamWidth >= 1 else { throw RunError.invalid("--beam must be at least 1") }
        let (model, source, target) = try load(checkpoint: checkpoint)
        guard beamWidth <= target.count else {
            throw RunError.invalid("--beam \(beamWidth) is wider than the target vocabulary (\(target.count) tokens): "
                                   + "at most \(target.count) hypotheses differ")
        }
        let tok = Tokenizer()
        return sentences.map { sentence in
            let words = tok.tokenize(sentence)
            let unknown = words.filter { source.id($0) == Vocabulary.unk }
            if !unknown.isEmpty {
                FileHandle.standardError.write(Data("warning: unknown words mapped to <unk>: \(unknown.joined(separator: " "))\n".utf8))
            }
            return model.translateBeam(words, source: source, target: target, beamWidth: beamWidth, lengthAlpha: beamWidth == 1 ? 0 : 0.6)
        }
    }
}
