// Test-set evaluation, and `workbench eval lenet RUN_DIR` / `workbench predict lenet
// RUN_DIR IMAGE.png`: a run directory's model rebuilt from its config.json and its checkpoint.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

/// Predictions of a model on a whole data set.
public struct LeNetEvaluation {
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

    /// Runs `model` in eval mode without gradients over `data` (normalised like training).
    public static func run(_ model: LeNetModel, on data: ImageDataset, batchSize: Int = 500) -> LeNetEvaluation {
        let wasTraining = model.training
        model.eval()
        defer { model.train(wasTraining) }
        var confusion = ConfusionMatrix(classNames: data.classNames)
        var lossSum = 0.0
        withNoGrad {
            for (x, y) in ImageBatches(data, batchSize: batchSize, shuffle: false, normalization: .fashionMNIST) {
                let logits = model(x)
                confusion.add(predictions: logits.argmax(dim: 1), targets: y)
                lossSum += Double(F.crossEntropy(logits, target: y).item()) * Double(y.count)
            }
        }
        return LeNetEvaluation(confusion: confusion, loss: lossSum / Double(max(data.count, 1)))
    }
}

extension LeNetExperiment: ImageClassifierPaper {
    public static func evaluate(runDirectory: String, dataDirectory: String?) throws -> [String: Double] {
        let (model, checkpoint) = try load(runDirectory)
        let test: ImageDataset
        do { test = try FashionMNIST.load(split: .test, dataDirectory: dataDirectory) } catch {
            throw RunError.invalid("\(error)")
        }
        let eval = LeNetEvaluation.run(model, on: test)
        print("\(checkpoint): \(test.count) test images")
        return eval.perClass.merging(["test_accuracy": eval.accuracy, "test_loss": eval.loss]) { $1 }
    }

    public static func predict(runDirectory: String, imagePath: String, top: Int) throws -> [(label: String, probability: Double)] {
        let (model, _) = try load(runDirectory)
        let bitmap: Bitmap
        do { bitmap = try Bitmap.readPNG(imagePath) } catch {
            throw RunError.invalid("cannot use \(imagePath) as an image: \(error). Give a PNG file.")
        }
        let x = inputTensor(bitmap, size: model.config.imageSize)
        let probabilities = withNoGrad { F.softmax(model(x), dim: 1) }.data
        return probabilities.enumerated().sorted { $0.element > $1.element }.prefix(max(top, 1))
            .map { (FashionMNIST.classNames[$0.offset], Double($0.element)) }
    }

    /// A bitmap as the network's input [1, 1, H, W]: luminance (transparent pixels count as the
    /// black Fashion-MNIST background), bilinear resize, the training normalisation.
    static func inputTensor(_ b: Bitmap, size: [Int]) -> Tensor {
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
        let n = Normalization.fashionMNIST
        return ImageTransforms.normalize(x, mean: n.mean, std: n.std)
    }

    /// The run's model from config.json and checkpoints/best.safetensors (else last), in eval mode.
    static func load(_ runDirectory: String) throws -> (LeNetModel, String) {
        let config: LeNetConfig
        do {
            guard case .object(let model)? = try RunReport.config(of: runDirectory)["hyperparameters"]?["model"] else {
                throw RunError.invalid("\(runDirectory)/config.json has no hyperparameters.model: not a lenet run")
            }
            config = try LeNetConfig(FixtureConfig(model, origin: "hyperparameters.model"))
        } catch let e as FixtureError {
            throw RunError.invalid("\(runDirectory)/config.json: \(e.message)")
        }
        let candidates = ["best", "last"].map { "\(runDirectory)/checkpoints/\($0).safetensors" }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw RunError.invalid("\(runDirectory) has no checkpoint yet (checkpoints/best.safetensors or last.safetensors)")
        }
        var g = Generator(seed: 0)
        let model = LeNetModel(config, generator: &g)
        do { _ = try Checkpoint.load(from: path, modules: ["model": model]) } catch {
            throw RunError.invalid("\(error)")
        }
        model.eval()
        return (model, path)
    }
}
