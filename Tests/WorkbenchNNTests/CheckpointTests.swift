// Checkpoint.save/load: exact round trips of modules and optimizer state (a resumed run continues
// bit-identically), strict errors naming the key, nothing changed by a failed load, atomic writes.
import Foundation
import Testing
import WorkbenchNN
import WorkbenchTesting

/// A small model with a BatchNorm (buffers and an integer counter) for optimizer round trips.
private func smallModel(seed: UInt64) -> Sequential {
    var g = Generator(seed: seed)
    return Sequential(Linear(6, 8, generator: &g), BatchNorm1d(8), Tanh(), Linear(8, 3, generator: &g))
}

private func trainStep(_ model: Sequential, _ optimizer: Optimizer, _ x: Tensor, _ target: Tensor) {
    optimizer.zeroGrad()
    F.mseLoss(model(x), target: target).backward()
    optimizer.step()
}

/// The error `body` throws, described; nil when it does not throw.
private func thrown(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}

enum OptimizerKind: String, CaseIterable, CustomTestStringConvertible {
    case sgdMomentum, sgdNesterovWeightDecay, adam, adamW, rmspropCentered, rmspropCenteredMomentum
    func make(_ p: [Tensor]) -> Optimizer {
        switch self {
        case .sgdMomentum: SGD(p, lr: 0.05, momentum: 0.9)
        case .sgdNesterovWeightDecay: SGD(p, lr: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        case .adam: Adam(p, lr: 0.01)
        case .adamW: Adam.adamW(p, lr: 0.01)
        case .rmspropCentered: RMSprop(p, lr: 0.01, alpha: 0.95, eps: 0.01, centered: true)
        case .rmspropCenteredMomentum: RMSprop(p, lr: 0.01, momentum: 0.5, centered: true)
        }
    }
    var testDescription: String { rawValue }
}

@Suite struct CheckpointTests {
    let data: (x: Tensor, target: Tensor) = {
        var g = Generator(seed: 99)
        return (Tensor.normal([5, 6], generator: &g), Tensor.normal([5, 3], generator: &g))
    }()

    @Test func roundTripRestoresEveryValueExactly() throws {
        let dir = TemporaryDirectory("checkpoint")
        var g = Generator(seed: 1)
        let cnn = sequentialCNN(generator: &g), rnn = LSTMLinear(generator: &g)
        _ = cnn(Tensor.normal([4, 3, 7, 9], generator: &g))   // moves running stats, counts one batch
        let extra = Tensor.normal([2, 3], generator: &g)
        let path = dir.file("model.safetensors")
        try Checkpoint.save(modules: ["cnn": cnn, "rnn": rnn], tensors: ["extra.noise": extra],
                            metadata: ["epoch": "3"], to: path)

        var h = Generator(seed: 2)
        let cnn2 = sequentialCNN(generator: &h), rnn2 = LSTMLinear(generator: &h)
        #expect(!identical(cnn.parameters()[0], cnn2.parameters()[0]))
        let (tensors, metadata) = try Checkpoint.load(from: path, modules: ["cnn": cnn2, "rnn": rnn2])
        for (a, b) in zip(cnn.stateDict() + rnn.stateDict(), cnn2.stateDict() + rnn2.stateDict()) {
            #expect(a.0 == b.0 && identical(a.1, b.1), "\(a.0)")
        }
        #expect(cnn2.namedBuffers().first { $0.0 == "1.num_batches_tracked" }!.1.data == [1])
        #expect(tensors.keys.sorted() == ["extra.noise"] && identical(tensors["extra.noise"]!, extra))
        #expect(metadata == ["epoch": "3"])

        // The file uses PyTorch's names under the module prefixes and keeps the counter as I64.
        let file = try SafeTensorsFile(contentsOf: path)
        #expect(file["cnn.1.num_batches_tracked"]?.dtype == .I64 && file["cnn.1.running_var"]?.dtype == .F32)
        #expect(file.names.contains("rnn.lstm.weight_hh_l1_reverse") && file.names.contains("rnn.fc.bias"))
        #expect(file.names.count == cnn.stateDict().count + rnn.stateDict().count + 1)
    }

    @Test(arguments: OptimizerKind.allCases)
    func resumedTrainingContinuesIdentically(_ kind: OptimizerKind) throws {
        let dir = TemporaryDirectory("resume")
        let path = dir.file("run.safetensors")
        let a = smallModel(seed: 1)
        let optA = kind.make(a.parameters())
        for _ in 0..<3 { trainStep(a, optA, data.x, data.target) }
        try Checkpoint.save(modules: ["model": a], optimizers: ["opt": optA], to: path)
        for _ in 0..<2 { trainStep(a, optA, data.x, data.target) }

        let b = smallModel(seed: 2)
        let optB = kind.make(b.parameters())
        _ = try Checkpoint.load(from: path, modules: ["model": b], optimizers: ["opt": optB])
        for _ in 0..<2 { trainStep(b, optB, data.x, data.target) }
        for ((name, x), (_, y)) in zip(a.stateDict(), b.stateDict()) {
            #expect(identical(x, y), "\(name) differs after resuming")
        }

        // Without the optimizer state the continuation differs: the test above can fail.
        let c = smallModel(seed: 2)
        let optC = kind.make(c.parameters())
        _ = try Checkpoint.load(from: path, modules: ["model": c], optimizers: [:])
        for _ in 0..<2 { trainStep(c, optC, data.x, data.target) }
        #expect(!identical(a.parameters()[0], c.parameters()[0]))
    }

