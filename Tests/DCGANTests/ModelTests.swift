// DCGAN shapes, parameter counts (PyTorch's, from papers/dcgan/reference/model.py), names,
// init statistics, one training step, determinism and sampling from a checkpoint.
import Foundation
import Testing
import WorkbenchNN
import WorkbenchData
import WorkbenchTesting
import DCGAN

@Suite struct DCGANModelTests {
    @Test func fashionMNIST32ShapesAndCounts() {
        var g = Generator(seed: 0)
        let netG = DCGANGenerator(.fashionMNIST32, generator: &g), netD = DCGANDiscriminator(.fashionMNIST32, generator: &g)
        // `python model.py`: fashionMNIST32 G 1066880 D 661248.
        #expect(netG.parameterCount == 1_066_880)
        #expect(netD.parameterCount == 661_248)
        let x = netG(Tensor.normal([3, 100, 1, 1], generator: &g))
        #expect(x.shape == [3, 1, 32, 32])
        #expect(x.data.allSatisfy { $0 >= -1 && $0 <= 1 })
        #expect(netD(x).shape == [3])
        #expect(netD.features(x).map(\.shape) == [[3, 64, 16, 16], [3, 128, 8, 8], [3, 256, 4, 4]])
        #expect(discriminatorFeatures(netD, x).shape == [3, (64 + 128 + 256) * 16])
    }

    @Test func paper64ShapesAndCounts() {
        var g = Generator(seed: 0)
        let netG = DCGANGenerator(.paper64, generator: &g), netD = DCGANDiscriminator(.paper64, generator: &g)
        // `python model.py`: paper64 G 12658432 D 11036160.
        #expect(netG.parameterCount == 12_658_432)
        #expect(netD.parameterCount == 11_036_160)
        let sizes = netG.main.layers.compactMap { ($0 as? ConvTranspose2d)?.weight.shape }
        #expect(sizes == [[100, 1024, 4, 4], [1024, 512, 4, 4], [512, 256, 4, 4], [256, 128, 4, 4], [128, 3, 4, 4]])
        let x = netG(Tensor.normal([2, 100, 1, 1], generator: &g))
        #expect(x.shape == [2, 3, 64, 64])
        #expect(netD(x).shape == [2])
    }

