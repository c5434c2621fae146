// The work of `workbench new`: pick the template of the paper's kind, find the package, check the name is free, fill in the template,
// rename the template fixture's model id, and add the paper to Package.swift and Papers.swift.
import Foundation
import WorkbenchData

/// What kind of paper `workbench new` starts from: the directory under templates/.
enum PaperKind: String, CaseIterable {
    /// An image classifier on Fashion-MNIST, with `eval` and `predict` (templates/classifier).
    case classifier
    /// Any model with a training step and an evaluation on data it makes itself (templates/generic).
    case generic
}

struct Scaffold {
    let root: String
    let paper: PaperName
    /// Title for `workbench list` (with ", arXiv:ID" when given) and the card's citation line.
    let title: String
    let citation: String
    let kind: PaperKind
    var templateDirectory: String { root + "/templates/" + kind.rawValue }

    /// The directory holding the Workbench Package.swift (the one that declares `let papers`),
    /// searched from `directory` upwards.
    static func packageRoot(from directory: String) throws(ScaffoldError) -> String {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let manifest = url.appendingPathComponent("Package.swift").path
            if let text = try? String(contentsOfFile: manifest, encoding: .utf8), text.contains("let papers: [String] = [") {
                return url.path
            }
            if url.path == "/" { break }
            url.deleteLastPathComponent()
        }
        throw ScaffoldError("not inside the Workbench package: no Package.swift with a `let papers` list in \(directory) "
                            + "or any directory above it; run `workbench new` from the package's checkout")
    }

    init(root: String, paper: PaperName, kind: PaperKind = .classifier, title: String?, arxiv: String?) throws(ScaffoldError) {
        self.root = root
        self.paper = paper
        self.kind = kind
        var title = title ?? "\(paper.module) (title, authors and year to be filled in)"
        if title.contains(where: \.isNewline) { throw ScaffoldError("--title must be one line") }
        var citation = "*\(title).*"
        if let arxiv {
            let modern = #/[0-9]{4}\.[0-9]{4,5}(v[0-9]+)?/#, old = #/[a-z-]+(\.[A-Z]{2})?/[0-9]{7}(v[0-9]+)?/#
            guard arxiv.wholeMatch(of: modern) != nil || arxiv.wholeMatch(of: old) != nil else {
                throw ScaffoldError("--arxiv '\(arxiv)' is not an arXiv identifier such as 1409.4842 or cs/0101001")
            }
            title += ", arXiv:\(arxiv)"
            citation += " [arXiv:\(arxiv)](https://arxiv.org/abs/\(arxiv))."
        }
        self.title = title
        self.citation = citation
    }

    /// Checks everything, then writes the files and the two registrations; returns the paths
    /// written, relative to the root. Nothing is written when a check fails.
    func write() throws(ScaffoldError) -> [String] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: templateDirectory) else {
            throw ScaffoldError("\(templateDirectory) is missing: the package checkout is incomplete")
        }
        let manifestPath = root + "/Package.swift", registryPath = root + "/Sources/WorkbenchCLI/Papers.swift"
        let manifest = try read(manifestPath), registry = try read(registryPath)
        try checkFree(manifest: manifest, registry: registry)
        let newManifest = try Self.addPaper(paper.module, toManifest: manifest)
        let newRegistry = try Self.addPaper(paper.module, toRegistry: registry)

        var files: [(path: String, data: Data)] = []
        for (from, to) in [("Sources", "Sources/\(paper.module)"), ("Tests", "Tests/\(paper.module)Tests"), ("papers", "papers/\(paper.id)")] {
            for relative in try templateFiles(from) {
                let source = "\(templateDirectory)/\(from)/\(relative)"
                guard let data = fm.contents(atPath: source) else { throw ScaffoldError("cannot read \(source)") }
                let target = "\(to)/\(fill(relative, swiftLiteral: false))"
                if relative.hasSuffix(".safetensors") {
                    files.append((target, try renamedFixture(data, source: source)))
                } else {
                    guard let text = String(data: data, encoding: .utf8) else { throw ScaffoldError("\(source) is not UTF-8 text") }
                    files.append((target, Data(fill(text, swiftLiteral: relative.hasSuffix(".swift")).utf8)))
                }
            }
        }
        for file in files where fm.fileExists(atPath: root + "/" + file.path) {
            throw ScaffoldError("\(file.path) already exists; remove it or choose another name")
        }
        do {
            for file in files {
                let path = root + "/" + file.path
                try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try file.data.write(to: URL(fileURLWithPath: path))
            }
            try writeFileAtomically(manifestPath, Array(newManifest.utf8))
            try writeFileAtomically(registryPath, Array(newRegistry.utf8))
        } catch {
            throw ScaffoldError("writing the new paper failed: \(error.localizedDescription)")
        }
        return files.map(\.path) + ["Package.swift", "Sources/WorkbenchCLI/Papers.swift"]
    }

    /// Refuses a name whose module, test target, paper directory or id exists in any letter case.
    func checkFree(manifest: String, registry: String) throws(ScaffoldError) {
        let listed = Self.paperList(manifest)?.names ?? []
        if let clash = listed.first(where: { $0.lowercased() == paper.id }) {
            throw ScaffoldError("a paper named \(clash) is already in Package.swift's papers list")
        }
        let fm = FileManager.default
        for (dir, candidate) in [("Sources", paper.module), ("Tests", paper.module + "Tests"), ("papers", paper.id)] {
            let existing = (try? fm.contentsOfDirectory(atPath: root + "/" + dir)) ?? []
            if let clash = existing.first(where: { $0.lowercased() == candidate.lowercased() }) {
                throw ScaffoldError("\(dir)/\(clash) already exists (names are compared ignoring case); choose another name")
            }
        }
        if let clash = Papers.all.first(where: { $0.id.lowercased() == paper.id }) {
            throw ScaffoldError("the paper id '\(clash.id)' is already taken (\(clash.title))")
        }
        if registry.contains("import \(paper.module)\n") || registry.contains("\(paper.module)Experiment.self") {
            throw ScaffoldError("Sources/WorkbenchCLI/Papers.swift already names \(paper.module)")
        }
    }

    /// Template files under `templates/<kind>/<directory>`, relative to it, sorted.
    func templateFiles(_ directory: String) throws(ScaffoldError) -> [String] {
        let base = templateDirectory + "/" + directory
        guard let found = FileManager.default.enumerator(atPath: base)?.allObjects as? [String] else {
            throw ScaffoldError("cannot list \(base)")
        }
        return found.filter { path in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isDir) && !isDir.boolValue
                && !path.hasSuffix(".pyc") && !path.contains("__pycache__")
        }.sorted()
    }

    /// The template text with its placeholders replaced. In Swift files a quoted `"__TITLE__"`
    /// becomes a properly escaped string literal.
    func fill(_ text: String, swiftLiteral: Bool) -> String {
        var s = text
        if swiftLiteral {
            let escaped = title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            s = s.replacingOccurrences(of: "\"__TITLE__\"", with: "\"\(escaped)\"")
        }
        return s.replacingOccurrences(of: "__Paper__", with: paper.module)
            .replacingOccurrences(of: "__paper__", with: paper.id)
            .replacingOccurrences(of: "__TITLE__", with: title)
            .replacingOccurrences(of: "__CITATION__", with: citation)
    }

    /// The template fixture with its `__metadata__.name` set to `<id>.model` (tensor data untouched).
    func renamedFixture(_ data: Data, source: String) throws(ScaffoldError) -> Data {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw ScaffoldError("\(source) is not a safetensors file") }
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard headerLength > 0, 8 + headerLength <= bytes.count,
              var header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any],
              var metadata = header["__metadata__"] as? [String: String] else {
            throw ScaffoldError("\(source) has no readable safetensors header")
        }
        metadata["name"] = "\(paper.id).model"
        header["__metadata__"] = metadata
        guard var json = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            throw ScaffoldError("cannot rewrite the header of \(source)")
        }
        // Safetensors pads the header with spaces so that the data starts 8-byte aligned.
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var out = Data((0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) })
        out.append(json)
        out.append(contentsOf: bytes[(8 + headerLength)...])
        return out
    }

    func read(_ path: String) throws(ScaffoldError) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ScaffoldError("cannot read \(path)") }
        return text
    }

    // MARK: registrations

    /// The names of Package.swift's `let papers: [String] = [ ... ]` and the line range they span.
    static func paperList(_ manifest: String) -> (names: [String], lines: Range<Int>)? {
        let lines = manifest.components(separatedBy: "\n")
        guard let open = lines.firstIndex(where: { $0.hasPrefix("let papers: [String] = [") }),
              let close = lines[(open + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "]" }) else {
            return nil
        }
        let names = lines[(open + 1)..<close].compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("\""), let end = t.dropFirst().firstIndex(of: "\"") else { return nil }
            return String(t[t.index(after: t.startIndex)..<end])
        }
        return (names, (open + 1)..<close)
    }

    /// Package.swift with `module` added to the papers list, kept sorted.
    static func addPaper(_ module: String, toManifest manifest: String) throws(ScaffoldError) -> String {
        guard let (names, range) = paperList(manifest) else {
            throw ScaffoldError("Package.swift has no `let papers: [String] = [` list closed by a `]` line")
        }
        var lines = manifest.components(separatedBy: "\n")
        lines.replaceSubrange(range, with: (names + [module]).sorted().map { "    \"\($0)\"," })
        return lines.joined(separator: "\n")
    }

    /// Papers.swift with `import <module>` among its imports and `<module>Experiment.self` at the
    /// end of `Papers.all`.
    static func addPaper(_ module: String, toRegistry registry: String) throws(ScaffoldError) -> String {
        var lines = registry.components(separatedBy: "\n")
        guard let firstImport = lines.firstIndex(where: { $0.hasPrefix("import ") }) else {
            throw ScaffoldError("Sources/WorkbenchCLI/Papers.swift has no import lines")
        }
        var end = firstImport
        while end < lines.count && lines[end].hasPrefix("import ") { end += 1 }
        lines.replaceSubrange(firstImport..<end, with: (lines[firstImport..<end] + ["import \(module)"]).sorted())
        guard let open = lines.firstIndex(where: { $0.contains("static let all: [any PaperExperiment.Type] = [") }),
              let close = lines[(open + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "]" }) else {
            throw ScaffoldError("Sources/WorkbenchCLI/Papers.swift has no `static let all: [any PaperExperiment.Type] = [` list")
        }
        lines.insert("        \(module)Experiment.self,", at: close)
        return lines.joined(separator: "\n")
    }
}
