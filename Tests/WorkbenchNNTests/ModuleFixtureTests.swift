// Models built from WorkbenchNN modules against PyTorch (Tests/Fixtures/modules, written by
// make_module_fixtures.py), through the same path as the papers' fixtures: the verifier binds the
// modules with `call.module` (loadStateDict under PyTorch's names) and checks outputs, loss, every
// gradient, buffers, and 5 Adam steps on the same batch.
import Testing
import WorkbenchNN
import WorkbenchTesting

/// The Sequential of make_module_fixtures.sequential_cnn: [N, 3, 7, 9] -> [N, 4].
func sequentialCNN(generator g: inout Generator) -> Sequential {
    Sequential(Conv2d(3, 5, kernelSize: 3, padding: 1, bias: false, generator: &g), BatchNorm2d(5), ReLU(),
               MaxPool2d(2), Flatten(), Linear(5 * 3 * 4, 4, generator: &g))
}

/// make_module_fixtures.LSTMLinear: children `lstm` (2 layers, bidirectional, batch first) and `fc`.
final class LSTMLinear: Module, Layer {
    let lstm: LSTM, fc: Linear
    init(generator g: inout Generator) {
        lstm = LSTM(5, 7, numLayers: 2, batchFirst: true, bidirectional: true, generator: &g)
        fc = Linear(14, 3, generator: &g)
    }
    override var namedChildren: [(String, Module)] { [("lstm", lstm), ("fc", fc)] }
    /// [N, T, 5] -> [N, T, 3]
    func forward(_ x: Tensor) -> Tensor { fc(lstm.forward(x).output) }
}

@Suite struct ModuleFixtureTests {
    static let directory = "Tests/Fixtures/modules"

    /// Registers the two test models the way a paper registers its model ids.
    static func registerModels() {
        FixtureRegistry.register(model: "test.sequential_cnn") { call in
            let model: Sequential = try call.module { var g = Generator(seed: 3); return sequentialCNN(generator: &g) }
            return ["y": model(try call.input("x"))]
        }
        FixtureRegistry.register(model: "test.lstm_linear") { call in
            let model: LSTMLinear = try call.module { var g = Generator(seed: 3); return LSTMLinear(generator: &g) }
            return ["y": model(try call.input("x"))]
        }
    }

    @Test func verifierRunsModelFixturesThroughBoundModules() {
        Self.registerModels()
        #expect(Set(FixtureRegistry.modelIds).isSuperset(of: ["test.sequential_cnn", "test.lstm_linear"]))
        for path in fixtureFiles(in: Self.directory) {
            let report = FixtureVerifier.verify(path: path)
            #expect(report.passed, "\(report.line)")
            // output, loss, every gradient, buffers, 5 step losses, final parameters and buffers
            #expect(report.compared >= 20, "\(report.line)")
        }
    }

    @Test func verifierNamesStateDictKeysAModelLacks() throws {
        Self.registerModels()
        let dir = TemporaryDirectory("model-fixture")
        var file = try SafeTensorsFile(contentsOf: repositoryRoot + "/\(Self.directory)/sequential_cnn_adam.safetensors")
        let w = try file.tensor("param.5.weight")
        file.remove("param.5.weight")
        file.set("param.6.weight", w)
        let path = dir.file("renamed.safetensors")
        try file.write(to: path)
        let report = FixtureVerifier.verify(path: path)
        #expect(!report.passed && report.line.contains("missing keys: 5.weight; unexpected keys: 6.weight"), "\(report.line)")

        var perturbed = try SafeTensorsFile(contentsOf: repositoryRoot + "/\(Self.directory)/lstm_linear_adam.safetensors")
        let final = try perturbed.tensor("expect.final.param.lstm.weight_hh_l1_reverse")
        final.data[5] += 0.01
        perturbed.set("expect.final.param.lstm.weight_hh_l1_reverse", final)
        try perturbed.write(to: path)
        let second = FixtureVerifier.verify(path: path)
        #expect(!second.passed && second.line.contains("expect.final.param.lstm.weight_hh_l1_reverse differs"), "\(second.line)")
    }

    @Test func everyModuleFixtureIsChecked() {
        #expect(fixtureFiles(in: Self.directory).map { $0.split(separator: "/").last! } ==
                ["lstm_linear_adam.safetensors", "sequential_cnn_adam.safetensors"])
    }
}
