// `workbench eval inception RUN_DIR` and `workbench predict inception RUN_DIR IMAGE.png`: a run
// directory's model rebuilt from its config.json and loaded from its checkpoint.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

extension InceptionExperiment: ImageClassifierPaper {
    public static func evaluate(runDirectory: String, dataDirectory: String?) throws -> [String: Double] {
        let (model, checkpoint) = try load(runDirectory)
        let test: ImageDataset
        do { test = try FashionMNIST.load(split: .test, dataDirectory: dataDirectory) } catch {
            throw RunError.invalid("\(error)")
        }
        let eval = Evaluation.run(model, on: test)
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
        let probabilities = withNoGrad { F.softmax(model(x).logits, dim: 1) }.data
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
    static func load(_ runDirectory: String) throws -> (GoogLeNet, String) {
        let config: GoogLeNetConfig
        do {
            guard case .object(let model)? = try RunReport.config(of: runDirectory)["hyperparameters"]?["model"] else {
                throw RunError.invalid("\(runDirectory)/config.json has no hyperparameters.model: not an inception run")
            }
            config = try GoogLeNetConfig(FixtureConfig(model, origin: "hyperparameters.model"))
        } catch let e as FixtureError {
            throw RunError.invalid("\(runDirectory)/config.json: \(e.message)")
        }
        let fm = FileManager.default
        let candidates = ["best", "last"].map { "\(runDirectory)/checkpoints/\($0).safetensors" }
        guard let path = candidates.first(where: { fm.fileExists(atPath: $0) }) else {
            throw RunError.invalid("\(runDirectory) has no checkpoint yet (checkpoints/best.safetensors or last.safetensors)")
        }
        var g = Generator(seed: 0)
        let model = GoogLeNet(config, generator: &g)
        do { _ = try Checkpoint.load(from: path, modules: ["model": model]) } catch {
            throw RunError.invalid("\(error)")
        }
        model.eval()
        return (model, path)
    }
}
