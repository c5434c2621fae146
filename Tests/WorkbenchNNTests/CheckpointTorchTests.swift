// Checkpoints cross between PyTorch and Swift in both directions.
// (b) Tests/Fixtures/checkpoints/torch_<model>.safetensors, written by PyTorch's
//     `save_file(model.state_dict())` (make_module_fixtures.py), loads into the Swift module and
//     reproduces PyTorch's eval output stored in torch_<model>_io.safetensors.
// (a) A checkpoint written by Swift has exactly PyTorch's keys, dtypes and shapes; with
//     WORKBENCH_CHECKPOINT_EXPORT=<dir> the files are kept there for
//     Tests/Fixtures/check_checkpoint_in_torch.py, which loads them with load_state_dict(strict=True).
import Foundation
import Testing
import WorkbenchNN
import WorkbenchTesting

private let checkpoints = repositoryRoot + "/Tests/Fixtures/checkpoints"

/// The two models of make_module_fixtures.py by id, freshly initialised from `seed`.
private func makeModel(_ id: String, seed: UInt64) -> any Layer {
    var g = Generator(seed: seed)
    return id == "sequential_cnn" ? sequentialCNN(generator: &g) : LSTMLinear(generator: &g)
}

private func inputShape(_ id: String) -> [Int] { id == "sequential_cnn" ? [4, 3, 7, 9] : [3, 4, 5] }

@Suite struct CheckpointTorchTests {
    static let models = ["sequential_cnn", "lstm_linear"]

    @Test(arguments: models)
    func pytorchStateDictLoadsAndReproducesTheOutput(_ id: String) throws {
        let model = makeModel(id, seed: 7)
        let (rest, _) = try Checkpoint.load(from: "\(checkpoints)/torch_\(id).safetensors", modules: ["": model])
        #expect(rest.isEmpty, "keys the model does not own: \(rest.keys.sorted())")
        let io = try SafeTensorsFile(contentsOf: "\(checkpoints)/torch_\(id)_io.safetensors")
        model.eval()
        let x = try io.tensor("x"), expected = try io.tensor("y")
        let y = withNoGrad { model(x) }
        let problem = mismatch("y", y, expected)
        #expect(problem == nil, "\(problem ?? "")")
        if id == "sequential_cnn" {
            // PyTorch trained it for two steps: the I64 counter arrives as 2.
            #expect(model.namedBuffers().first { $0.0 == "1.num_batches_tracked" }!.1.data == [2])
        }
    }

    @Test(arguments: models)
    func swiftCheckpointHasPyTorchsLayout(_ id: String) throws {
        let export = ProcessInfo.processInfo.environment["WORKBENCH_CHECKPOINT_EXPORT"]
        let temporary = TemporaryDirectory("export")
        let dir = export ?? temporary.path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

        // Train two SGD steps in Swift so BatchNorm's statistics and counter are not their defaults.
        let model = makeModel(id, seed: 11)
        var g = Generator(seed: 12)
        let sgd = SGD(model.parameters(), lr: 0.1)
        for _ in 0..<2 {
            sgd.zeroGrad()
            weightedSum(model(Tensor.normal(inputShape(id), generator: &g))).backward()
            sgd.step()
        }
        model.eval()
        let x = Tensor.normal(inputShape(id), generator: &g)
        let y = withNoGrad { model(x) }
        let path = "\(dir)/swift_\(id).safetensors"
        try Checkpoint.save(modules: ["": model], to: path)
        var io = SafeTensorsFile()
        io.set("x", x)
        io.set("y", y)
        try io.write(to: "\(dir)/swift_\(id)_io.safetensors")

        // Same names, dtypes and shapes as the file PyTorch's save_file wrote for this model.
        let mine = try SafeTensorsFile(contentsOf: path)
        let theirs = try SafeTensorsFile(contentsOf: "\(checkpoints)/torch_\(id).safetensors")
        #expect(mine.names.sorted() == theirs.names.sorted())
        for name in theirs.names {
            #expect(mine[name]?.dtype == theirs[name]!.dtype && mine[name]?.shape == theirs[name]!.shape, "\(name)")
        }
        // And it loads back into a fresh Swift model with the same output.
        let again = makeModel(id, seed: 13)
        _ = try Checkpoint.load(from: path, modules: ["": again])
        again.eval()
        #expect(identical(withNoGrad { again(x) }, y))
    }
}
