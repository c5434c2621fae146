// `workbench import` on LeNet: a bare PyTorch-style state dict becomes a run that `eval` scores
// exactly as the run it came from; a state dict that does not fit writes nothing.
import Foundation
import Testing
import LeNet
import WorkbenchNN
import WorkbenchRun
import WorkbenchTesting

@Suite struct LeNetImportTests {
    @Test func stateDictBecomesARunThatEvalAccepts() throws {
        let dir = TemporaryDirectory("lenet-import")
        try writeSyntheticFashionMNIST(to: dir.file("data"), train: 200, test: 50)
        let trained = try ExperimentRun(paper: LeNetExperiment.id, preset: "quick", seed: 4, epochs: 1,
                                        dataDirectory: dir.file("data"), root: dir.file("runs"))
        _ = try trained.writeSummary(try LeNetExperiment.run(trained))
        // The run's weights as PyTorch's model.state_dict() names them: no "model." prefix.
        let checkpoint = try SafeTensorsFile(contentsOf: trained.lastCheckpointPath)
        var bare = SafeTensorsFile()
        for name in checkpoint.names where name.hasPrefix("model.") { bare.set(String(name.dropFirst(6)), checkpoint[name]!) }
        try bare.write(to: dir.file("lenet.safetensors"))

        let imported = try RunImport.make(LeNetExperiment.self, stateDict: dir.file("lenet.safetensors"), preset: "quick",
                                          modelConfig: nil, root: dir.file("imported"))
        let original = try LeNetExperiment.evaluate(runDirectory: trained.directory, dataDirectory: dir.file("data"))
        #expect(try LeNetExperiment.evaluate(runDirectory: imported.directory, dataDirectory: dir.file("data")) == original)
        let top = try LeNetExperiment.predict(runDirectory: imported.directory, imagePath: repositoryRoot + "/Tests/Fixtures/png/grey8.png", top: 2)
        #expect(top.count == 2)
        // An imported run has nothing to resume.
        do {
            _ = try LeNetExperiment.run(try ExperimentRun(resuming: imported.directory))
            Issue.record("an imported run was resumed")
        } catch let error as RunError {
            #expect(error.description.contains("nothing left to do"), "\(error)")
        }

        // Misfits are named, and leave no run directory behind.
        func refusal(_ file: SafeTensorsFile) throws -> String {
            try file.write(to: dir.file("bad.safetensors"))
            do {
                _ = try RunImport.make(LeNetExperiment.self, stateDict: dir.file("bad.safetensors"), preset: "quick",
                                       modelConfig: nil, root: dir.file("refused"))
                return "imported"
            } catch let error as RunError {
                return error.description
            }
        }
        var missing = bare
        missing.remove("f6.weight")
        #expect(try refusal(missing).contains("f6.weight"))
        var foreign = bare
        foreign.set("head.weight", Tensor.zeros([2, 2]))
        #expect(try refusal(foreign).contains("head.weight"))
        let broken = try bare.tensor("c1.weight")
        broken.data[0] = .nan
        var diverged = bare
        diverged.set("c1.weight", broken)
        #expect(try refusal(diverged).contains("NaN"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("refused")))
    }
}
