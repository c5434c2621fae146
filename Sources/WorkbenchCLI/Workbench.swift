// The `workbench` command line: a thin layer over the library modules.
import ArgumentParser

public struct Workbench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Reimplement classic deep-learning papers on a CPU and check them against PyTorch.",
        discussion: "workbench --version prints the source commit the binary was built from.",
        subcommands: [List.self, New.self, Run.self, Resume.self, Report.self, Verify.self, Eval.self, Predict.self,
                      Sample.self, Play.self, Translate.self, Bleu.self, Import.self]
    )

    public init() {}
}
