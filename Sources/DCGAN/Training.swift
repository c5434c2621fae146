// The DCGAN run: FID classifier, GAN epochs with samples, metrics, plots and checkpoints, then the
// final evaluation (FID vs the real-data floor, Section 5.1 feature probe, latent interpolation).
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

struct DCGANTraining {
    let run: ExperimentRun
    let preset: DCGANPreset

    func execute() throws -> [String: Double] {
        try run.writeConfig(preset.json)
        let epochs = run.epochs ?? preset.epochs
        let nz = preset.model.nz
        let trainAll = try FashionMNIST.load(split: .train, dataDirectory: run.dataDirectory)
        let test = try FashionMNIST.load(split: .test, dataDirectory: run.dataDirectory)
        let train = preset.trainLimit.map { trainAll.prefix(min($0, trainAll.count)) } ?? trainAll

        var initStream = derivedGenerator(run.seed, 1)
        let netG = DCGANGenerator(preset.model, generator: &initStream)
        let netD = DCGANDiscriminator(preset.model, generator: &initStream)
        var classifierStream = derivedGenerator(run.seed, 2)
        let classifier = FashionClassifier(generator: &classifierStream)
        let (optG, optD) = dcganOptimizers(generator: netG, discriminator: netD)
        var fixedStream = derivedGenerator(run.seed, 3)
        let fixedNoise = Tensor.normal([64, nz, 1, 1], generator: &fixedStream)
        let modules: [String: Module] = ["G": netG, "D": netD, "fid_classifier": classifier]
        let optimizers: [String: Optimizer] = ["G": optG, "D": optD]

        var startEpoch = 0, step = 0
        var bestFID: Double?
        if let (_, state) = try run.restoreCheckpoint(modules: modules, optimizers: optimizers) {
            startEpoch = state.epoch + 1
            step = state.step
            bestFID = state.bestMetric
        } else {
            let data = preset.classifierTrainLimit.map { trainAll.prefix($0) } ?? trainAll
            let bar = run.progress("FID classifier", total: preset.classifierEpochs * ((data.count + 127) / 128))
            run.times.measure("fid_classifier") {
                classifier.fit(data, epochs: preset.classifierEpochs, seed: run.seed) { done, _, loss in
                    bar.update(done, info: String(format: "loss %.3f", loss))
                }
            }
            bar.finish()
        }
        classifier.eval()

        // FID references: test images (the real distribution) and, as the floor, as many train images.
        let testImages = paddedImages(test)
        let fidN = min(preset.fidSamples, test.count)
        let (classifierAccuracy, realStats, floorFID) = run.times.measure("fid_classifier") {
            let realStats = GaussianStats(features: classifier.embed(testImages.x.narrow(0, start: 0, length: fidN)))
            let floor = frechetDistance(GaussianStats(features: classifier.embed(paddedImages(trainAll, limit: fidN).x)), realStats)
            return (classifier.accuracy(testImages.x, testImages.y), realStats, floor)
        }
        var fidStream = derivedGenerator(run.seed, 6)
        let fidNoise = Tensor.normal([fidN, nz, 1, 1], generator: &fidStream)
        func fid() -> Double {
            frechetDistance(GaussianStats(features: classifier.embed(sampleImages(netG, fidNoise))), realStats)
        }
        print(String(format: "FID classifier test accuracy %.4f; FID floor (train vs test, %d images) %.3f", classifierAccuracy, fidN, floorFID))

        var lastFID = run.records.last(where: { $0["fid"] != nil })?["fid"] ?? .nan
        for epoch in startEpoch..<epochs {
            var noiseStream = derivedGenerator(run.seed, 4, epoch: epoch)
            let batches = ImageBatches(train, batchSize: preset.batchSize, shuffle: true, seed: run.seed, epoch: epoch,
                                       resize: .pad(2), normalization: .minusOneToOne)
            let bar = run.progress("epoch \(epoch + 1)/\(epochs)", total: batches.count)
            var epochSum = StatSum(), window = StatSum()
            var stopped = false
            for (i, (x, _)) in run.times.timed(batches).enumerated() {
                let z = run.times.measure("data") { Tensor.normal([x.shape[0], nz, 1, 1], generator: &noiseStream) }
                let s = ganStep(real: x, noise: z, netG: netG.forward, netD: netD.forward, optimizerG: optG, optimizerD: optD,
                                times: run.times)
                try run.checkFinite(s.lossD, "loss_d")
                try run.checkFinite(s.lossG, "loss_g")
                step += 1
                epochSum.add(s)
                window.add(s)
                if step % preset.logEvery == 0 {
                    try run.log(epoch: nil, step: step, window.means)
                    window = StatSum()
                }
                bar.update(i + 1, info: String(format: "D %.3f G %.3f D(x) %.2f D(G(z)) %.2f/%.2f",
                                               s.lossD, s.lossG, s.dReal, s.dFakeBefore, s.dFakeAfter))
                if run.stopRequested { stopped = true; break }
            }
            bar.finish()
            // A stop mid-epoch keeps the previous epoch-end checkpoint, so a resume repeats this epoch exactly.
            if stopped { break }
            try ImageGrid.make(sampleImages(netG, fixedNoise), nrow: 8, padding: 2, range: -1...1)
                .writePNG(to: run.samplesDirectory + String(format: "/epoch_%03d.png", epoch + 1))
            lastFID = run.times.measure("evaluation") { fid() }
            var record = epochSum.means
            record["fid"] = lastFID
            record["fid_floor"] = floorFID
            try run.log(epoch: epoch + 1, record)
            print(String(format: "epoch %d: loss_d %.4f loss_g %.4f D(x) %.3f D(G(z)) %.3f FID %.3f (floor %.3f)", epoch + 1,
                         record["loss_d"]!, record["loss_g"]!, record["d_x"]!, record["d_g_z1"]!, lastFID, floorFID))
            try plots()
            let isBest = bestFID.map { lastFID < $0 } ?? true
            if isBest { bestFID = lastFID }
            try run.saveCheckpoint(modules: modules, optimizers: optimizers, generators: [:],
                                   state: TrainingState(epoch: epoch, step: step, bestMetric: bestFID), isBest: isBest)
            if run.stopRequested { break }
        }
        // Stopped: the harness reports it and `workbench resume` continues; evaluate only at the end.
        if run.stopRequested { return ["epochs": Double(run.records.compactMap { $0["epoch"] }.max() ?? 0)] }

        // Final evaluation on the last generator and discriminator.
        try ImageGrid.make(sampleImages(netG, fixedNoise), nrow: 8, padding: 2, range: -1...1)
            .writePNG(to: run.samplesDirectory + "/final.png")
        try interpolationGrid(netG).writePNG(to: run.samplesDirectory + "/interpolation.png")
        let probe = try run.times.measure("probe") { try featureProbe(netD, train: trainAll, test: test) }
        var metrics: [String: Double] = [
            "fid": lastFID, "fid_floor": floorFID, "fid_classifier_accuracy": classifierAccuracy,
            "epochs": Double(run.records.compactMap { $0["epoch"] }.max() ?? 0), "steps": Double(step),
        ]
        metrics.merge(probe) { $1 }
        return metrics
    }

