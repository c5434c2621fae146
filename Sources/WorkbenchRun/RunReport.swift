// `workbench report`: a run's summary as text and as one self-contained HTML page (config,
// final metrics, every plot and sample image inline), and curves of several runs on shared plots.
import Foundation
import WorkbenchData

public enum RunReport {
    /// The run's summary.json (empty if the run has not finished).
    public static func summary(of dir: String) -> [String: Double] {
        guard let text = try? String(contentsOfFile: dir + "/summary.json", encoding: .utf8),
              case .object(let o)? = JSONValue.parse(text) else { return [:] }
        return o.compactMapValues(\.doubleValue)
    }

    public static func config(of dir: String) throws -> JSONValue {
        guard let text = try? String(contentsOfFile: dir + "/config.json", encoding: .utf8) else {
            throw RunError.invalid("\(dir) is not a run directory (no config.json)")
        }
        guard let value = JSONValue.parse(text) else { throw RunError.invalid("\(dir)/config.json is not valid JSON") }
        return value
    }

    public static func records(of dir: String) -> [[String: Double]] {
        guard let text = try? String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard case .object(let o)? = JSONValue.parse(String(line)) else { return nil }
            return o.compactMapValues(\.doubleValue)
        }
    }

    /// PNG files under the run's plots/ and samples/ folders.
    public static func images(of dir: String) -> [String] {
        ["plots", "samples"].flatMap { sub -> [String] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/\(sub)")) ?? []
            return names.filter { $0.hasSuffix(".png") }.sorted().map { "\(dir)/\(sub)/\($0)" }
        }
    }

    /// Writes report.html into the run directory and returns its path.
    public static func writeHTML(for dir: String) throws -> String {
        let config = try config(of: dir)
        let summary = summary(of: dir)
        let name = (dir as NSString).lastPathComponent
        var html = """
        <!doctype html><html><head><meta charset="utf-8"><title>\(escape(name))</title>
        <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}
        img{max-width:100%;border:1px solid #ddd;margin:8px 0}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>
        </head><body><h1>\(escape(name))</h1>
        """
        let references = try runReferences(config)
        func referenceCell(_ key: String) -> String {
            references.filter { $0.metric == key }.map { escape($0.summary) }.joined(separator: "<br>")
        }
        html += "<h2>Final metrics</h2>"
        html += summary.isEmpty ? "<p>No summary.json yet: the run has not finished.</p>"
            : "<table><tr><th>metric</th><th>this run</th><th>reference</th></tr>"
                + summary.sorted(by: { $0.key < $1.key }).map {
                    "<tr><th>\(escape($0.key))</th><td>\(format($0.value))</td><td>\(referenceCell($0.key))</td></tr>"
                }.joined() + "</table>"
        if !references.isEmpty {
            html += "<h2>References</h2><ul>" + references.map { "<li>\(escape($0.metric)): \(escape($0.summary)) — \(escape($0.source))</li>" }.joined() + "</ul>"
        }
        for path in images(of: dir) {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let file = (path as NSString).lastPathComponent
            html += "<h3>\(escape(file))</h3><img alt=\"\(escape(file))\" src=\"data:image/png;base64,\(data.base64EncodedString())\">"
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let configText = (try? String(decoding: encoder.encode(config), as: UTF8.self)) ?? config.jsonText
        html += "<h2>Configuration</h2><pre>\(escape(configText))</pre></body></html>\n"
        let out = dir + "/report.html"
        try writeFileAtomically(out, Array(html.utf8))
        return out
    }

    /// Plots each metric that the runs share, one series per run, into `outputDirectory`.
    public static func compare(_ dirs: [String], into outputDirectory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let all = dirs.map { records(of: $0) }
        // Runs of one paper are drawn against its references for any of their presets.
        let runs = try dirs.map { try config(of: $0)["run"] }
        let papers = Set(runs.compactMap { r -> String? in if case .string(let p)? = r?["paper"] { return p } else { return nil } })
        let presets = Set(runs.compactMap { r -> String? in if case .string(let p)? = r?["preset"] { return p } else { return nil } })
        let references = papers.count == 1 ? try References.load(paper: papers.first!).filter { r in presets.contains { r.applies(to: $0) } } : []
        // Runs of one paper and preset that differ by seed are named by their seeds.
        let seeds = runs.map { $0?["seed"]?.intValue }
        let bySeed = papers.count == 1 && presets.count == 1 && !seeds.contains(nil) && Set(seeds).count == seeds.count
        let names = zip(dirs, seeds).map { dir, seed in bySeed ? "seed \(seed!)" : (dir as NSString).lastPathComponent }
        var keys = Set(all.first?.flatMap(\.keys) ?? [])
        for recs in all.dropFirst() { keys.formIntersection(recs.flatMap(\.keys)) }
        var written: [String] = []
        for key in keys.subtracting(["epoch", "step", "time"]).sorted() {
            let x = all.allSatisfy({ $0.contains { $0["epoch"] != nil && $0[key] != nil } }) ? "epoch" : "step"
            let series = zip(names, all).map { name, recs -> PlotSeries in
                let points = recs.filter { $0[x] != nil && $0[key] != nil }
                return PlotSeries(name, x: points.map { $0[x]! }, y: points.map { $0[key]! })
            }
            guard series.contains(where: { !$0.x.isEmpty }) else { continue }
            let xs = series.flatMap(\.x).filter(\.isFinite)
            let (low, high) = (xs.min() ?? 0, xs.max() ?? 1)
            let marks = References.series(references, keys: [key], x: x, over: low...(high > low ? high : low + 1))
            let path = "\(outputDirectory)/\(key).png"
            try LinePlot(title: key, xLabel: x, yLabel: key, series: series + marks).writePNG(to: path)
            written.append(path)
        }
        return written
    }

    /// The references of a run's paper and preset (config.json's `run`).
    static func runReferences(_ config: JSONValue) throws -> [Reference] {
        guard case .string(let paper)? = config["run"]?["paper"], case .string(let preset)? = config["run"]?["preset"] else { return [] }
        return try References.load(paper: paper, preset: preset)
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : String(format: "%.4g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
