// The image batch iterator and transforms: seeded, epoch-dependent order, drop-last, padding,
// bilinear resize against PyTorch, normalisation, and deterministic augmentation.
import Testing
import WorkbenchTesting
import WorkbenchData

/// `n` single-channel h x w images; image i has pixel value (i * 7 + y * w + x) mod 256 and label i mod 3.
func syntheticDataset(_ n: Int, h: Int = 4, w: Int = 4, channels: Int = 1) -> ImageDataset {
    var pixels: [UInt8] = []
    for i in 0..<n { for c in 0..<channels { for p in 0..<(h * w) { pixels.append(UInt8((i * 7 + c * 3 + p) % 256)) } } }
    return ImageDataset(pixels: pixels, count: n, channels: channels, height: h, width: w,
                        labels: IndexTensor((0..<n).map { $0 % 3 }), classNames: ["a", "b", "c"])
}

@Suite struct ImageBatchesTests {
    /// The dataset index of each image in a batch, recovered from its first pixel.
    func order(_ batches: ImageBatches) -> [Int] {
        batches.flatMap { batch in
            (0..<batch.x.shape[0]).map { b in Int((batch.x.data[b * batch.x.count / batch.x.shape[0]] * 255).rounded()) / 7 }
        }
    }

    @Test func seededShuffling() {
        let d = syntheticDataset(30)
        let a = order(ImageBatches(d, batchSize: 8, seed: 1, epoch: 0))
        #expect(a == order(ImageBatches(d, batchSize: 8, seed: 1, epoch: 0)))
        #expect(a.sorted() == Array(0..<30))
        #expect(a != order(ImageBatches(d, batchSize: 8, seed: 2, epoch: 0)))
        #expect(a != order(ImageBatches(d, batchSize: 8, seed: 1, epoch: 1)))
        #expect(order(ImageBatches(d, batchSize: 8, shuffle: false)) == Array(0..<30))
        // Labels travel with their images.
        for batch in ImageBatches(d, batchSize: 8, seed: 3) {
            let ids = (0..<batch.x.shape[0]).map { Int((batch.x.data[$0 * 16] * 255).rounded()) / 7 }
            #expect(batch.y.data == ids.map { $0 % 3 })
        }
    }

    @Test func batchSizesAndDropLast() {
        let d = syntheticDataset(10)
        let keep = ImageBatches(d, batchSize: 4)
        #expect(keep.count == 3 && keep.map { $0.x.shape[0] } == [4, 4, 2])
        #expect(keep.map { $0.y.shape } == [[4], [4], [2]])
        let drop = ImageBatches(d, batchSize: 4, dropLast: true)
        #expect(drop.count == 2 && drop.map { $0.x.shape } == [[4, 1, 4, 4], [4, 1, 4, 4]])
    }

    @Test func padTo32AndNormalise() {
        let d = syntheticDataset(2, h: 28, w: 28)
        let batch = ImageBatches(d, batchSize: 2, shuffle: false, resize: .pad(2), normalization: .minusOneToOne).first { _ in true }!
        #expect(batch.x.shape == [2, 1, 32, 32])
        // The border is zero before normalisation: (0 - 0.5) / 0.5 = -1.
        #expect(batch.x.data[0] == -1 && batch.x.data[31] == -1 && batch.x.data[32 * 2 + 1] == -1)
        // Pixel (0, 0) of image 1 is 7, placed at (2, 2).
        #expect(batch.x.data[32 * 32 + 2 * 32 + 2] == (Float(7) / 255 - 0.5) / 0.5)
        // The tensor transform agrees with the iterator.
        let padded = ImageTransforms.pad(d.images(at: [0, 1]), 2)
        #expect(ImageTransforms.normalize(padded, mean: [0.5], std: [0.5]).data == batch.x.data)
    }

    /// Against F.interpolate(mode="bilinear", align_corners=False): Tests/Fixtures/literals/resize_bilinear_*.
    @Test(arguments: ["resize_bilinear_4x4_to_3x5", "resize_bilinear_3x4_to_7x9", "resize_bilinear_1x2_to_1x4"])
    func bilinearResizeMatchesPyTorch(_ name: String) throws {
        let f = try LiteralFixture(name)
        let size = try f.fixture.config.pair("size")
        let y = ImageTransforms.resizeBilinear(try f.tensor("input.x"), height: size.0, width: size.1)
        #expect(try f.mismatch("expect.output.y", y) == nil)
    }

    @Test func bilinearResizeBatchesMatchTheTransform() {
        let d = syntheticDataset(3, h: 28, w: 28)
        let batch = ImageBatches(d, batchSize: 3, shuffle: false, resize: .bilinear(height: 32, width: 32)).first { _ in true }!
        #expect(batch.x.data == ImageTransforms.resizeBilinear(d.allImages(), height: 32, width: 32).data)
    }

    @Test func augmentationIsDeterministicAndSeparateFromOrder() {
        let d = syntheticDataset(20, h: 6, w: 6, channels: 3)
        let aug = ImageAugmentation(randomCropPadding: 2, horizontalFlip: true)
        func run(_ seed: UInt64, _ epoch: Int, _ a: ImageAugmentation) -> [[Float]] {
            ImageBatches(d, batchSize: 7, seed: seed, epoch: epoch, augmentation: a).map { $0.x.data }
        }
        #expect(run(5, 0, aug) == run(5, 0, aug))
        #expect(run(5, 0, aug) != run(5, 1, aug))
        #expect(run(5, 0, aug) != run(5, 0, .none))
        // Augmentation draws from its own stream: the labels' order does not change.
        #expect(ImageBatches(d, batchSize: 7, seed: 5, augmentation: aug).map(\.y.data)
                == ImageBatches(d, batchSize: 7, seed: 5).map(\.y.data))
    }

    @Test func cropAndFlipMoveRealPixels() {
        let x = Tensor(shape: [1, 1, 2, 3], data: [1, 2, 3, 4, 5, 6])
        // Over many draws a padding-1 crop produces every shift, with zeros entering at the edge.
        var g = Generator(seed: 11)
        var seen = Set<[Float]>()
        for _ in 0..<200 { seen.insert(ImageTransforms.randomCrop(x, padding: 1, generator: &g).data) }
        #expect(seen.count == 9)
        #expect(seen.contains([0, 0, 0, 0, 1, 2]))  // shifted down-right
        #expect(seen.contains([5, 6, 0, 0, 0, 0]))  // shifted up-left
        var flips = Set<[Float]>()
        for _ in 0..<50 { flips.insert(ImageTransforms.randomHorizontalFlip(x, generator: &g).data) }
        #expect(flips == [[1, 2, 3, 4, 5, 6], [3, 2, 1, 6, 5, 4]])
    }
}
