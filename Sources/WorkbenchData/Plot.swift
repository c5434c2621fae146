// Line plots to PNG: named series, axes with round tick values, axis labels, title and legend.
import Foundation

/// One named line of a plot. Non-finite points are skipped and break the line.
public struct PlotSeries: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// nil: the next colour of `Color.palette`.
    public var color: Color?

    public init(_ name: String, x: [Double], y: [Double], color: Color? = nil) {
        precondition(x.count == y.count, "PlotSeries \(name): \(x.count) x values but \(y.count) y values")
        self.name = name
        self.x = x
        self.y = y
        self.color = color
    }

    /// Values against 1, 2, 3, ... (epochs or steps).
    public init(_ name: String, y: [Double], color: Color? = nil) {
        self.init(name, x: (0..<y.count).map { Double($0 + 1) }, y: y, color: color)
    }
}

/// A line chart.
public struct LinePlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [PlotSeries]
    /// Fixed axis ranges (e.g. 0...1 for accuracy); nil fits the data. Lines outside are clipped.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var width: Int
    public var height: Int

    public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [PlotSeries] = [],
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, width: Int = 800, height: Int = 500) {
        precondition(width >= 200 && height >= 150, "LinePlot: at least 200x150 pixels, got \(width)x\(height)")
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xRange = xRange
        self.yRange = yRange
        self.width = width
        self.height = height
    }

    /// Draws the plot.
    public func render() -> Bitmap {
        var canvas = Canvas(width: width, height: height)
        let scale = 2  // text scale: 10x14-pixel characters
        let textH = Canvas.textHeight(scale: scale)
        let xAxis = PlotAxis(fitting: series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }.map(\.0) }, fixed: xRange)
        let yAxis = PlotAxis(fitting: series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }.map(\.1) }, fixed: yRange)
        let yTickLabels = yAxis.ticks.map { yAxis.label($0) }

        // Layout: title on top, y label and tick labels on the left, x ticks and label below.
        let left = 12 + (yLabel.isEmpty ? 0 : textH + 10) + (yTickLabels.map { Canvas.textWidth($0, scale: scale) }.max() ?? 0) + 8
        let top = title.isEmpty ? 16 : textH + 24
        let bottom = 12 + textH + 8 + (xLabel.isEmpty ? 0 : textH + 10)
        // Room for half of the last x tick label, which is centred on the right edge.
        let right = max(24, Canvas.textWidth(xAxis.ticks.last.map { xAxis.label($0) } ?? "", scale: scale) / 2 + 8)
        let plotW = width - left - right, plotH = height - top - bottom
        guard plotW > 20, plotH > 20 else { return canvas.bitmap }
        func px(_ v: Double) -> Int { left + Int((xAxis.fraction(v) * Double(plotW - 1)).rounded()) }
        func py(_ v: Double) -> Int { top + plotH - 1 - Int((yAxis.fraction(v) * Double(plotH - 1)).rounded()) }

        // Grid lines and ticks.
        for t in yAxis.ticks {
            let y = py(t)
            canvas.fillRect(x: left, y: y, width: plotW, height: 1, .lightGray)
            canvas.fillRect(x: left - 5, y: y, width: 5, height: 1, .black)
            let label = yAxis.label(t)
            canvas.text(label, x: left - 8 - Canvas.textWidth(label, scale: scale), y: y - textH / 2, .black, scale: scale)
        }
        for t in xAxis.ticks {
            let x = px(t)
            canvas.fillRect(x: x, y: top, width: 1, height: plotH, .lightGray)
            canvas.fillRect(x: x, y: top + plotH, width: 1, height: 5, .black)
            let label = xAxis.label(t)
            canvas.text(label, x: x - Canvas.textWidth(label, scale: scale) / 2, y: top + plotH + 8, .black, scale: scale)
        }
        canvas.strokeRect(x: left - 1, y: top - 1, width: plotW + 2, height: plotH + 2, .black)

        // Series, clipped to the plot area.
        canvas.clip = (left, top, left + plotW, top + plotH)
        for (k, s) in series.enumerated() {
            let color = s.color ?? Color.palette[k % Color.palette.count]
            var previous: (Int, Int)?
            var runLength = 0
            for (x, y) in zip(s.x, s.y) {
                guard x.isFinite, y.isFinite else {
                    if runLength == 1, let p = previous { canvas.fillRect(x: p.0 - 2, y: p.1 - 2, width: 5, height: 5, color) }
                    previous = nil; runLength = 0
                    continue
                }
                // Clamp far-away points (fixed ranges) so the line walk stays short.
                let p = (min(max(px(x), left - 2 * plotW), left + 3 * plotW), min(max(py(y), top - 2 * plotH), top + 3 * plotH))
                if let q = previous { canvas.line(q.0, q.1, p.0, p.1, color, thickness: 2) }
                previous = p
                runLength += 1
            }
            // A lone point has no segment; mark it.
            if runLength == 1, let p = previous { canvas.fillRect(x: p.0 - 2, y: p.1 - 2, width: 5, height: 5, color) }
        }
        canvas.resetClip()

        // Title, axis labels, legend.
        if !title.isEmpty {
            canvas.text(title, x: left + (plotW - Canvas.textWidth(title, scale: scale)) / 2, y: 10, .black, scale: scale)
        }
        if !xLabel.isEmpty {
            canvas.text(xLabel, x: left + (plotW - Canvas.textWidth(xLabel, scale: scale)) / 2,
                        y: height - 10 - textH, .black, scale: scale)
        }
        if !yLabel.isEmpty {
            canvas.text(yLabel, x: 12, y: top + (plotH + Canvas.textWidth(yLabel, scale: scale)) / 2, .black,
                        scale: scale, vertical: true)
        }
        drawLegend(&canvas, plot: (left, top, plotW, plotH), scale: scale)
        return canvas.bitmap
    }

    /// Draws the legend in the plot corner that hides the fewest already-drawn line pixels.
    private func drawLegend(_ canvas: inout Canvas, plot: (x: Int, y: Int, w: Int, h: Int), scale: Int) {
        let named = series.enumerated().filter { !$0.element.name.isEmpty }
        guard !named.isEmpty else { return }
        let textH = Canvas.textHeight(scale: scale), rowH = textH + 8, swatch = 24
        let textW = named.map { Canvas.textWidth($0.element.name, scale: scale) }.max()!
        let boxW = 8 + swatch + 8 + textW + 8, boxH = 6 + rowH * named.count
        let corners = [(plot.x + plot.w - boxW - 8, plot.y + 8), (plot.x + plot.w - boxW - 8, plot.y + plot.h - boxH - 8),
                       (plot.x + 8, plot.y + 8), (plot.x + 8, plot.y + plot.h - boxH - 8)]
        func covered(_ corner: (Int, Int)) -> Int {
            var n = 0
            let img = canvas.bitmap
            for y in max(corner.1, 0)..<min(corner.1 + boxH, img.height) {
                for x in max(corner.0, 0)..<min(corner.0 + boxW, img.width) {
                    let o = (y * img.width + x) * 3
                    let c = Color(img.pixels[o], img.pixels[o + 1], img.pixels[o + 2])
                    if c != .white && c != .lightGray { n += 1 }
                }
            }
            return n
        }
        let counts = corners.map(covered)
        let (x0, y0) = corners[counts.firstIndex(of: counts.min()!)!]
        canvas.fillRect(x: x0, y: y0, width: boxW, height: boxH, .white)
        canvas.strokeRect(x: x0, y: y0, width: boxW, height: boxH, .gray)
        for (row, (k, s)) in named.enumerated() {
            let color = s.color ?? Color.palette[k % Color.palette.count]
            let y = y0 + 6 + row * rowH
            canvas.fillRect(x: x0 + 8, y: y + textH / 2 - 1, width: swatch, height: 3, color)
            canvas.text(s.name, x: x0 + 8 + swatch + 8, y: y, .black, scale: scale)
        }
    }

    /// Renders and writes the plot as a PNG.
    public func writePNG(to path: String) throws { try render().writePNG(to: path) }
}

