// Confusion-matrix heat maps: rows are true classes, columns predicted classes, each cell shaded
// by its share of the row (recall) and labelled with its count.

public struct ConfusionMatrix: Sendable, Equatable {
    public let classNames: [String]
    /// counts[t][p]: how many items of true class t were predicted as p.
    public private(set) var counts: [[Int]]

    public init(classNames: [String]) {
        self.classNames = classNames
        counts = Array(repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    }

    /// Adds predictions against targets. // both [N]
    public mutating func add(predictions: IndexTensor, targets: IndexTensor) {
        precondition(predictions.shape == targets.shape, "ConfusionMatrix.add: predictions \(predictions.shape) vs targets \(targets.shape)")
        let k = classNames.count
        for (p, t) in zip(predictions.data, targets.data) {
            precondition(p >= 0 && p < k && t >= 0 && t < k, "ConfusionMatrix.add: class \(p) or \(t) outside 0..<\(k)")
            counts[t][p] += 1
        }
    }

    public var total: Int { counts.joined().reduce(0, +) }
    public var accuracy: Double {
        total == 0 ? 0 : Double((0..<classNames.count).map { counts[$0][$0] }.reduce(0, +)) / Double(total)
    }

    /// Correct predictions over items of each class (nan for a class with no items).
    public var perClassRecall: [Double] {
        counts.enumerated().map { t, row in
            let n = row.reduce(0, +)
            return n == 0 ? .nan : Double(row[t]) / Double(n)
        }
    }

    /// Draws the matrix: class names down the left (true) and up the bottom (predicted).
    public func render(title: String = "Confusion matrix", cellSize: Int = 48) -> Bitmap {
        let k = classNames.count
        precondition(k > 0 && cellSize >= 16, "ConfusionMatrix.render: \(k) classes, cell size \(cellSize)")
        let scale = 2, textH = Canvas.textHeight(scale: scale)
        let labelW = classNames.map { Canvas.textWidth($0, scale: scale) }.max() ?? 0
        let left = 12 + textH + 12 + labelW + 10
        let top = title.isEmpty ? 12 : textH + 24
        let bottom = 10 + labelW + 12 + textH + 12
        let width = left + k * cellSize + 16, height = top + k * cellSize + bottom
        var canvas = Canvas(width: width, height: height)

        for t in 0..<k {
            let rowTotal = max(counts[t].reduce(0, +), 1)
            for p in 0..<k {
                let share = Double(counts[t][p]) / Double(rowTotal)
                let x = left + p * cellSize, y = top + t * cellSize
                canvas.fillRect(x: x, y: y, width: cellSize, height: cellSize, heatColor(share))
                let text = String(counts[t][p])
                let cellScale = Canvas.textWidth(text, scale: 2) <= cellSize - 6 ? 2 : 1
                if Canvas.textWidth(text, scale: cellScale) <= cellSize - 2 {
                    canvas.text(text, x: x + (cellSize - Canvas.textWidth(text, scale: cellScale)) / 2,
                                y: y + (cellSize - Canvas.textHeight(scale: cellScale)) / 2,
                                share > 0.5 ? .white : .black, scale: cellScale)
                }
            }
            let name = classNames[t]
            canvas.text(name, x: left - 10 - Canvas.textWidth(name, scale: scale),
                        y: top + t * cellSize + (cellSize - textH) / 2, .black, scale: scale)
        }
        for p in 0..<k {
            let name = classNames[p]
            canvas.text(name, x: left + p * cellSize + (cellSize - textH) / 2,
                        y: top + k * cellSize + 10 + Canvas.textWidth(name, scale: scale), .black, scale: scale, vertical: true)
        }
        canvas.strokeRect(x: left - 1, y: top - 1, width: k * cellSize + 2, height: k * cellSize + 2, .black)
        if !title.isEmpty {
            canvas.text(title, x: max(4, left + (k * cellSize - Canvas.textWidth(title, scale: scale)) / 2), y: 10, .black, scale: scale)
        }
        let predicted = "predicted"
        canvas.text(predicted, x: left + (k * cellSize - Canvas.textWidth(predicted, scale: scale)) / 2,
                    y: height - 10 - textH, .black, scale: scale)
        let truth = "true"
        canvas.text(truth, x: 12, y: top + (k * cellSize + Canvas.textWidth(truth, scale: scale)) / 2, .black,
                    scale: scale, vertical: true)
        return canvas.bitmap
    }

    public func writePNG(to path: String, title: String = "Confusion matrix") throws {
        try render(title: title).writePNG(to: path)
    }
}

/// White (0) to dark blue (1), like matplotlib's "Blues".
func heatColor(_ v: Double) -> Color {
    let t = min(max(v.isFinite ? v : 0, 0), 1)
    func mix(_ a: Double, _ b: Double) -> UInt8 { UInt8((a + (b - a) * t).rounded()) }
    return Color(mix(247, 8), mix(251, 48), mix(255, 107))
}
