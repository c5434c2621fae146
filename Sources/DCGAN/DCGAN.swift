// The DCGAN paper module's entry point for the harness: presets, the training run with per-epoch
// samples and FID, and the final evaluation (Radford, Metz, Chintala 2015, arXiv:1511.06434).
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

public enum DCGAN: PaperExperiment {
    public static let id = "dcgan"
    public static let title = "DCGAN — Radford, Metz, Chintala 2015, arXiv:1511.06434"
    public static let presets: [(name: String, summary: String)] = [
        ("quick", "2-3 min: half-width dcgan32 (ngf=ndf=32), batch 64, 300 steps on Fashion-MNIST, small FID and probe"),
        ("fashion", "dcgan32 on Fashion-MNIST 32x32, batch 128, Adam 2e-4/0.5, FID per epoch, Section 5.1 probe"),
    ]
    public static let defaultPreset = "fashion"
    public static let datasets = ["fashion-mnist"]

    /// Registers dcgan.generator, dcgan.discriminator and dcgan.gan_steps with `workbench verify`.
    public static func registerFixtures() { DCGANFixtures.register() }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        guard let preset = DCGANPreset.named(run.preset) else {
            throw RunError.unknownPreset(paper: id, preset: run.preset, known: presets.map(\.name))
        }
        return try DCGANTraining(run: run, preset: preset).execute()
    }

    /// Writes a grid of `count` samples (8 per row) from the generator in a run's checkpoint
    /// (`checkpoints/last.safetensors`, or a checkpoint file) to `png`, noise drawn from `seed`.
    public static func sample(checkpoint: String, count: Int, seed: UInt64, to png: String) throws {
        precondition(count > 0, "sample: count must be positive, got \(count)")
        var path = checkpoint
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            path = (path as NSString).appendingPathComponent("checkpoints/last.safetensors")
        }
        let netG = try loadGenerator(path)
        var g = Generator(seed: seed)
        let z = Tensor.normal([count, netG.config.nz, 1, 1], generator: &g)
        try ImageGrid.make(sampleImages(netG, z), nrow: 8, padding: 2, range: -1...1).writePNG(to: png)
    }

    /// The generator stored under `G.` in a checkpoint, its config read off the weight shapes.
    public static func loadGenerator(_ path: String) throws -> DCGANGenerator {
        let file = try SafeTensorsFile(contentsOf: path)
        let convs = file.names.filter { $0.hasPrefix("G.main.") && $0.hasSuffix(".weight") }
            .compactMap { name -> (Int, [Int])? in
                guard let i = Int(name.split(separator: ".")[2]), let t = file[name], t.shape.count == 4 else { return nil }
                return (i, t.shape)
            }.sorted { $0.0 < $1.0 }
        guard convs.count == 4 || convs.count == 5 else {
            throw RunError.invalid("\(path) holds no DCGAN generator (G.main.*.weight)")
        }
        let first = convs[0].1, last = convs[convs.count - 1].1
        // ndf only matters for D; read it from D's first conv when the checkpoint has one.
        let ndf = file["D.main.0.weight"]?.shape.first ?? last[0]
        let cfg = DCGANConfig(imageSize: convs.count == 4 ? 32 : 64, nz: first[0], ngf: last[0], ndf: ndf, nc: last[1])
        var g = Generator(seed: 0)
        let netG = DCGANGenerator(cfg, generator: &g)
        _ = try Checkpoint.load(from: path, modules: ["G": netG])
        return netG
    }
}

/// Sizes of one preset.
struct DCGANPreset {
    var model: DCGANConfig
    var batchSize: Int
    var epochs: Int
    /// Training images used (nil: all 60,000).
    var trainLimit: Int?
    var classifierEpochs: Int
    var classifierTrainLimit: Int?
    /// Generated and real images per FID estimate.
    var fidSamples: Int
    /// Labelled train / test images of the Section 5.1 probe.
    var probeTrain: Int
    var probeTest: Int
    var probeEpochs: Int
    var logEvery: Int

    static func named(_ name: String) -> DCGANPreset? {
        switch name {
        case "quick":
            return DCGANPreset(model: DCGANConfig(imageSize: 32, nz: 100, ngf: 32, ndf: 32, nc: 1), batchSize: 64, epochs: 1,
                               trainLimit: 19_200, classifierEpochs: 1, classifierTrainLimit: 10_000, fidSamples: 2000,
                               probeTrain: 2000, probeTest: 2000, probeEpochs: 10, logEvery: 25)
        case "fashion":
            return DCGANPreset(model: .fashionMNIST32, batchSize: 128, epochs: 5, trainLimit: nil, classifierEpochs: 1,
                               classifierTrainLimit: 20_000, fidSamples: 10_000, probeTrain: 10_000, probeTest: 10_000,
                               probeEpochs: 10, logEvery: 50)
        default: return nil
        }
    }

    var json: [String: JSONValue] {
        var o: [String: JSONValue] = [
            "model": .object(model.json.mapValues { .int($0) }), "batch_size": .int(batchSize), "epochs": .int(epochs),
            "optimizer": .object(["type": .string("adam"), "lr": .double(2e-4), "betas": .array([.double(0.5), .double(0.999)])]),
            "loss": .string("bce_with_logits (non-saturating G loss)"), "latent": .string("N(0, 1)"),
            "images": .string("Fashion-MNIST 28x28 zero-padded to 32x32, scaled to [-1, 1]"),
            "fid": .object(["feature_extractor": .string("FashionClassifier features (128-d)"),
                            "classifier_epochs": .int(classifierEpochs), "samples": .int(fidSamples)]),
            "probe": .object(["train": .int(probeTrain), "test": .int(probeTest), "epochs": .int(probeEpochs),
                              "weight_decay": .double(1e-4)]),
        ]
        if let trainLimit { o["train_images"] = .int(trainLimit) }
        if let classifierTrainLimit { o["classifier_train_images"] = .int(classifierTrainLimit) }
        return o
    }
}

/// Samples from G in train-mode BatchNorm (batch statistics, as pytorch/examples samples), in
/// chunks of 500, leaving G's running statistics untouched. [N, nz, 1, 1] -> [N, nc, S, S]
public func sampleImages(_ netG: DCGANGenerator, _ z: Tensor) -> Tensor {
    let saved = netG.namedBuffers().map { ($0.1, $0.1.data) }
    let wasTraining = netG.training
    netG.train()
    defer {
        for (t, data) in saved { t.data = data }
        netG.train(wasTraining)
    }
    return inBatches(z, batchSize: 500) { netG($0) }
}

/// A stream of the run's randomness derived from (seed, purpose, epoch), so that a resumed run
/// draws exactly what an uninterrupted one would.
func derivedGenerator(_ seed: UInt64, _ purpose: UInt64, epoch: Int = 0) -> Generator {
    Generator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ purpose &* 1_000_003 &+ UInt64(epoch))
}
