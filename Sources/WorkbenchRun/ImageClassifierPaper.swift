// The optional protocol of papers whose runs hold an image classifier: `workbench eval` and
// `workbench predict` work on their run directories.

public protocol ImageClassifierPaper: PaperExperiment {
    /// Test-set metrics (test_accuracy 0-1, per-class accuracies) of a run directory's best
    /// checkpoint, or its last one when no best was written.
    static func evaluate(runDirectory: String, dataDirectory: String?) throws -> [String: Double]
    /// The `top` most probable classes for one image file (resized and converted as needed).
    static func predict(runDirectory: String, imagePath: String, top: Int) throws -> [(label: String, probability: Double)]
}
