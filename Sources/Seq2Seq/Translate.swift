// Translating with a trained run: the run directory keeps the vocabularies (vocab.src.txt,
// vocab.tgt.txt) and the model shape (model.json) next to its checkpoints.
import Foundation
import WorkbenchCore
import WorkbenchNN
import WorkbenchData
import WorkbenchRun

extension Seq2SeqExperiment {
    public static func writeVocabulary(_ data: TranslationData, to dir: String) throws {
        try (data.source.tokens.joined(separator: "\n") + "\n").write(toFile: dir + "/vocab.src.txt", atomically: true, encoding: .utf8)
        try (data.target.tokens.joined(separator: "\n") + "\n").write(toFile: dir + "/vocab.tgt.txt", atomically: true, encoding: .utf8)
    }

    public static func writeModelConfig(_ c: Seq2SeqConfig, to dir: String) throws {
        let o: JSONValue = .object(["src_vocab": .int(c.srcVocab), "tgt_vocab": .int(c.tgtVocab), "embed": .int(c.embed),
                                    "hidden": .int(c.hidden), "num_layers": .int(c.numLayers), "attention": .bool(c.attention),
                                    "reverse_source": .bool(c.reverseSource)])
        try (o.jsonText + "\n").write(toFile: dir + "/model.json", atomically: true, encoding: .utf8)
    }

    /// Loads a trained model: `checkpoint` is a run directory (its best, else last checkpoint) or a
    /// .safetensors file inside a run's checkpoints/ directory.
    public static func load(checkpoint: String) throws -> (model: Seq2SeqModel, source: Vocabulary, target: Vocabulary) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isDir) else {
            throw RunError.invalid("\(checkpoint): no such run directory or checkpoint")
        }
        let runDir: String, file: String
        if isDir.boolValue {
            runDir = checkpoint
            let best = runDir + "/checkpoints/best.safetensors"
            file = FileManager.default.fileExists(atPath: best) ? best : runDir + "/checkpoints/last.safetensors"
        } else {
            file = checkpoint
            runDir = ((checkpoint as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        }
        func lines(_ name: String) throws -> [String] {
            guard let text = try? String(contentsOfFile: runDir + "/" + name, encoding: .utf8) else {
                throw RunError.invalid("\(runDir)/\(name) is missing: is \(runDir) a seq2seq run directory?")
            }
            return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        let source = try Vocabulary(tokens: try lines("vocab.src.txt")), target = try Vocabulary(tokens: try lines("vocab.tgt.txt"))
        guard let text = try? String(contentsOfFile: runDir + "/model.json", encoding: .utf8), case .object(let o)? = JSONValue.parse(text),
              let sv = o["src_vocab"]?.intValue, let tv = o["tgt_vocab"]?.intValue, let e = o["embed"]?.intValue,
              let h = o["hidden"]?.intValue, let l = o["num_layers"]?.intValue,
              case .bool(let att)? = o["attention"], case .bool(let rev)? = o["reverse_source"] else {
            throw RunError.invalid("\(runDir)/model.json is missing or malformed")
        }
        let config = Seq2SeqConfig(srcVocab: sv, tgtVocab: tv, embed: e, hidden: h, numLayers: l, attention: att, reverseSource: rev)
        var g = Generator(seed: 0)
        let model = Seq2SeqModel(config, generator: &g)
        _ = try Checkpoint.load(from: file, modules: ["model": model])
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
        let data = TranslationData(train: [], valid: [], test: [], source: source, target: target, origin: checkpoint)
        return sentences.map { sentence in
            let words = tok.tokenize(sentence)
            let unknown = words.filter { source.id($0) == Vocabulary.unk }
            if !unknown.isEmpty {
                FileHandle.standardError.write(Data("warning: unknown words mapped to <unk>: \(unknown.joined(separator: " "))\n".utf8))
            }
            return translateBeam(model, words, data: data, beamWidth: beamWidth, lengthAlpha: beamWidth == 1 ? 0 : 0.6)
        }
    }
}
