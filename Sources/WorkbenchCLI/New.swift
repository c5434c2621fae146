// `workbench new <Name>`: scaffolds a paper module from templates/<kind> and registers it.
import ArgumentParser
import Foundation

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scaffold a new paper module (sources, test, card, PyTorch reference, fixture).",
        discussion: """
        NAME is the Swift module name (LeNet); the paper id is its lower case (lenet). Writes \
        Sources/<Name>/, Tests/<Name>Tests/ and papers/<id>/ from templates/<kind> (classifier: an image \
        classifier on Fashion-MNIST with eval and predict; generic: any model with a training step and an \
        evaluation, on data it generates, to be replaced by the paper's), adds the name to \
        Package.swift's `papers` list and the paper to Sources/WorkbenchCLI/Papers.swift. Run it \
        anywhere inside the Workbench package; docs/ADDING_A_PAPER.md says what to do next.
        """
    )

    @Argument(help: "Module name: a letter, then letters and digits (e.g. LeNet; lenet becomes Lenet).")
    var name: String

    @Option(help: "The template: classifier (image classifier on Fashion-MNIST) or generic (step and evaluation on generated data).")
    var kind: PaperKind = .classifier

    @Option(help: "The paper's title line, e.g. \"LeNet-5 — LeCun et al. 1998\".")
    var title: String?

    @Option(help: "arXiv identifier, e.g. 1409.4842.")
    var arxiv: String?

    func run() throws {
        do {
            let root = try Scaffold.packageRoot(from: FileManager.default.currentDirectoryPath)
            let paper = try PaperName(name)
            let scaffold = try Scaffold(root: root, paper: paper, kind: kind, title: title, arxiv: arxiv)
            let written = try scaffold.write()
            print("Created paper \(paper.id) (module \(paper.module)) in \(root):")
            for path in written { print("  \(path)") }
            print("""
            Registered in Package.swift (papers list) and Sources/WorkbenchCLI/Papers.swift.
            Next:
              swift build -c release --build-tests && swift test -c release --skip-build --filter \(paper.module)Tests
              .build/release/workbench run \(paper.id) --preset quick
            then replace the template network by the paper's, following docs/ADDING_A_PAPER.md.
            """)
        } catch {
            print("error: \(error.message)")
            throw ExitCode.failure
        }
    }
}

/// Why `workbench new` refused or failed; one sentence for the user.
struct ScaffoldError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A new paper's names: the Swift module (`LeNet`) and the id (`lenet`).
struct PaperName {
    let module: String
    let id: String

    /// Modules the paper's name must not shadow (besides the package's own targets), and the
    /// Swift keywords that a capitalised module name would hit (`import Self` does not compile).
    static let reserved: Set<String> = ["swift", "foundation", "testing", "xctest", "argumentparser", "dispatch",
                                        "glibc", "synchronization", "template", "workbench",
                                        "self", "any", "type", "protocol"]

    init(_ raw: String) throws(ScaffoldError) {
        guard let first = raw.unicodeScalars.first, first.isASCIILetter,
              raw.unicodeScalars.allSatisfy({ $0.isASCIILetter || ("0"..."9").contains($0) }) else {
            throw ScaffoldError("'\(raw)' is not a valid paper name: use a Swift identifier made of a letter followed "
                                + "by letters and digits (e.g. LeNet)")
        }
        module = raw.prefix(1).uppercased() + raw.dropFirst()
        id = raw.lowercased()
        if PaperName.reserved.contains(id) || id.hasPrefix("workbench") {
            throw ScaffoldError("'\(raw)' is reserved (it would clash with a Swift keyword or with the package's or Swift's own modules); choose another name")
        }
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}

extension PaperKind: ExpressibleByArgument {}