/// A linear axis over a range with "nice" ticks (1, 2 or 5 times a power of ten).
public struct PlotAxis: Sendable {
    public private(set) var low: Double, high: Double
    public private(set) var ticks: [Double]
    public private(set) var step: Double

    /// Fits `values` (or takes `fixed`); a fitted range is widened to the enclosing ticks.
    public init(fitting values: [Double], fixed: ClosedRange<Double>?, targetTicks: Int = 6) {
        var lo = fixed?.lowerBound ?? values.min() ?? 0
        var hi = fixed?.upperBound ?? values.max() ?? 1
        if !(lo.isFinite && hi.isFinite) { lo = 0; hi = 1 }
        if hi - lo <= abs(hi) * 1e-12 {
            // A constant series gets a band around its value.
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        step = PlotAxis.niceStep((hi - lo) / Double(targetTicks - 1))
        if fixed == nil {
            // Extend to the enclosing ticks so lines do not touch the frame.
            lo = (lo / step).rounded(.down) * step
            hi = (hi / step).rounded(.up) * step
        }
        low = lo; high = hi
        var t: [Double] = []
        var v = (lo / step).rounded(.up) * step
        while v <= hi + step * 1e-9 && t.count < 50 {
            t.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        ticks = t
    }

    /// The 1, 2 or 5 times a power of ten nearest to `raw` (on a log scale, roughly).
    static func niceStep(_ raw: Double) -> Double {
        let exponent = (log10(raw)).rounded(.down)
        let base = pow(10, exponent)
        let f = raw / base
        return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * base
    }

    /// Where `v` lies between low (0) and high (1).
    public func fraction(_ v: Double) -> Double { (v - low) / (high - low) }

    /// A tick label with as many decimals as the step needs; scientific for extreme magnitudes.
    public func label(_ v: Double) -> String {
        let magnitude = max(abs(low), abs(high))
        if magnitude >= 1e6 || step < 1e-4 { return String(format: "%.2g", v) }
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", v)
    }
}
