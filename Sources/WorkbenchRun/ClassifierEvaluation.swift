// What every image-classifier paper shares: test-set evaluation, and the pieces of `workbench eval`
// and `workbench predict` (the run's model config and checkpoint, an image file as input, top-k).
import Foundation
import WorkbenchData
import WorkbenchNN

/// Predictions of a model on a whole data set.
public struct ClassifierEvaluation {
    public let predictions: [Int]
    public let confusion: ConfusionMatrix
    public let loss: Double

    public var accuracy: Double { confusion.accuracy }

    /// Accuracy per class, keyed `test_accuracy_<class>` (e.g. `test_accuracy_ankle_boot`).
    public var perClass: [String: Double] {
        var out: [String: Double] = [:]
        for (name, recall) in zip(confusion.classNames, confusion.perClassRecall) {
            let slug = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
            out["test_accuracy_" + slug.replacingOccurrences(of: "__", with: "_")] = recall
        }
        return out
    }

    /// `perClass` plus `test_accuracy` and `test_loss`: what `workbench eval` prints.
    public var metrics: [String: Double] {
        perClass.merging(["test_accuracy": accuracy, "test_loss": loss]) { $1 }
    }

    /// Runs `model` in eval mode without gradients over `data` (normalised like training);
    /// `logits` maps a batch [N, C, H, W] to the class scores [N, classes].
    public static func run(_ model: Module, on data: ImageDataset, batchSize: Int = 500,
                           normalization: Normalization = .fashionMNIST,
                           logits: (Tensor) -> Tensor) -> ClassifierEvaluation {
        let wasTraining = model.training
        model.eval()
        defer { model.train(wasTraining) }
        var confusion = ConfusionMatrix(classNames: data.classNames)
        var predictions: [Int] = []
        var lossSum = 0.0
        withNoGrad {
            for (x, y) in ImageBatches(data, batchSize: batchSize, shuffle: false, normalization: normalization) {
                let scores = logits(x)
                let predicted = scores.argmax(dim: 1)
                confusion.add(predictions: predicted, targets: y)
                predictions += predicted.data
                lossSum += Double(F.crossEntropy(scores, target: y).item()) * Double(y.count)
            }
        }
        return ClassifierEvaluation(predictions: predictions, confusion: confusion, loss: lossSum / Double(max(data.count, 1)))
    }
}

extension TrainingLoop {
    /// An image classifier's run: images per second, loss and accuracy on the progress bar, and
    /// the accuracy and loss curves (train and test) titled `title`.
    public func showClassifierCurves(title: String) {
        throughput = "images_per_second"
        progressLabels = [("train_loss", "loss"), ("train_accuracy", "acc")]
        plots = [PlotSpec("accuracy", title: title, series: ["train_accuracy", "test_accuracy"], yLabel: "accuracy"),
                 PlotSpec("loss", title: title, series: ["train_loss", "test_loss"], yLabel: "cross-entropy")]
    }
}

extension ClassifierEvaluation {
    /// The evaluation of an epoch: `run` on `test`, samples/confusion_matrix.png written.
    public static func epoch(_ epoch: Int, of run: ExperimentRun, _ model: Module, on test: ImageDataset, batchSize: Int,
                             logits: (Tensor) -> Tensor) throws -> ClassifierEvaluation {
        let eval = ClassifierEvaluation.run(model, on: test, batchSize: batchSize, logits: logits)
        try eval.confusion.writePNG(to: run.samplesDirectory + "/confusion_matrix.png", title: "Test confusion matrix, epoch \(epoch + 1)")
        return eval
    }

    /// The epoch record's test metrics.
    public var epochMetrics: [String: Double] { ["test_loss": loss, "test_accuracy": accuracy] }
}

extension Tensor {
    /// Fraction of the rows of these class scores [N, classes] whose largest score is the target's.
    public func accuracy(_ target: IndexTensor) -> Double {
        let hits = zip(argmax(dim: 1).data, target.data).filter { $0 == $1 }.count
        return Double(hits) / Double(Swift.max(target.count, 1))
    }
}

/// A trained classifier's run directory, for `workbench eval` and `workbench predict`.
public enum ClassifierRun {
    /// `hyperparameters.model` of the run's config.json, for the paper's config initialiser.
    public static func modelConfig(_ runDirectory: String, paper: String) throws -> FixtureConfig {
        guard case .object(let model)? = try RunReport.config(of: runDirectory)["hyperparameters"]?["model"] else {
            throw RunError.invalid("\(runDirectory)/config.json has no hyperparameters.model: not a \(paper) run")
        }
        return FixtureConfig(model, origin: "hyperparameters.model")
    }

    /// Builds the model from the run's config (`make`, whose config errors name config.json) and
    /// loads checkpoints/best.safetensors, else last; returns it in eval mode with the path used.
    public static func load<M: Module>(_ runDirectory: String, paper: String,
                                       make: (FixtureConfig) throws -> M) throws -> (M, String) {
        let path = try RunCheckpoint(runDirectory, paper: paper).path
        let model: M
        do { model = try make(try modelConfig(runDirectory, paper: paper)) } catch let e as FixtureError {
            throw RunError.invalid("\(runDirectory)/config.json: \(e.message)")
        }
        do { _ = try Checkpoint.load(from: path, modules: ["model": model]) } catch {
            throw RunError.invalid("\(error)")
        }
        if let (name, _) = model.stateDict().first(where: { !$0.1.data.allSatisfy(\.isFinite) }) {
            throw RunError.invalid("\(path): \(name) holds NaN or infinite values (the run diverged); there is nothing to evaluate")
        }
        model.eval()
        return (model, path)
    }

    /// The Fashion-MNIST test set, with a missing data set as a RunError.
    public static func fashionMNISTTest(dataDirectory: String?) throws -> ImageDataset {
        do { return try FashionMNIST.load(split: .test, dataDirectory: dataDirectory) } catch {
            throw RunError.invalid("\(error)")
        }
    }

    /// A PNG file as the network's input [1, 1, H, W]: luminance (transparent pixels count as the
    /// black Fashion-MNIST background), bilinear resize to `size`, the training normalisation.
    public static func inputTensor(imagePath: String, size: [Int], normalization: Normalization = .fashionMNIST) throws -> Tensor {
        let b: Bitmap
        do { b = try Bitmap.readPNG(imagePath) } catch {
            throw RunError.invalid("cannot use \(imagePath) as an image: \(error). Give a PNG file.")
        }
        var grey = [Float](repeating: 0, count: b.width * b.height)
        for i in 0..<grey.count {
            let p = b.pixels[(i * b.channels)..<((i + 1) * b.channels)].map { Float($0) / 255 }
            let luminance = b.channels >= 3 ? 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] : p[0]
            grey[i] = b.channels == 4 ? luminance * p[3] : luminance
        }
        var x = Tensor(shape: [1, 1, b.height, b.width], data: grey)
        if b.height != size[0] || b.width != size[1] {
            x = ImageTransforms.resizeBilinear(x, height: size[0], width: size[1])
        }
        return ImageTransforms.normalize(x, mean: normalization.mean, std: normalization.std)
    }

    /// The `k` most probable classes of one row of logits [1, classes].
    public static func top(_ logits: Tensor, classNames: [String], k: Int) -> [(label: String, probability: Double)] {
        let probabilities = withNoGrad { F.softmax(logits, dim: 1) }.data
        return probabilities.enumerated().sorted { $0.element > $1.element }.prefix(max(k, 1))
            .map { (classNames[$0.offset], Double($0.element)) }
    }
}
