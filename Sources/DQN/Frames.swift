// PNG frames of environment states for `play --frames-out`: MinAtar grids coloured by channel, CartPole drawn.
import Foundation
import WorkbenchData
import WorkbenchRun

public enum Frames {
    /// The MinAtar state as a 10x10 grid of `scale`-pixel cells; a cell takes the colour of its
    /// highest-numbered set channel (as MinAtar's own display does), black when empty.
    public static func minAtar(_ env: MinAtar, scale: Int = 16) -> Bitmap {
        let obs = env.observation()
        let channels = env.observationShape[0]
        var bitmap = Bitmap(width: 10 * scale, height: 10 * scale, fill: [0, 0, 0])
        for y in 0..<10 {
            for x in 0..<10 {
                var top = -1
                for c in 0..<channels where obs[c * 100 + y * 10 + x] != 0 { top = c }
                guard top >= 0 else { continue }
                let color = Color.palette[top % Color.palette.count]
                for py in y * scale..<(y + 1) * scale {
                    for px in x * scale..<(x + 1) * scale {
                        let i = (py * bitmap.width + px) * 3
                        bitmap.pixels[i] = color.r; bitmap.pixels[i + 1] = color.g; bitmap.pixels[i + 2] = color.b
                    }
                }
            }
        }
        return bitmap
    }

    /// CartPole as a 240x120 picture: track, cart (x in ±2.4 across the width) and the pole.
    public static func cartPole(_ env: CartPole) -> Bitmap {
        let w = 240, h = 120
        var bitmap = Bitmap(width: w, height: h, fill: [255, 255, 255])
        func set(_ x: Int, _ y: Int, _ c: Color) {
            guard x >= 0 && x < w && y >= 0 && y < h else { return }
            let i = (y * w + x) * 3
            bitmap.pixels[i] = c.r; bitmap.pixels[i + 1] = c.g; bitmap.pixels[i + 2] = c.b
        }
        let trackY = 95
        for x in 0..<w { set(x, trackY, .gray) }
        let cx = Int((env.state.0 / 2.4 + 1) / 2 * Double(w))
        for y in trackY - 10..<trackY { for x in cx - 12...cx + 12 { set(x, y, .black) } }
        let length = 70.0, theta = env.state.2
        for s in 0..<140 {
            let t = Double(s) / 140 * length
            let px = Double(cx) + t * sin(theta), py = Double(trackY - 10) - t * cos(theta)
            for d in -1...1 { set(Int(px) + d, Int(py), Color(200, 120, 40)) }
        }
        return bitmap
    }

    /// Creates `directory` and its parents for the frames; a path that cannot hold them (a file, a
    /// path under a file, a directory that cannot be written) is one error naming it and the reason.
    static func makeDirectory(_ directory: String) throws {
        func fail(_ reason: String) -> RunError { RunError.invalid("--frames-out \(directory): \(reason)") }
        var path = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw fail("cannot create \(path): \(String(cString: strerror(errno)))") }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw fail("is a file, not a directory")
        }
        guard access(directory, W_OK) == 0 else { throw fail("cannot write into it: \(String(cString: strerror(errno)))") }
    }

    /// Writes `<directory>/episode<e>_frame<f>.png` for the environment's current state.
    static func write(_ env: any Environment, to directory: String, episode: Int, frame: Int) throws {
        let bitmap: Bitmap
        if let m = env as? MinAtar { bitmap = minAtar(m) } else if let c = env as? CartPole { bitmap = cartPole(c) } else { return }
        try bitmap.writePNG(to: String(format: "%@/episode%03d_frame%05d.png", directory, episode, frame))
    }
}
