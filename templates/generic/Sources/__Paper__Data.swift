// The scaffold's stand-in data: examples generated from the run's seed, so that the paper runs
// with nothing to download. Replace it by the paper's data (a WorkbenchData loader, an environment,
// a corpus).
import WorkbenchNN

/// Inputs x ~ N(0, 1) [count, inputs] and targets y = teacher(x) + noise [count, outputs], where
/// the teacher is a fixed random network of the student's shape (the same for every split of a
/// seed): a task the model can learn exactly, down to the noise.
public struct __Paper__Data {
    public let x: Tensor
    public let y: Tensor

    /// `split` 0 for training, 1 for the held-out examples: same teacher, other inputs.
    public init(_ config: __Paper__Config, count: Int, noise: Float, seed: UInt64, split: UInt64) {
        var teacherStream = Generator(seed: seed ^ 0x7EAC_4E12)
        let teacher = __Paper__Model(config, generator: &teacherStream)
        var g = Generator(seed: seed &+ split)
        let inputs = Tensor.normal([count, config.inputs], generator: &g)
        let clean = withNoGrad { teacher(inputs) }
        x = inputs
        y = clean + Tensor.normal(clean.shape, generator: &g) * noise
    }

    public var count: Int { x.shape[0] }

    /// One epoch of (x [B, inputs], y [B, outputs]) batches in a seeded order.
    public func batches(batchSize: Int, seed: UInt64, epoch: Int) -> [(x: Tensor, y: Tensor)] {
        var g = Generator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
        let order = g.permutation(count)
        return stride(from: 0, to: count, by: batchSize).map { start in
            let rows = IndexTensor(Array(order[start..<min(start + batchSize, count)]))
            return (x.indexSelect(0, rows), y.indexSelect(0, rows))
        }
    }
}
