// An in-memory labelled image set kept as UInt8 pixels (a quarter of Float32's memory);
// batches convert to Float on the way out.

/// Labelled images with pixels stored as bytes, layout [N, C, H, W].
public struct ImageDataset: Sendable {
    /// Pixel bytes, row-major [N, C, H, W]; 0 is black, 255 white.
    public let pixels: [UInt8]
    public let count: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    /// Class index of each image, shape [N].
    public let labels: IndexTensor
    /// Names of the classes, indexed by label.
    public let classNames: [String]

    public init(pixels: [UInt8], count: Int, channels: Int, height: Int, width: Int,
                labels: IndexTensor, classNames: [String]) {
        precondition(pixels.count == count * channels * height * width,
                     "ImageDataset: \(pixels.count) pixel bytes for [\(count), \(channels), \(height), \(width)]")
        precondition(labels.shape == [count], "ImageDataset: labels shape \(labels.shape) for \(count) images")
        precondition(labels.data.allSatisfy { $0 >= 0 && $0 < classNames.count },
                     "ImageDataset: a label lies outside 0..<\(classNames.count)")
        self.pixels = pixels
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.labels = labels
        self.classNames = classNames
    }

    /// The shape of the whole set as a tensor: [N, C, H, W].
    public var shape: [Int] { [count, channels, height, width] }
    /// Elements per image.
    public var imageSize: Int { channels * height * width }

    /// The images at `indices` as Float in [0, 1] (`ToTensor()`). // [B, C, H, W]
    public func images(at indices: [Int]) -> Tensor {
        let size = imageSize
        return Tensor(shape: [indices.count, channels, height, width]) { out in
            pixels.withUnsafeBufferPointer { src in
                for (b, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "image index \(i) out of range 0..<\(count)")
                    bytesToUnitFloats(src.baseAddress! + i * size, out.baseAddress! + b * size, size)
                }
            }
        }
    }

    /// Every image as Float in [0, 1]. // [N, C, H, W]
    public func allImages() -> Tensor { images(at: Array(0..<count)) }

    /// The labels at `indices`. // [B]
    public func labels(at indices: [Int]) -> IndexTensor {
        IndexTensor(indices.map { labels.data[$0] })
    }

    /// How many images carry each label.
    public func labelHistogram() -> [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for l in labels.data { counts[l] += 1 }
        return counts
    }

    /// The first `n` images (or all when there are fewer), for quick runs.
    public func prefix(_ n: Int) -> ImageDataset {
        let k = min(max(n, 0), count)
        return ImageDataset(pixels: Array(pixels[..<(k * imageSize)]), count: k, channels: channels,
                            height: height, width: width, labels: IndexTensor(Array(labels.data[..<k])),
                            classNames: classNames)
    }
}

/// x / 255 for every byte, divided (not multiplied by 1/255) so values equal torchvision's `ToTensor`.
let unitFloatTable: [Float] = (0..<256).map { Float($0) / 255 }

/// Byte pixels to Float in [0, 1] through `unitFloatTable`.
@inline(__always)
func bytesToUnitFloats(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    unitFloatTable.withUnsafeBufferPointer { table in
        for j in 0..<n { dst[j] = table[Int(src[j])] }
    }
}