    func plots() throws {
        try run.plot("losses", title: "DCGAN losses", x: "step", series: ["loss_d", "loss_g"], yLabel: "BCE")
        try run.plot("d_outputs", title: "Discriminator outputs", x: "step", series: ["d_x", "d_g_z1", "d_g_z2"], yLabel: "mean sigmoid")
        try run.plot("fid", title: "FID (Fashion-MNIST classifier features)", x: "epoch", series: ["fid", "fid_floor"], yLabel: "FID")
    }

    /// The paper's walk in latent space: 8 rows, each 10 steps on the line between two random z.
    func interpolationGrid(_ netG: DCGANGenerator) -> Bitmap {
        var stream = derivedGenerator(run.seed, 7)
        let nz = preset.model.nz, steps = 10
        var data: [Float] = []
        for _ in 0..<8 {
            let a = Tensor.normal([nz], generator: &stream).data, b = Tensor.normal([nz], generator: &stream).data
            for k in 0..<steps {
                let t = Float(k) / Float(steps - 1)
                data += zip(a, b).map { (1 - t) * $0 + t * $1 }
            }
        }
        let z = Tensor(shape: [8 * steps, nz, 1, 1], data: data)
        return ImageGrid.make(sampleImages(netG, z), nrow: steps, padding: 2, range: -1...1)
    }

    /// Section 5.1: linear-probe test accuracy on the trained D's features, on a randomly
    /// initialised D's features, and on raw pixels, all with the same classifier.
    func featureProbe(_ netD: DCGANDiscriminator, train: ImageDataset, test: ImageDataset) throws -> [String: Double] {
        let tr = paddedImages(train, limit: preset.probeTrain), te = paddedImages(test, limit: preset.probeTest)
        var randomStream = derivedGenerator(run.seed, 5)
        let randomD = DCGANDiscriminator(preset.model, generator: &randomStream)
        var out: [String: Double] = [:]
        let sets: [(String, (Tensor) -> Tensor)] = [
            ("probe_accuracy_dcgan_d", { discriminatorFeatures(netD, $0) }),
            ("probe_accuracy_random_d", { discriminatorFeatures(randomD, $0) }),
            ("probe_accuracy_pixels", { $0.flatten(startDim: 1) }),
        ]
        for (name, features) in sets {
            let ftr = features(tr.x), fte = features(te.x)
            let acc = linearProbeAccuracy(train: ftr, trainLabels: tr.y, test: fte, testLabels: te.y,
                                          epochs: preset.probeEpochs, seed: run.seed)
            print(String(format: "%@: %.4f (%d features)", name, acc, ftr.shape[1]))
            out[name] = acc
        }
        out["probe_feature_count"] = Double(discriminatorFeatures(netD, tr.x.narrow(0, start: 0, length: 2)).shape[1])
        return out
    }
}

/// Running sums of the per-step statistics.
struct StatSum {
    var n = 0
    var lossD = 0.0, lossG = 0.0, dReal = 0.0, dFake1 = 0.0, dFake2 = 0.0

    mutating func add(_ s: GANStepStats) {
        n += 1
        lossD += Double(s.lossD); lossG += Double(s.lossG)
        dReal += Double(s.dReal); dFake1 += Double(s.dFakeBefore); dFake2 += Double(s.dFakeAfter)
    }

    var means: [String: Double] {
        let k = Double(Swift.max(n, 1))
        return ["loss_d": lossD / k, "loss_g": lossG / k, "d_x": dReal / k, "d_g_z1": dFake1 / k, "d_g_z2": dFake2 / k]
    }
}
