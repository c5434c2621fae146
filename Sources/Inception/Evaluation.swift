// The test-prediction grid of the reference experiment: the first test images framed by right/wrong.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

extension ClassifierEvaluation {
    /// A grid of the first `count` test images, framed green where the prediction is right and
    /// red where it is wrong, plus a text file naming prediction and truth for each cell.
    /// (WorkbenchData's bitmap font is internal, so the labels go into the text file.)
    public func writeSampleGrid(_ data: ImageDataset, count: Int = 64, columns: Int = 8,
                                png: String, labels: String) throws {
        let n = min(count, data.count)
        let images = data.images(at: Array(0..<n))          // [n, 1, 28, 28] in 0...1
        let pad = 3
        let grey = ImageGrid.make(images, nrow: columns, padding: pad, range: 0...1, padValue: 255)
        var rgb = [UInt8](repeating: 0, count: grey.width * grey.height * 3)
        for i in 0..<(grey.width * grey.height) {
            for c in 0..<3 { rgb[i * 3 + c] = grey.pixels[i * grey.channels] }
        }
        let (h, w) = (data.height, data.width)
        var lines = ["# row col: predicted (true); the grid frames right predictions green, wrong ones red"]
        for i in 0..<n {
            let (row, col) = (i / columns, i % columns)
            let truth = data.labels.data[i], guess = predictions[i]
            let color: [UInt8] = truth == guess ? [40, 170, 60] : [220, 40, 40]
            let top = row * (h + pad) + pad, left = col * (w + pad) + pad
            for y in (top - 2)..<(top + h + 2) {
                for x in (left - 2)..<(left + w + 2) where y < top || y >= top + h || x < left || x >= left + w {
                    for c in 0..<3 { rgb[(y * grey.width + x) * 3 + c] = color[c] }
                }
            }
            let mark = truth == guess ? "" : "   <- wrong"
            lines.append("\(row) \(col): \(data.classNames[guess]) (\(data.classNames[truth]))\(mark)")
        }
        try Bitmap(width: grey.width, height: grey.height, channels: 3, pixels: rgb).writePNG(to: png)
        try writeFileAtomically(labels, Array((lines.joined(separator: "\n") + "\n").utf8))
    }
}
