// `workbench eval __paper__ RUN_DIR` and `workbench predict __paper__ RUN_DIR IMAGE.png`: a run
// directory's model rebuilt from its config.json and loaded from its checkpoint.
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

extension __Paper__Experiment: ImageClassifierPaper {
    public static func evaluate(runDirectory: String, dataDirectory: String?) throws -> [String: Double] {
        let (model, checkpoint) = try load(runDirectory)
        let test = try ClassifierRun.fashionMNISTTest(dataDirectory: dataDirectory)
        let eval = ClassifierEvaluation.run(model, on: test) { model($0) }
        print("\(checkpoint): \(test.count) test images")
        return eval.metrics
    }

    public static func predict(runDirectory: String, imagePath: String, top: Int) throws -> [(label: String, probability: Double)] {
        let (model, _) = try load(runDirectory)
        let x = try ClassifierRun.inputTensor(imagePath: imagePath, size: model.config.imageSize)
        return ClassifierRun.top(withNoGrad { model(x) }, classNames: FashionMNIST.classNames, k: top)
    }

    /// The run's model from config.json and its best (else last) checkpoint, in eval mode.
    static func load(_ runDirectory: String) throws -> (__Paper__Model, String) {
        try ClassifierRun.load(runDirectory, paper: id) { c in
            var g = Generator(seed: 0)
            return __Paper__Model(try __Paper__Config(c), generator: &g)
        }
    }
}