    @Test func optimizerStateUsesPyTorchNames() {
        let model = smallModel(seed: 1)
        let adam = Adam(model.parameters())
        trainStep(model, adam, data.x, data.target)
        #expect(adam.stateDict().keys.sorted().prefix(3) == ["state.0.exp_avg", "state.0.exp_avg_sq", "state.0.step"])
        let rms = RMSprop(model.parameters(), momentum: 0.9, centered: true)
        trainStep(model, rms, data.x, data.target)
        #expect(Set(rms.stateDict().keys.filter { $0.hasPrefix("state.1.") }) ==
                ["state.1.step", "state.1.square_avg", "state.1.grad_avg", "state.1.momentum_buffer"])
        let sgd = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        trainStep(model, sgd, data.x, data.target)
        #expect(sgd.stateDict().count == model.parameters().count && sgd.stateDict()["state.5.momentum_buffer"] != nil)
    }

    @Test func missingUnexpectedAndMisshapedKeysAreNamed() throws {
        let dir = TemporaryDirectory("strict")
        var g = Generator(seed: 3)
        let small = Sequential(Linear(4, 3, generator: &g))
        let big = Sequential(Linear(4, 3, generator: &g), BatchNorm1d(3))
        let wide = Sequential(Linear(4, 5, generator: &g))
        let smallPath = dir.file("small.safetensors"), bigPath = dir.file("big.safetensors")
        try Checkpoint.save(modules: ["net": small], to: smallPath)
        try Checkpoint.save(modules: ["net": big], to: bigPath)
        let before = big.stateDict().map { $0.1.clone() }

        let missing = thrown { _ = try Checkpoint.load(from: smallPath, modules: ["net": big]) }
        #expect(missing?.contains("net: state dict does not match the model: missing keys: 1.weight, 1.bias, 1.running_mean, 1.running_var, 1.num_batches_tracked") == true, "\(missing ?? "no error")")
        #expect(zip(big.stateDict(), before).allSatisfy { identical($0.1, $1) }, "a failed load changed the model")

        let unexpected = thrown { _ = try Checkpoint.load(from: bigPath, modules: ["net": small]) }
        #expect(unexpected?.contains("unexpected keys: 1.bias, 1.num_batches_tracked, 1.running_mean, 1.running_var, 1.weight") == true,
                "\(unexpected ?? "no error")")

