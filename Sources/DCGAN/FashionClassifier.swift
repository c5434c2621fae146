// The small Fashion-MNIST CNN whose penultimate features stand in for Inception-v3 in FID
// (classifier-FID), trained inside this module for the purpose.
import WorkbenchData
import WorkbenchNN

/// features: Conv(1→32, 3, pad 1)-ReLU-MaxPool 2, Conv(32→64, 3, pad 1)-ReLU-MaxPool 2, Flatten,
/// Linear(4096→128)-ReLU; classifier: Linear(128→10). Input [N, 1, 32, 32] in [-1, 1].
public final class FashionClassifier: Module, Layer {
    public let features: Sequential
    public let classifier: Linear
    public static let featureSize = 128

    public init(generator g: inout Generator) {
        features = Sequential(
            Conv2d(1, 32, kernelSize: 3, padding: 1, generator: &g), ReLU(), MaxPool2d(2),
            Conv2d(32, 64, kernelSize: 3, padding: 1, generator: &g), ReLU(), MaxPool2d(2),
            Flatten(), Linear(64 * 8 * 8, Self.featureSize, generator: &g), ReLU())
        classifier = Linear(Self.featureSize, 10, generator: &g)
    }

    override public var namedChildren: [(String, Module)] { [("features", features), ("classifier", classifier)] }

    /// [N, 1, 32, 32] -> [N, 10] logits
    public func forward(_ x: Tensor) -> Tensor { classifier(features(x)) }

    /// [N, 1, 32, 32] -> [N, 128], no grad, in batches.
    public func embed(_ x: Tensor, batchSize: Int = 500) -> Tensor {
        inBatches(x, batchSize: batchSize) { features($0) }
    }

    /// Adam 1e-3, cross-entropy, batch 128, images padded to 32x32 and scaled to [-1, 1] as the GAN's.
    public func fit(_ data: ImageDataset, epochs: Int, seed: UInt64, progress: (Int, Int, Float) -> Void = { _, _, _ in }) {
        let opt = Adam(parameters(), lr: 1e-3)
        train()
        for epoch in 0..<epochs {
            let batches = ImageBatches(data, batchSize: 128, shuffle: true, seed: seed, epoch: epoch,
                                       resize: .pad(2), normalization: .minusOneToOne)
            for (i, (x, y)) in batches.enumerated() {
                opt.zeroGrad()
                let loss = F.crossEntropy(forward(x), target: y)
                loss.backward()
                opt.step()
                progress(epoch * batches.count + i + 1, epochs * batches.count, loss.item())
            }
        }
        eval()
    }

    /// Top-1 accuracy on images [N, 1, 32, 32] with labels.
    public func accuracy(_ x: Tensor, _ y: IndexTensor) -> Double {
        let logits = inBatches(x, batchSize: 500) { forward($0) }
        let predicted = logits.argmax(dim: 1)
        return Double(zip(predicted.data, y.data).filter { $0 == $1 }.count) / Double(y.count)
    }
}

/// Applies `f` to consecutive row blocks of `x` without recording a graph and concatenates the results.
func inBatches(_ x: Tensor, batchSize: Int, _ f: (Tensor) -> Tensor) -> Tensor {
    withNoGrad {
        var parts: [Tensor] = []
        var start = 0
        while start < x.shape[0] {
            let n = min(batchSize, x.shape[0] - start)
            parts.append(f(x.narrow(0, start: start, length: n)))
            start += n
        }
        return parts.count == 1 ? parts[0] : Tensor.cat(parts, dim: 0)
    }
}

/// The first `limit` images of a dataset as one tensor [N, 1, 32, 32] in [-1, 1] with labels.
public func paddedImages(_ data: ImageDataset, limit: Int? = nil) -> (x: Tensor, y: IndexTensor) {
    let subset = limit.map { data.prefix(min($0, data.count)) } ?? data
    var it = ImageBatches(subset, batchSize: subset.count, shuffle: false, resize: .pad(2), normalization: .minusOneToOne).makeIterator()
    let batch = it.next()!
    return (batch.x, batch.y)
}
