// Drawing primitives on an RGB `Bitmap` for plots and heat maps: rectangles, thick lines, text.

/// An RGB colour.
public struct Color: Sendable, Equatable {
    public var r: UInt8, g: UInt8, b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r; self.g = g; self.b = b
    }

    public static let white = Color(255, 255, 255)
    public static let black = Color(0, 0, 0)
    public static let gray = Color(128, 128, 128)
    public static let lightGray = Color(225, 225, 225)

    /// matplotlib's "tab10" cycle, the colours PyTorch users see in their own plots.
    public static let palette: [Color] = [
        Color(31, 119, 180), Color(255, 127, 14), Color(44, 160, 44), Color(214, 39, 40), Color(148, 103, 189),
        Color(140, 86, 75), Color(227, 119, 194), Color(127, 127, 127), Color(188, 189, 34), Color(23, 190, 207),
    ]
}

/// An RGB bitmap being drawn on, with an optional clip rectangle.
struct Canvas {
    var bitmap: Bitmap
    /// Drawing outside [x0, x1) x [y0, y1) is ignored.
    var clip: (x0: Int, y0: Int, x1: Int, y1: Int)

    init(width: Int, height: Int, background: Color = .white) {
        bitmap = Bitmap(width: width, height: height, fill: [background.r, background.g, background.b])
        clip = (0, 0, width, height)
    }

    mutating func resetClip() { clip = (0, 0, bitmap.width, bitmap.height) }

    @inline(__always)
    mutating func set(_ x: Int, _ y: Int, _ c: Color) {
        guard x >= clip.x0, x < clip.x1, y >= clip.y0, y < clip.y1 else { return }
        let o = (y * bitmap.width + x) * 3
        bitmap.pixels[o] = c.r; bitmap.pixels[o + 1] = c.g; bitmap.pixels[o + 2] = c.b
    }

    mutating func fillRect(x: Int, y: Int, width: Int, height: Int, _ c: Color) {
        let xa = max(x, clip.x0), xb = min(x + width, clip.x1)
        let ya = max(y, clip.y0), yb = min(y + height, clip.y1)
        guard xa < xb, ya < yb else { return }
        for yy in ya..<yb { for xx in xa..<xb { set(xx, yy, c) } }
    }

    mutating func strokeRect(x: Int, y: Int, width: Int, height: Int, _ c: Color) {
        fillRect(x: x, y: y, width: width, height: 1, c)
        fillRect(x: x, y: y + height - 1, width: width, height: 1, c)
        fillRect(x: x, y: y, width: 1, height: height, c)
        fillRect(x: x + width - 1, y: y, width: 1, height: height, c)
    }

    /// A line from (x0, y0) to (x1, y1), `thickness` pixels wide (Bresenham with a square pen).
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: Color, thickness: Int = 1) {
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        var x = x0, y = y0
        let lo = -(thickness - 1) / 2, hi = thickness / 2
        // Endpoints far outside the canvas (huge values) would make the walk long; callers clip first.
        while true {
            for oy in lo...hi { for ox in lo...hi { set(x + ox, y + oy, c) } }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Text with its top-left corner at (x, y), each font pixel drawn as a `scale` x `scale` block.
    /// `vertical` turns it 90 degrees counter-clockwise (reading bottom to top), (x, y) then being
    /// the bottom-left corner.
    mutating func text(_ s: String, x: Int, y: Int, _ c: Color, scale: Int = 1, vertical: Bool = false) {
        var pen = 0
        for scalar in s.unicodeScalars {
            let code = Int(scalar.value)
            for gy in 0..<BitmapFont.glyphHeight {
                for gx in 0..<BitmapFont.glyphWidth where BitmapFont.isSet(code, x: gx, y: gy) {
                    let u = (pen + gx) * scale, v = gy * scale
                    for a in 0..<scale {
                        for b in 0..<scale {
                            if vertical { set(x + v + b, y - u - a, c) } else { set(x + u + a, y + v + b, c) }
                        }
                    }
                }
            }
            pen += BitmapFont.cellWidth
        }
    }

    /// Width in pixels of `s` at `scale`.
    static func textWidth(_ s: String, scale: Int = 1) -> Int { BitmapFont.width(s) * scale }
    /// Height in pixels of a line of text at `scale`.
    static func textHeight(scale: Int = 1) -> Int { BitmapFont.glyphHeight * scale }
}