    @Test func stateDictNamesFollowPytorchExamples() {
        var g = Generator(seed: 0)
        let names = DCGANGenerator(.fashionMNIST32, generator: &g).stateDict().map(\.0)
        #expect(Array(names.prefix(6)) == ["main.0.weight", "main.1.weight", "main.1.bias", "main.1.running_mean",
                                           "main.1.running_var", "main.1.num_batches_tracked"])
        #expect(names.last == "main.9.weight")
        let d = DCGANDiscriminator(.fashionMNIST32, generator: &g).stateDict().map(\.0)
        #expect(d.first == "main.0.weight" && d.last == "main.8.weight" && d.contains("main.3.running_var"))
    }

    /// weights_init: conv weights N(0, 0.02), BatchNorm weight N(1, 0.02), bias 0.
    @Test func initStatistics() {
        var g = Generator(seed: 3)
        let netG = DCGANGenerator(.fashionMNIST32, generator: &g)
        for (name, p) in netG.namedParameters() {
            let n = Double(p.count)
            let mean = p.data.reduce(0.0) { $0 + Double($1) } / n
            let sd = (p.data.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n).squareRoot()
            if name.hasSuffix("bias") {
                #expect(p.data.allSatisfy { $0 == 0 })
            } else if name == "main.1.weight" || name == "main.4.weight" || name == "main.7.weight" {
                #expect(abs(mean - 1) < 0.01 && abs(sd - 0.02) < 0.01, "\(name) mean \(mean) sd \(sd)")
            } else {
                #expect(abs(mean) < 0.002 && abs(sd - 0.02) < 0.002, "\(name) mean \(mean) sd \(sd)")
            }
        }
    }

    static let small = DCGANConfig(imageSize: 32, nz: 16, ngf: 8, ndf: 8, nc: 1)

    /// After one iteration, D's loss on the same real batch and the same (pre-step) fakes is lower.
    @Test func oneStepReducesDiscriminatorLoss() {
        var g = Generator(seed: 5)
        let netG = DCGANGenerator(Self.small, generator: &g), netD = DCGANDiscriminator(Self.small, generator: &g)
        let (optG, optD) = dcganOptimizers(generator: netG, discriminator: netD)
        let real = Tensor.uniform([16, 1, 32, 32], low: -1, high: 1, generator: &g)
        let z = Tensor.normal([16, 16, 1, 1], generator: &g)
        let fake = withNoGrad { netG(z) }
        func lossD() -> Float {
            withNoGrad {
                (F.binaryCrossEntropyWithLogits(netD(real), target: Tensor.ones([16]))
                    + F.binaryCrossEntropyWithLogits(netD(fake), target: Tensor.zeros([16]))).item()
            }
        }
        let before = lossD()
        let stats = ganStep(real: real, noise: z, netG: netG.forward, netD: netD.forward, optimizerG: optG, optimizerD: optD)
        #expect(abs(stats.lossD - before) < 1e-5)
        #expect(lossD() < before)
        // D is frozen only for the G pass: its parameters require grad again afterwards.
        #expect(netD.parameters().allSatisfy { $0.requiresGrad })
    }

    /// Two runs from the same seed end with bit-identical parameters and losses.
    @Test func sameSeedSameRun() {
        func run(_ seed: UInt64) -> ([Float], [Float]) {
            var g = Generator(seed: seed)
            let netG = DCGANGenerator(Self.small, generator: &g), netD = DCGANDiscriminator(Self.small, generator: &g)
            let (optG, optD) = dcganOptimizers(generator: netG, discriminator: netD)
            var losses: [Float] = []
            for _ in 0..<3 {
                let real = Tensor.uniform([8, 1, 32, 32], low: -1, high: 1, generator: &g)
                let s = ganStep(real: real, noise: Tensor.normal([8, 16, 1, 1], generator: &g), netG: netG.forward,
                                netD: netD.forward, optimizerG: optG, optimizerD: optD)
                losses += [s.lossD, s.lossG]
            }
            return (losses, (netG.stateDict() + netD.stateDict()).flatMap { $0.1.data })
        }
        let a = run(11), b = run(11), c = run(12)
        #expect(a.0 == b.0 && a.1 == b.1)
        #expect(a.0 != c.0)
    }

    @Test func sampleFromCheckpoint() throws {
        var g = Generator(seed: 9)
        let netG = DCGANGenerator(Self.small, generator: &g), netD = DCGANDiscriminator(Self.small, generator: &g)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dcgan-sample-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/checkpoints", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Checkpoint.save(modules: ["G": netG, "D": netD], to: dir + "/checkpoints/last.safetensors")
        #expect(try DCGAN.loadGenerator(dir + "/checkpoints/last.safetensors").config == Self.small)
        try DCGAN.sample(checkpoint: dir, count: 12, seed: 1, to: dir + "/grid.png")
        let png = try Bitmap.readPNG(dir + "/grid.png")
        #expect(png.width == 8 * 34 + 2 && png.height == 2 * 34 + 2)
    }

    /// `workbench sample --n 16` gives the first 16 images of `--n 64` (and of `--n 100`, which
    /// spans two chunks), bit for bit: image i does not depend on how many are drawn.
    @Test func sampleImageDoesNotDependOnCount() {
        var g = Generator(seed: 4)
        let netG = DCGANGenerator(Self.small, generator: &g)
        let first16 = DCGAN.samples(netG, count: 16, seed: 3), first64 = DCGAN.samples(netG, count: 64, seed: 3)
        let first100 = DCGAN.samples(netG, count: 100, seed: 3)
        #expect(first16.shape == [16, 1, 32, 32] && first100.shape == [100, 1, 32, 32])
        #expect(first16.data == Array(first64.data.prefix(first16.count)))
        #expect(first64.data == Array(first100.data.prefix(first64.count)))
        #expect(first16.data != DCGAN.samples(netG, count: 16, seed: 4).data)
    }
}
