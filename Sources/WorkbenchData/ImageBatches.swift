// The image batch iterator (PyTorch's DataLoader over a transformed dataset): seeded shuffling,
// drop-last, resize/pad, random crop and flip, normalisation; one epoch per sequence.

/// Geometry applied to every image before augmentation.
public enum ImageResize: Sendable, Equatable {
    case none
    /// Zero padding on every side, e.g. `.pad(2)` turns 28x28 into DCGAN's 32x32.
    case pad(Int)
    /// Bilinear resize (`align_corners=False`) to the given size.
    case bilinear(height: Int, width: Int)
}

/// Random training-time augmentation, drawn from the iterator's seeded generator.
public struct ImageAugmentation: Sendable, Equatable, Codable {
    /// `RandomCrop(size, padding:)`: zero-pad by this much and crop back at a random offset; 0 disables.
    public var randomCropPadding: Int
    /// `RandomHorizontalFlip()`: mirror left-right with probability 1/2.
    public var horizontalFlip: Bool

    public init(randomCropPadding: Int = 0, horizontalFlip: Bool = false) {
        precondition(randomCropPadding >= 0, "randomCropPadding must be >= 0, got \(randomCropPadding)")
        self.randomCropPadding = randomCropPadding
        self.horizontalFlip = horizontalFlip
    }

    public static let none = ImageAugmentation()
}

/// Per-channel `(x - mean) / std` applied after scaling pixels to [0, 1].
public struct Normalization: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Maps [0, 1] to [-1, 1] (DCGAN's generator range): mean 0.5, std 0.5.
    public static let minusOneToOne = Normalization(mean: [0.5], std: [0.5])
    /// Fashion-MNIST training-set statistics (mean 0.2860, std 0.3530).
    public static let fashionMNIST = Normalization(mean: [0.2860], std: [0.3530])
}

/// One epoch of batches `(x: [B, C, H, W] Float, y: [B])` over an `ImageDataset`.
///
/// Deterministic: the order depends only on (seed, epoch) and the augmentation draws only on
/// (seed, epoch) too, from a separate stream, so switching augmentation on leaves the order alone.
public struct ImageBatches: Sequence {
    public let dataset: ImageDataset
    public let batchSize: Int
    public let dropLast: Bool
    public let resize: ImageResize
    public let augmentation: ImageAugmentation
    public let normalization: Normalization?
    /// The sample order of this epoch.
    public let order: [Int]
    let augmentationSeed: UInt64

    public init(_ dataset: ImageDataset, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, epoch: Int = 0,
                dropLast: Bool = false, resize: ImageResize = .none, augmentation: ImageAugmentation = .none,
                normalization: Normalization? = nil) {
        precondition(batchSize > 0, "batchSize must be positive, got \(batchSize)")
        if let n = normalization { checkNormalization(mean: n.mean, std: n.std, channels: dataset.channels) }
        switch resize {
        case .none: break
        case .pad(let p): precondition(p >= 0, "resize .pad(\(p)) must be >= 0")
        case .bilinear(let h, let w): precondition(h > 0 && w > 0, "resize .bilinear(\(h), \(w)) must be positive")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.resize = resize
        self.augmentation = augmentation
        self.normalization = normalization
        if shuffle {
            var g = WorkbenchCore.Generator(seed: epochSeed(seed, epoch: epoch, stream: 0))
            order = g.permutation(dataset.count)
        } else {
            order = Array(0..<dataset.count)
        }
        augmentationSeed = epochSeed(seed, epoch: epoch, stream: 1)
    }

    /// Number of batches in the epoch.
    public var count: Int { dropLast ? order.count / batchSize : (order.count + batchSize - 1) / batchSize }
    public var underestimatedCount: Int { count }

    /// Height and width of the images produced.
    public var outputSize: (height: Int, width: Int) {
        switch resize {
        case .none: (dataset.height, dataset.width)
        case .pad(let p): (dataset.height + 2 * p, dataset.width + 2 * p)
        case .bilinear(let h, let w): (h, w)
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }

    public struct Iterator: IteratorProtocol {
        let batches: ImageBatches
        var position = 0
        var generator: WorkbenchCore.Generator
        // Reused across batches: one image as Float, and after resizing.
        var stage: [Float]
        var resized: [Float]
        let plan: BilinearPlan?

        init(_ batches: ImageBatches) {
            self.batches = batches
            generator = WorkbenchCore.Generator(seed: batches.augmentationSeed)
            let d = batches.dataset
            let (h, w) = batches.outputSize
            stage = [Float](repeating: 0, count: d.imageSize)
            resized = [Float](repeating: 0, count: d.channels * h * w)
            if case .bilinear = batches.resize {
                plan = BilinearPlan(inH: d.height, inW: d.width, outH: h, outW: w)
            } else {
                plan = nil
            }
        }

        public mutating func next() -> (x: Tensor, y: IndexTensor)? {
            let b = batches
            let remaining = b.order.count - position
            let size = Swift.min(b.batchSize, remaining)
            if size <= 0 || (b.dropLast && size < b.batchSize) { return nil }
            let indices = Array(b.order[position..<(position + size)])
            position += size

            let d = b.dataset
            let c = d.channels
            let (h, w) = b.outputSize
            let plane = c * h * w
            let aug = b.augmentation
            let mean = b.normalization?.mean ?? [], std = b.normalization?.std ?? []
            var out = [Float](repeating: 0, count: size * plane)
            d.pixels.withUnsafeBufferPointer { pixels in
            stage.withUnsafeMutableBufferPointer { stage in
            resized.withUnsafeMutableBufferPointer { resized in
            out.withUnsafeMutableBufferPointer { out in
                for (k, i) in indices.enumerated() {
                    bytesToUnitFloats(pixels.baseAddress! + i * d.imageSize, stage.baseAddress!, d.imageSize)
                    switch b.resize {
                    case .none:
                        resized.baseAddress!.update(from: stage.baseAddress!, count: plane)
                    case .pad(let p):
                        padPlanes(stage.baseAddress!, resized.baseAddress!, planes: c, h: d.height, w: d.width, pad: p)
                    case .bilinear:
                        plan!.apply(stage.baseAddress!, resized.baseAddress!, planes: c)
                    }
                    let draw = AugmentationDraw(padding: aug.randomCropPadding, flip: aug.horizontalFlip, generator: &generator)
                    cropFlipNormalize(resized.baseAddress!, out.baseAddress! + k * plane, channels: c, h: h, w: w,
                                      pad: aug.randomCropPadding, dy: draw.dy, dx: draw.dx, flip: draw.flip,
                                      mean: mean, std: std)
                }
            }}}}
            return (Tensor(shape: [size, c, h, w], data: out), d.labels(at: indices))
        }
    }
}

/// A seed for (seed, epoch, stream), mixed so nearby inputs give unrelated generators.
func epochSeed(_ seed: UInt64, epoch: Int, stream: UInt64) -> UInt64 {
    var g = WorkbenchCore.Generator(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15)
                      ^ (stream &* 0xD1B5_4A32_D192_ED03))
    return g.next()
}
