// Training behaviour: a small batch can be fitted, and a seed fixes a run bit for bit.
import Foundation
import Testing
import WorkbenchData
import WorkbenchNN
import WorkbenchTesting
import Inception

@Suite struct TrainingTests {
    /// 16 fixed images of 10 classes: 30 SGD steps on the full objective (aux heads, dropout)
    /// must bring the loss far down.
    @Test func overfitsOneBatch() {
        var g = Generator(seed: 5)
        let model = GoogLeNet(.quick, generator: &g)
        let opt = SGD(model.parameters(), lr: 0.05, momentum: 0.9)
        let x = Tensor.normal([16, 1, 28, 28], generator: &g)
        let y = IndexTensor((0..<16).map { $0 % 10 })
        var losses: [Float] = []
        var correct = 0
        for _ in 0..<30 {
            opt.zeroGrad()
            let out = model(x)
            let loss = model.loss(out, target: y)
            losses.append(loss.item())
            correct = zip(out.logits.argmax(dim: 1).data, y.data).filter { $0 == $1 }.count
            loss.backward()
            opt.step()
        }
        #expect(losses.last! < 0.25 * losses.first!, "losses \(losses)")
        #expect(correct >= 14, "\(correct) of 16 right in the last step")
    }

    /// Same seed, same everything: initial weights, shuffling, augmentation and dropout masks
    /// give bit-identical parameters after a few steps; another seed does not.
    @Test func sameSeedSameRun() {
        let a = shortRun(seed: 11), b = shortRun(seed: 11), c = shortRun(seed: 12)
        #expect(a == b)
        #expect(a != c)
    }

    func shortRun(seed: UInt64) -> [[Float]] {
        var g = Generator(seed: seed)
        let dropoutSeed = g.next()
        var config = GoogLeNetConfig.quick
        config.stemChannels = [8, 16]
        config.widthDivisor = 16
        let model = GoogLeNet(config, generator: &g, dropoutSeed: dropoutSeed)
        let opt = SGD(model.parameters(), lr: 0.05, momentum: 0.9, weightDecay: 5e-4)
        let data = syntheticImages(count: 48, seed: 99)
        for epoch in 0..<2 {
            for (x, y) in ImageBatches(data, batchSize: 16, seed: seed, epoch: epoch, dropLast: true,
                                       augmentation: ImageAugmentation(randomCropPadding: 2, horizontalFlip: true),
                                       normalization: .fashionMNIST) {
                opt.zeroGrad()
                model.loss(model(x), target: y).backward()
                opt.step()
            }
        }
        return model.stateDict().map(\.1.data)
    }

    /// The learning rate follows the ×0.96 staircase and ends at 0.96^decaySteps of its start.
    @Test func learningRateStaircase() throws {
        let r = try Recipe.preset("fashion")
        let total = 468 * r.epochs
        #expect(r.learningRate(step: 0, totalSteps: total) == r.learningRate)
        let rates = (0..<total).map { r.learningRate(step: $0, totalSteps: total) }
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(Set(rates).count == r.decaySteps + 1)
        let expectedEnd = r.learningRate * powf(0.96, Float(r.decaySteps))
        #expect(abs(rates.last! - expectedEnd) < 1e-6)
        #expect(throws: RunError.self) { try Recipe.preset("imagenet") }
    }
}

/// A small labelled set of random 28x28 images (pixel statistics only, no structure).
func syntheticImages(count: Int, seed: UInt64) -> ImageDataset {
    var g = Generator(seed: seed)
    let pixels = (0..<(count * 784)).map { _ in UInt8(g.integer(below: 256)) }
    return ImageDataset(pixels: pixels, count: count, channels: 1, height: 28, width: 28,
                        labels: IndexTensor((0..<count).map { $0 % 10 }), classNames: FashionMNIST.classNames)
}
