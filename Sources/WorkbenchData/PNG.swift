// 8-bit images in memory (`Bitmap`) and PNG files through libpng's simplified API, which catches
// libpng's longjmp-based errors inside C, so a bad file is a thrown error and never a jump through Swift frames.
import CPNG
import Foundation

/// An 8-bit image: 1 channel (grey), 3 (RGB) or 4 (RGBA), rows top to bottom, channels interleaved.
public struct Bitmap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// `height * width * channels` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && [1, 3, 4].contains(channels),
                     "Bitmap: need positive size and 1, 3 or 4 channels, got \(width)x\(height)x\(channels)")
        precondition(pixels.count == width * height * channels,
                     "Bitmap: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image filled with one colour (`fill` has one value per channel).
    public init(width: Int, height: Int, fill: [UInt8]) {
        var pixels = [UInt8](repeating: 0, count: width * height * fill.count)
        for i in 0..<(width * height) { for c in 0..<fill.count { pixels[i * fill.count + c] = fill[c] } }
        self.init(width: width, height: height, channels: fill.count, pixels: pixels)
    }

    /// The channel values of pixel (x, y).
    public func pixel(x: Int, y: Int) -> [UInt8] {
        let o = (y * width + x) * channels
        return Array(pixels[o..<(o + channels)])
    }

    /// Writes the image as a PNG (encoded in memory, then a temporary file and a rename, so that a
    /// full disk is reported with the path and the system's reason).
    public func writePNG(to path: String) throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = pngFormat(channels: channels)
        defer { png_image_free(&image) }
        var size = 0
        let sized = pixels.withUnsafeBytes { raw in
            png_image_write_to_memory(&image, nil, &size, 0, raw.baseAddress, Int32(width * channels), nil)
        }
        guard sized != 0, size > 0 else { throw DataError(path: path, "PNG encoding failed: \(pngMessage(&image))") }
        var bytes = [UInt8](repeating: 0, count: size)
        let ok = bytes.withUnsafeMutableBytes { out in
            pixels.withUnsafeBytes { raw in
                png_image_write_to_memory(&image, out.baseAddress, &size, 0, raw.baseAddress, Int32(width * channels), nil)
            }
        }
        guard ok != 0 else { throw DataError(path: path, "PNG encoding failed: \(pngMessage(&image))") }
        try writeFileAtomically(path, Array(bytes.prefix(size)))
    }

    /// Reads a PNG of any colour type and bit depth, converted to 8 bits per channel: greyscale is
    /// 1 channel, colour (or palette) 3, and anything with transparency 4 (RGBA). 16-bit values v
    /// become round(v / 257), with no gamma conversion.
    public static func readPNG(_ path: String) throws -> Bitmap {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DataError(path: path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw DataError(path: path, "not a readable PNG: \(pngMessage(&image))")
        }
        let hasColor = image.format & 0x02 != 0, hasAlpha = image.format & 0x01 != 0, isSixteenBit = image.format & 0x04 != 0
        // Grey with alpha has no 2-channel Bitmap; it is read as RGBA.
        let channels = hasAlpha ? 4 : (hasColor ? 3 : 1)
        image.format = pngFormat(channels: channels)
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            throw DataError(path: path, "unreasonable PNG size \(width)x\(height)")
        }
        let count = width * height * channels
        var pixels = [UInt8](repeating: 0, count: count)
        if isSixteenBit {
            // libpng's 8-bit output of 16-bit data gamma-encodes it as if it were linear light; read
            // the 16-bit values themselves and keep them (v / 257), as an 8-bit file of the picture has.
            image.format |= 0x04  // PNG_FORMAT_FLAG_LINEAR: 16 bits per channel, alpha premultiplied
            var wide = [UInt16](repeating: 0, count: count)
            let ok = wide.withUnsafeMutableBytes { raw in
                png_image_finish_read(&image, nil, raw.baseAddress, Int32(width * channels), nil)
            }
            guard ok != 0 else { throw DataError(path: path, "corrupt PNG: \(pngMessage(&image))") }
            for p in stride(from: 0, to: count, by: channels) {
                let alpha = channels == 4 ? Double(wide[p + 3]) : 65535
                for c in 0..<channels {
                    let v = c == 3 || channels != 4 ? Double(wide[p + c]) : (alpha > 0 ? Double(wide[p + c]) * 65535 / alpha : 0)
                    pixels[p + c] = UInt8(min(255, (v / 257).rounded()))
                }
            }
        } else {
            let ok = pixels.withUnsafeMutableBytes { raw in
                png_image_finish_read(&image, nil, raw.baseAddress, Int32(width * channels), nil)
            }
            guard ok != 0 else { throw DataError(path: path, "corrupt PNG: \(pngMessage(&image))") }
        }
        return Bitmap(width: width, height: height, channels: channels, pixels: pixels)
    }
}

/// libpng's simplified-API format codes: bit 0 alpha, bit 1 colour.
private func pngFormat(channels: Int) -> UInt32 {
    switch channels {
    case 1: 0  // PNG_FORMAT_GRAY
    case 3: 2  // PNG_FORMAT_RGB
    default: 3  // PNG_FORMAT_RGBA
    }
}

/// The NUL-terminated message libpng left in `image.message`.
private func pngMessage(_ image: inout png_image) -> String {
    withUnsafeBytes(of: &image.message) { raw in
        let bytes = raw.prefix { $0 != 0 }
        return bytes.isEmpty ? "unknown libpng error" : String(decoding: bytes, as: UTF8.self)
    }
}
