// `workbench import`: weights trained in PyTorch as a run directory of this workbench.
import ArgumentParser
import Foundation
import WorkbenchRun

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a run directory from a PyTorch state dict, for eval, predict, sample, translate and play.",
        discussion: """
            STATE_DICT is a .safetensors file written by safetensors.torch.save_file(model.state_dict(), path): \
            PyTorch's state-dict names, bare for the paper's main module or under its checkpoint prefixes \
            (model., G. and D., online. and target.). The model config is the preset's unless --config gives \
            a JSON object with config.json's hyperparameters.model names. Writes <out>/<paper>-<preset>-<time>/.
            """)

    @Argument(help: "Paper id (see `workbench list`).") var paper: String
    @Argument(help: "The state dict (.safetensors).") var stateDict: String
    @Option(help: "Preset whose model and recipe the weights belong to; default: the paper's.") var preset: String?
    @Option(help: "A JSON file with the model config; default: the preset's.") var config: String?
    @Option(help: "Parent directory of run directories.") var out: String = "runs"

    func validate() throws {
        if out.isEmpty { throw ValidationError("--out must name a directory (default: runs)") }
    }

    func run() throws {
        let (paper, preset) = try Papers.find(self.paper, preset: self.preset)
        let run = try RunImport.make(paper, stateDict: stateDict, preset: preset, modelConfig: config, root: out)
        print("Imported \(stateDict) as \(run.directory)")
    }
}