        let misshaped = thrown { _ = try Checkpoint.load(from: smallPath, modules: ["net": wide]) }
        #expect(misshaped?.contains("shape mismatch: 0.weight: checkpoint [3, 4], model [5, 4]; 0.bias: checkpoint [3], model [5]") == true,
                "\(misshaped ?? "no error")")

        // A bare module ("") takes its own keys and leaves the others to the caller; missing ones are errors.
        let (rest, _) = try Checkpoint.load(from: bigPath, modules: ["net.0": Linear(4, 3, generator: &g)])
        #expect(rest.keys.sorted() == ["net.1.bias", "net.1.num_batches_tracked", "net.1.running_mean", "net.1.running_var", "net.1.weight"])
        try Checkpoint.save(modules: ["": small], to: smallPath)
        let bare = thrown { _ = try Checkpoint.load(from: smallPath, modules: ["": big]) }
        #expect(bare?.contains("missing keys: 1.weight") == true, "\(bare ?? "no error")")
        #expect(thrown { _ = try Checkpoint.load(from: dir.file("absent.safetensors"), modules: ["": small]) }?.contains("absent.safetensors") == true)
    }

    /// A PyTorch state dict saved as it is (no `model.` prefix) gets a one-line hint, and long
    /// key lists are cut to a few names.
    @Test func plainStateDictGetsAHintAndLongKeyListsAreCut() throws {
        let dir = TemporaryDirectory("checkpoint-hint")
        let model = smallModel(seed: 1)
        try Checkpoint.save(modules: ["": model], to: dir.file("plain.safetensors"))
        do {
            _ = try Checkpoint.load(from: dir.file("plain.safetensors"), modules: ["model": smallModel(seed: 2)])
            Issue.record("a plain state dict loaded under model.")
        } catch {
            #expect("\(error)".contains("plain state dict") && "\(error)".contains("'model.'"), "\(error)")
        }
        var g = Generator(seed: 0)
        let wide = Sequential((0..<20).map { _ in Linear(2, 2, generator: &g) as any Layer })
        do {
            try wide.loadStateDict([:])
            Issue.record("an empty state dict loaded")
        } catch {
            #expect(error.description.contains("(40 in all)") && error.description.count < 300, "\(error.description)")
        }
    }

    @Test func optimizerStateIsCheckedAndAFailedLoadChangesNothing() throws {
        let dir = TemporaryDirectory("strict-optim")
        let path = dir.file("adam.safetensors")
        let model = smallModel(seed: 1)
        let adam = Adam(model.parameters())
        trainStep(model, adam, data.x, data.target)
        try Checkpoint.save(modules: ["model": model], optimizers: ["opt": adam], to: path)

        // Adam state into SGD with momentum: the first foreign key is named.
        let target = smallModel(seed: 2)
        let before = target.stateDict().map { $0.1.clone() }
        let sgd = SGD(target.parameters(), lr: 0.1, momentum: 0.9)
        let wrongKind = thrown { _ = try Checkpoint.load(from: path, modules: ["model": target], optimizers: ["opt": sgd]) }
        #expect(wrongKind?.contains("optimizer opt: unexpected optimizer state key state.0.exp_avg") == true, "\(wrongKind ?? "no error")")
        #expect(zip(target.stateDict(), before).allSatisfy { identical($0.1, $1) }, "the model changed although the optimizer failed")

        // Optimizer over other parameter shapes: the mis-shaped entry is named.
        var g = Generator(seed: 4)
        let other = Sequential(Linear(6, 9, generator: &g), BatchNorm1d(9), Tanh(), Linear(9, 3, generator: &g))
        let misshaped = thrown { try Adam(other.parameters()).loadStateDict(adam.stateDict()) }
        #expect(misshaped?.contains("optimizer state state.0.exp_avg has shape [8, 6], parameter 0 has [9, 6]") == true,
                "\(misshaped ?? "no error")")

        // Half a state (exp_avg without exp_avg_sq) or a broken step count is refused, not half-restored.
        var half = adam.stateDict()
        half["state.2.exp_avg_sq"] = nil
        let incomplete = thrown { try Adam(model.parameters()).loadStateDict(half) }
        #expect(incomplete?.contains("missing optimizer state keys state.2.exp_avg_sq") == true, "\(incomplete ?? "no error")")
        var nan = adam.stateDict()
        nan["state.0.step"] = Tensor(Float.nan)
        #expect(thrown { try Adam(model.parameters()).loadStateDict(nan) }?.contains("state.0.step") == true)

        // A second optimizer failing rolls back the first.
        let fresh = Adam(model.parameters())
        let sgd2 = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        let path2 = dir.file("two.safetensors")
        try Checkpoint.save(modules: [:], optimizers: ["a": adam, "b": adam], to: path2)
        #expect(thrown { _ = try Checkpoint.load(from: path2, modules: [:], optimizers: ["a": fresh, "b": sgd2]) } != nil)
        #expect(fresh.stateDict().isEmpty, "the first optimizer kept a state from a failed load")
    }

    @Test func aFailedWriteLeavesTheOldFile() throws {
        let dir = TemporaryDirectory("atomic")
        var g = Generator(seed: 5)
        let model = Sequential(Linear(4, 3, generator: &g))
        // A name of 250 bytes is legal, but the writer's temporary file next to it (".<name>.tmp-...")
        // exceeds the 255-byte name limit, so the write fails before the rename.
        let path = dir.file(String(repeating: "c", count: 238) + ".safetensors")
        let old = Data("previous checkpoint".utf8)
        #expect(FileManager.default.createFile(atPath: path, contents: old))
        let error = thrown { try Checkpoint.save(modules: ["": model], to: path) }
        #expect(error != nil)
        #expect(FileManager.default.contents(atPath: path) == old)
        #expect(dir.contents.count == 1, "left behind: \(dir.contents)")

        // A path that is a directory: the rename fails, the directory and its content stay.
        let blocked = dir.file("blocked.safetensors")
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false)
        #expect(FileManager.default.createFile(atPath: blocked + "/keep", contents: old))
        #expect(thrown { try Checkpoint.save(modules: ["": model], to: blocked) } != nil)
        #expect(FileManager.default.contents(atPath: blocked + "/keep") == old)
        #expect(dir.contents.count == 2, "left behind: \(dir.contents)")

        // A successful save replaces the file whole (a new inode, no temporary left).
        let good = dir.file("good.safetensors")
        try Checkpoint.save(modules: ["": model], to: good)
        let inode = try FileManager.default.attributesOfItem(atPath: good)[.systemFileNumber] as? UInt64
        try Checkpoint.save(modules: ["": model], tensors: ["x": Tensor.ones([2])], to: good)
        #expect(try FileManager.default.attributesOfItem(atPath: good)[.systemFileNumber] as? UInt64 != inode)
        #expect(dir.contents.count == 3, "left behind: \(dir.contents)")
        #expect(try Checkpoint.load(from: good, modules: ["": model]).tensors.keys.sorted() == ["x"])
    }
}
