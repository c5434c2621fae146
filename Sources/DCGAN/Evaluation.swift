// The DCGAN run's evaluation: the FID classifier and FID against the test set (with the real-data
// floor), sample grids, and the final Section 5.1 probe and walk in latent space.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

/// Trains the FID classifier on the preset's share of the training set, with a progress bar.
func fitClassifier(_ classifier: FashionClassifier, _ trainAll: ImageDataset, _ preset: DCGANPreset, _ run: ExperimentRun) {
    let data = preset.classifierTrainLimit.map { trainAll.prefix($0) } ?? trainAll
    let bar = run.progress("FID classifier", total: preset.classifierEpochs * ((data.count + 127) / 128))
    run.times.measure("fid_classifier") {
        classifier.fit(data, epochs: preset.classifierEpochs, seed: run.seed) { done, _, loss in
            bar.update(done, info: String(format: "loss %.3f", loss))
        }
    }
    bar.finish()
}

/// FID of a generator's samples against the test set on the classifier's features: the test
/// statistics, the floor (as many real training images against them), and the fixed latents of
/// every estimate.
struct FIDReference {
    let classifier: FashionClassifier
    let real: GaussianStats
    let floor: Double
    /// The classifier's top-1 accuracy on the whole test set.
    let classifierAccuracy: Double
    let noise: Tensor   // [n, nz, 1, 1]

    init(_ classifier: FashionClassifier, train: ImageDataset, test: ImageDataset, samples: Int, nz: Int, seed: UInt64,
         times: PhaseTimes) {
        classifier.eval()
        self.classifier = classifier
        let testImages = paddedImages(test)
        let n = min(samples, test.count)
        (real, floor, classifierAccuracy) = times.measure("fid_classifier") {
            let real = GaussianStats(features: classifier.embed(testImages.x.narrow(0, start: 0, length: n)))
            let floor = frechetDistance(GaussianStats(features: classifier.embed(paddedImages(train, limit: n).x)), real)
            return (real, floor, classifier.accuracy(testImages.x, testImages.y))
        }
        var stream = derivedGenerator(seed, 6)
        noise = Tensor.normal([n, nz, 1, 1], generator: &stream)
        print(String(format: "FID classifier test accuracy %.4f; FID floor (train vs test, %d images) %.3f", classifierAccuracy, n, floor))
    }

    func score(_ netG: DCGANGenerator) -> Double {
        frechetDistance(GaussianStats(features: classifier.embed(sampleImages(netG, noise))), real)
    }
}

/// G's images of `z` as a PNG grid, 8 per row.
func writeGrid(_ netG: DCGANGenerator, _ z: Tensor, to png: String) throws {
    try ImageGrid.make(sampleImages(netG, z), nrow: 8, padding: 2, range: -1...1).writePNG(to: png)
}

/// The paper's walk in latent space: 8 rows, each 10 steps on the line between two random z.
func interpolationGrid(_ netG: DCGANGenerator, seed: UInt64) -> Bitmap {
    var stream = derivedGenerator(seed, 7)
    let nz = netG.config.nz, steps = 10
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
func featureProbe(_ netD: DCGANDiscriminator, _ preset: DCGANPreset, train: ImageDataset, test: ImageDataset,
                  seed: UInt64) -> [String: Double] {
    let tr = paddedImages(train, limit: preset.probeTrain), te = paddedImages(test, limit: preset.probeTest)
    var randomStream = derivedGenerator(seed, 5)
    let randomD = DCGANDiscriminator(preset.model, generator: &randomStream)
    var out: [String: Double] = [:]
    let sets: [(String, (Tensor) -> Tensor)] = [
        ("probe_accuracy_dcgan_d", { discriminatorFeatures(netD, $0) }),
        ("probe_accuracy_random_d", { discriminatorFeatures(randomD, $0) }),
        ("probe_accuracy_pixels", { $0.flatten(startDim: 1) }),
    ]
    for (name, features) in sets {
        let ftr = features(tr.x), fte = features(te.x)
        // The softmax classifier, and the paper's L2-SVM under `probe_svm_accuracy_*`.
        for loss in [ProbeLoss.softmax, .l2SVM] {
            let key = loss == .softmax ? name : name.replacingOccurrences(of: "probe_accuracy", with: "probe_svm_accuracy")
            let acc = linearProbeAccuracy(train: ftr, trainLabels: tr.y, test: fte, testLabels: te.y, loss: loss,
                                          epochs: preset.probeEpochs, seed: seed)
            print(String(format: "%@: %.4f (%d features)", key, acc, ftr.shape[1]))
            out[key] = acc
        }
    }
    out["probe_feature_count"] = Double(discriminatorFeatures(netD, tr.x.narrow(0, start: 0, length: 2)).shape[1])
    return out
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
