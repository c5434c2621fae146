// Published and peer figures a paper's runs are drawn against: papers/<paper>/reference.json in
// the checkout the binary was built from, read by one validating reader.
import Foundation
import WorkbenchData

/// One reference figure for a metric: a curve (a peer's per-epoch values), a value (a published
/// result or a target) or a band (a published range).
public struct Reference: Sendable, Equatable {
    public enum Shape: Sendable, Equatable {
        case curve(x: [Double], y: [Double])
        case value(Double)
        case band(Double, Double)
    }

    /// The metrics.jsonl / summary.json key it compares with (`test_accuracy`, `eval_return_mean`).
    public var metric: String
    public var label: String
    public var shape: Shape
    /// A curve's x axis: "epoch" or "step".
    public var x: String
    /// The presets it applies to; nil: every preset.
    public var presets: [String]?
    /// Where the figure comes from.
    public var source: String

    public func applies(to preset: String) -> Bool { presets.map { $0.contains(preset) } ?? true }

    /// The figure as text, for reports: "93.5 %"-style numbers are left to the caller's format.
    public var summary: String {
        switch shape {
        case .curve(let x, let y): return "\(label): \(RunReport.format(y.last ?? .nan)) at \(x) \(RunReport.format(x.last ?? .nan))"
        case .value(let v): return "\(label): \(RunReport.format(v))"
        case .band(let lo, let hi): return "\(label): \(RunReport.format(lo))-\(RunReport.format(hi))"
        }
    }

    /// The plot lines that draw it against data spanning `xRange`: a curve as it is, a value as a
    /// horizontal line, a band as its two edges (one legend entry).
    func series(over xRange: ClosedRange<Double>, color: Color) -> [PlotSeries] {
        switch shape {
        case .curve(let x, let y): return [PlotSeries(label, x: x, y: y, color: color)]
        case .value(let v): return [PlotSeries(label, x: [xRange.lowerBound, xRange.upperBound], y: [v, v], color: color)]
        case .band(let lo, let hi):
            return [PlotSeries(label, x: [xRange.lowerBound, xRange.upperBound], y: [lo, lo], color: color),
                    PlotSeries("", x: [xRange.lowerBound, xRange.upperBound], y: [hi, hi], color: color)]
        }
    }
}

public enum References {
    /// Reference lines are drawn in these colours, apart from the runs' palette.
    static let colors = [Color(0, 0, 0), Color(0, 110, 110), Color(150, 110, 0)]

    public static func path(paper: String) -> String { Machine.sourceDirectory + "/papers/\(paper)/reference.json" }

    /// The references of `paper` that apply to `preset` (all when nil); none when the paper has no
    /// reference.json. A file that is not valid is an error naming it and the entry.
    public static func load(paper: String, preset: String? = nil) throws -> [Reference] {
        let file = path(paper: paper)
        guard FileManager.default.fileExists(atPath: file) else { return [] }
        let text: String
        do { text = try readTextLines(file).joined(separator: "\n") } catch { throw RunError.invalid("\(error)") }
        return try parse(text, origin: file).filter { preset.map($0.applies) ?? true }
    }

    /// Reads `{"references": [{"metric", "label", "source", one of "value" / "band" [lo, hi] /
    /// "points" [[x, y], ...] with "x", optionally "presets"}]}`.
    public static func parse(_ text: String, origin: String) throws -> [Reference] {
        guard case .object(let root)? = JSONValue.parse(text), case .array(let entries)? = root["references"] else {
            throw RunError.invalid("\(origin): expected {\"references\": [...]}")
        }
        return try entries.enumerated().map { i, entry in
            func bad(_ what: String) -> RunError { RunError.invalid("\(origin): references[\(i)] \(what)") }
            guard case .object(let o) = entry, case .string(let metric)? = o["metric"], case .string(let label)? = o["label"],
                  case .string(let source)? = o["source"], !source.isEmpty else {
                throw bad("needs metric, label and source strings")
            }
            let shape: Reference.Shape
            switch (o["value"], o["band"], o["points"]) {
            case (let v?, nil, nil):
                guard let value = v.doubleValue else { throw bad("value must be a number") }
                shape = .value(value)
            case (nil, .array(let b)?, nil):
                guard b.count == 2, let lo = b[0].doubleValue, let hi = b[1].doubleValue, lo <= hi else { throw bad("band must be [low, high]") }
                shape = .band(lo, hi)
            case (nil, nil, .array(let p)?):
                let pairs = p.compactMap { point -> (Double, Double)? in
                    guard case .array(let xy) = point, xy.count == 2, let x = xy[0].doubleValue, let y = xy[1].doubleValue else { return nil }
                    return (x, y)
                }
                guard !pairs.isEmpty, pairs.count == p.count else { throw bad("points must be [[x, y], ...]") }
                shape = .curve(x: pairs.map(\.0), y: pairs.map(\.1))
            default:
                throw bad("needs exactly one of value, band or points")
            }
            var x = "epoch"
            if let v = o["x"] {
                guard case .string(let s) = v, s == "epoch" || s == "step" else { throw bad("x must be \"epoch\" or \"step\"") }
                x = s
            }
            var presets: [String]?
            if let v = o["presets"] {
                guard case .array(let a) = v else { throw bad("presets must be a list of names") }
                presets = try a.map { p in
                    guard case .string(let s) = p else { throw bad("presets must be a list of names") }
                    return s
                }
            }
            return Reference(metric: metric, label: label, shape: shape, x: x, presets: presets, source: source)
        }
    }

    /// The reference lines for a plot of `keys` against `x` whose data spans `xRange`.
    public static func series(_ references: [Reference], keys: [String], x: String, over xRange: ClosedRange<Double>) -> [PlotSeries] {
        let drawn = references.filter { r in
            keys.contains(r.metric) && { if case .curve = r.shape { return r.x == x } else { return true } }()
        }
        return drawn.enumerated().flatMap { i, r in r.series(over: xRange, color: colors[i % colors.count]) }
    }
}
