// Attention heat maps: for one sentence, the greedy translation's attention weights α_ij as a PNG
// (rows: output tokens, columns: source tokens; white 0 to dark blue 1) plus a text file naming
// the rows and columns, since the PNG carries no text.
import Foundation
import WorkbenchCore
import WorkbenchData

extension Seq2SeqModel {
    /// Greedy decoding of one sentence [1, S] with the attention weights of every step. // [steps][S]
    public func greedyWithAttention(_ src: IndexTensor, maxLength: Int) -> (tokens: [Int], attention: [[Float]]) {
        precondition(config.attention, "greedyWithAttention needs the attention model")
        return withNoGrad {
            let e = encode(src)
            var state = e.state, token = Vocabulary.sos
            var tokens: [Int] = [], rows: [[Float]] = []
            for _ in 0..<maxLength {
                let r = step(e, tokens: [token], state: state)
                state = r.state
                var best = 0
                for j in 1..<config.tgtVocab where r.logProbs.data[j] > r.logProbs.data[best] { best = j }
                rows.append(r.alpha!.data)
                tokens.append(best)
                token = best
                if best == Vocabulary.eos { break }
            }
            return (tokens, rows)
        }
    }
}

enum AttentionMap {
    /// Writes `<path>.png` and `<path>.txt`.
    static func write(source: [String], output: [String], attention: [[Float]], to path: String, cell: Int = 24) throws {
        let rows = attention.count, cols = source.count
        let width = cols * cell + 2, height = rows * cell + 2
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let r = (y - 1) / cell, c = (x - 1) / cell
                let inside = x >= 1 && y >= 1 && r < rows && c < cols
                let t = inside ? Double(min(max(attention[r][c], 0), 1)) : -1
                if t < 0 {
                    pixels[i] = 0; pixels[i + 1] = 0; pixels[i + 2] = 0
                } else {
                    pixels[i] = UInt8((247 + (8 - 247) * t).rounded())
                    pixels[i + 1] = UInt8((251 + (48 - 251) * t).rounded())
                    pixels[i + 2] = UInt8((255 + (107 - 255) * t).rounded())
                }
            }
        }
        try Bitmap(width: width, height: height, channels: 3, pixels: pixels).writePNG(to: path + ".png")
        var text = "columns (source): " + source.joined(separator: " ") + "\nrows (output):\n"
        for (k, row) in attention.enumerated() {
            text += String(format: "%-14@", output[k] as NSString) + row.map { String(format: " %.2f", $0) }.joined() + "\n"
        }
        try writeFileAtomically(path + ".txt", Array(text.utf8))
    }
}
