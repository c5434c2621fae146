// Test-set evaluation of a GoogLeNet (eval mode, no auxiliary heads) and the pictures made from it.
import Foundation
import WorkbenchData
import WorkbenchNN

/// Predictions of a model on a whole data set.
public struct Evaluation {
    public let predictions: [Int]
    public let confusion: ConfusionMatrix
    public let loss: Double

    public var accuracy: Double { confusion.accuracy }

    /// Accuracy per class, keyed `test_accuracy_<class>` (e.g. `test_accuracy_ankle_boot`).
    public var perClass: [String: Double] {
        var out: [String: Double] = [:]
        for (name, recall) in zip(confusion.classNames, confusion.perClassRecall) {
            out["test_accuracy_" + Evaluation.slug(name)] = recall
        }
        return out
    }

    static func slug(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
            .replacingOccurrences(of: "__", with: "_")
    }

    /// Runs `model` in eval mode without gradients over `data` (normalised like training).
    public static func run(_ model: GoogLeNet, on data: ImageDataset, batchSize: Int = 500) -> Evaluation {
        let wasTraining = model.training
        model.eval()
        defer { model.train(wasTraining) }
        var confusion = ConfusionMatrix(classNames: data.classNames)
        var predictions: [Int] = []
        var lossSum = 0.0
        withNoGrad {
            for (x, y) in ImageBatches(data, batchSize: batchSize, shuffle: false, normalization: .fashionMNIST) {
                let logits = model(x).logits
                let predicted = logits.argmax(dim: 1)
                confusion.add(predictions: predicted, targets: y)
                predictions += predicted.data
                lossSum += Double(F.crossEntropy(logits, target: y).item()) * Double(y.count)
            }
        }
        return Evaluation(predictions: predictions, confusion: confusion, loss: lossSum / Double(max(data.count, 1)))
    }

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
        try (lines.joined(separator: "\n") + "\n").write(toFile: labels, atomically: true, encoding: .utf8)
    }
}
