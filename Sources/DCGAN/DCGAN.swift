// `workbench run dcgan` (Radford, Metz, Chintala 2015, arXiv:1511.06434), as pytorch/examples'
// dcgan/main.py: G and D with Adam, D then G on every batch, a sample grid and FID after every
// epoch; then the final evaluation (FID vs the real-data floor, Section 5.1 probe, interpolation).
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

public enum DCGAN: PaperExperiment {
    public static let id = "dcgan"
    public static let title = "DCGAN — Radford, Metz, Chintala 2015, arXiv:1511.06434"
    public static var presets: [(name: String, summary: String)] { DCGANPreset.all.map { ($0.name, $0.summary) } }
    public static let defaultPreset = "fashion"
    public static let datasets = ["fashion-mnist"]

    /// Registers dcgan.generator, dcgan.discriminator and dcgan.gan_steps with `workbench verify`.
    public static func registerFixtures() { DCGANFixtures.register() }

    /// G is the module a plain state dict fills (a netG.state_dict()); D, when the file has no
    /// `D.*` tensors, keeps a fresh initialisation (only training and the probe use it).
    public static func importModules(preset: String, model: FixtureConfig?) throws -> ImportedModules {
        var p = try DCGANPreset.preset(preset)
        if let model { p.model = try DCGANConfig(model) }
        var g = Generator(seed: 0)
        let netG = DCGANGenerator(p.model, generator: &g), netD = DCGANDiscriminator(p.model, generator: &g)
        return ImportedModules(hyperparameters: p.hyperparameters, modules: ["G": netG, "D": netD], primary: "G", optional: ["D"])
    }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        let preset = try DCGANPreset.preset(run.preset)
        let epochs = run.epochs ?? preset.epochs
        var hyper = preset.hyperparameters
        hyper["epochs"] = .int(epochs)
        try run.writeConfig(hyper)

        let trainAll = try FashionMNIST.load(split: .train, dataDirectory: run.dataDirectory)
        let test = try FashionMNIST.load(split: .test, dataDirectory: run.dataDirectory)
        let train = preset.trainLimit.map { trainAll.prefix($0) } ?? trainAll

        // Each stream of randomness is derived from (seed, purpose), so a resumed run draws what an uninterrupted one would.
        var initStream = derivedGenerator(run.seed, 1), classifierStream = derivedGenerator(run.seed, 2)
        let netG = DCGANGenerator(preset.model, generator: &initStream)
        let netD = DCGANDiscriminator(preset.model, generator: &initStream)
        let classifier = FashionClassifier(generator: &classifierStream)
        let (optG, optD) = dcganOptimizers(generator: netG, discriminator: netD, lr: preset.learningRate,
                                           betas: (preset.betas[0], preset.betas[1]))
        var fixedStream = derivedGenerator(run.seed, 3)
        let fixedNoise = Tensor.normal([64, preset.model.nz, 1, 1], generator: &fixedStream)

        let loop = TrainingLoop(run, epochs: epochs, modules: ["G": netG, "D": netD, "fid_classifier": classifier],
                                optimizers: ["G": optG, "D": optD], metric: "fid", higherIsBetter: false)
        loop.logEvery = preset.logEvery
        loop.progressLabels = [("loss_d", "D"), ("loss_g", "G"), ("d_x", "D(x)"), ("d_g_z1", "D(G(z))")]
        loop.plots = [PlotSpec("losses", title: "DCGAN losses", series: ["loss_d", "loss_g"], yLabel: "BCE"),
                      PlotSpec("d_outputs", title: "Discriminator outputs", series: ["d_x", "d_g_z1", "d_g_z2"], yLabel: "mean sigmoid"),
                      PlotSpec("fid", title: "FID (Fashion-MNIST classifier features)", series: ["fid", "fid_floor"], yLabel: "FID")]
        // The FID classifier is trained once, before the GAN; a resumed run has it in its checkpoint.
        if try loop.restore() == nil { fitClassifier(classifier, trainAll, preset, run) }
        let fid = FIDReference(classifier, train: trainAll, test: test, samples: preset.fidSamples, nz: preset.model.nz,
                               seed: run.seed, times: run.times)

        var noiseStream = derivedGenerator(run.seed, 4)   // the latents of each step; reset per epoch
        try loop.fit(batches: { epoch in
            noiseStream = derivedGenerator(run.seed, 4, epoch: epoch)
            return ImageBatches(train, batchSize: preset.batchSize, shuffle: true, seed: run.seed, epoch: epoch,
                                resize: .pad(2), normalization: .minusOneToOne)
        }, step: { batch, _ in
            let z = run.times.measure("data") { Tensor.normal([batch.x.shape[0], preset.model.nz, 1, 1], generator: &noiseStream) }
            return StepStats(ganStep(real: batch.x, noise: z, netG: netG.forward, netD: netD.forward,
                                     optimizerG: optG, optimizerD: optD, times: run.times).values)
        }, evaluate: { epoch in
            try writeGrid(netG, fixedNoise, to: run.samplesDirectory + String(format: "/epoch_%03d.png", epoch + 1))
            return ["fid": fid.score(netG), "fid_floor": fid.floor]
        })
        guard !loop.stopped && !run.stopRequested else { return loop.summary }

        // Final evaluation of the last generator and discriminator.
        try writeGrid(netG, fixedNoise, to: run.samplesDirectory + "/final.png")
        try interpolationGrid(netG, seed: run.seed).writePNG(to: run.samplesDirectory + "/interpolation.png")
        let probe = run.times.measure("probe") { featureProbe(netD, preset, train: trainAll, test: test, seed: run.seed) }
        return loop.summary.merging(probe) { $1 }
            .merging(["fid_floor": fid.floor, "fid_classifier_accuracy": fid.classifierAccuracy]) { $1 }
    }
}
