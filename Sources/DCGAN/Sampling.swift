// `workbench sample dcgan`: a grid of images from the generator of a run or checkpoint file.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

extension DCGAN {
    /// Images per chunk of `samples`: each chunk's latents come from a stream of their own.
    public static let sampleChunk = 64

    /// Writes a grid of `count` samples (8 per row) from the generator of `checkpoint`
    /// (`RunCheckpoint.rule`) to `png`, latents drawn from `seed` (see `samples`).
    public static func sample(checkpoint: String, count: Int, seed: UInt64, to png: String) throws {
        precondition(count > 0, "sample: count must be positive, got \(count)")
        let netG = try loadGenerator(RunCheckpoint(checkpoint, paper: id).path)
        try ImageGrid.make(samples(netG, count: count, seed: seed), nrow: 8, padding: 2, range: -1...1).writePNG(to: png)
    }

    /// `count` images [count, nc, S, S] whose image i does not depend on `count`: the latents are
    /// drawn, and the images generated (train-mode BatchNorm, so over a whole batch), in chunks of
    /// `sampleChunk`, chunk k from the stream (seed, k); the last chunk is cut to `count`.
    public static func samples(_ netG: DCGANGenerator, count: Int, seed: UInt64) -> Tensor {
        let chunks = (0..<(count + sampleChunk - 1) / sampleChunk).map { k in
            var stream = derivedGenerator(seed, 8, epoch: k)
            return sampleImages(netG, Tensor.normal([sampleChunk, netG.config.nz, 1, 1], generator: &stream))
        }
        return Tensor.cat(chunks, dim: 0).narrow(0, start: 0, length: count)
    }

    /// The generator stored under `G.` in a checkpoint, its config read off the weight shapes.
    public static func loadGenerator(_ path: String) throws -> DCGANGenerator {
        let file = try SafeTensorsFile(contentsOf: path)
        let convs = file.names.filter { $0.hasPrefix("G.main.") && $0.hasSuffix(".weight") }
            .compactMap { name -> (Int, [Int])? in
                guard let i = Int(name.split(separator: ".")[2]), let t = file[name], t.shape.count == 4 else { return nil }
                return (i, t.shape)
            }.sorted { $0.0 < $1.0 }
        guard convs.count == 4 || convs.count == 5 else {
            throw RunError.invalid("\(path) holds no DCGAN generator (G.main.*.weight)")
        }
        let first = convs[0].1, last = convs[convs.count - 1].1
        // ndf only matters for D; read it from D's first conv when the checkpoint has one.
        let ndf = file["D.main.0.weight"]?.shape.first ?? last[0]
        let cfg = DCGANConfig(imageSize: convs.count == 4 ? 32 : 64, nz: first[0], ngf: last[0], ndf: ndf, nc: last[1])
        var g = Generator(seed: 0)
        let netG = DCGANGenerator(cfg, generator: &g)
        _ = try Checkpoint.load(from: path, modules: ["G": netG])
        return netG
    }
}
