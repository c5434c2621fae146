// Tiling a batch of images into one sheet (torchvision.utils.make_grid + save_image), e.g. the
// DCGAN sample sheet, and single-tensor-to-image conversion.

public enum ImageGrid {
    /// Tiles `batch` [B, C, H, W] (C = 1 or 3) into rows of `nrow` images separated and framed by
    /// `padding` pixels of `padValue`, like `make_grid(batch, nrow, padding, normalize=True,
    /// value_range=range)`. Values map linearly from `range` to 0...255 (clamped, rounded half up
    /// as `save_image` does). Greyscale stays one channel.
    public static func make(_ batch: Tensor, nrow: Int = 8, padding: Int = 2, range: ClosedRange<Float> = -1...1,
                            padValue: UInt8 = 0) -> Bitmap {
        precondition(batch.rank == 4 && (batch.shape[1] == 1 || batch.shape[1] == 3) && batch.shape[0] > 0,
                     "ImageGrid.make: expected [B, C, H, W] with B > 0 and C in {1, 3}, got \(batch.shape)")
        precondition(nrow > 0 && padding >= 0 && range.upperBound > range.lowerBound,
                     "ImageGrid.make: nrow \(nrow), padding \(padding), range \(range)")
        let (b, c, h, w) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        let columns = min(nrow, b), rows = (b + columns - 1) / columns
        let cellH = h + padding, cellW = w + padding
        let width = columns * cellW + padding, height = rows * cellH + padding
        var pixels = [UInt8](repeating: padValue, count: width * height * c)
        let lo = range.lowerBound, scale = 255 / (range.upperBound - range.lowerBound)
        batch.data.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<b {
                    let top = (i / columns) * cellH + padding, left = (i % columns) * cellW + padding
                    for ch in 0..<c {
                        let plane = src.baseAddress! + (i * c + ch) * h * w
                        for y in 0..<h {
                            for x in 0..<w {
                                dst[((top + y) * width + left + x) * c + ch] = toByte(plane[y * w + x], lo, scale)
                            }
                        }
                    }
                }
            }
        }
        return Bitmap(width: width, height: height, channels: c, pixels: pixels)
    }

    /// One image [C, H, W] or [H, W] as a bitmap, values mapped from `range`.
    public static func image(_ x: Tensor, range: ClosedRange<Float> = 0...1) -> Bitmap {
        precondition(x.rank == 2 || (x.rank == 3 && (x.shape[0] == 1 || x.shape[0] == 3)),
                     "ImageGrid.image: expected [H, W] or [C, H, W] with C in {1, 3}, got \(x.shape)")
        let shape = x.rank == 2 ? [1, 1] + x.shape : [1] + x.shape
        return make(x.reshape(shape), nrow: 1, padding: 0, range: range)
    }
}

/// (v - lo) * 255 / (hi - lo) + 0.5, clamped to 0...255 and truncated; NaN becomes 0.
@inline(__always)
func toByte(_ v: Float, _ lo: Float, _ scale: Float) -> UInt8 {
    let s = (v - lo) * scale + 0.5
    return s >= 255 ? 255 : (s > 0 ? UInt8(s) : 0)
}
