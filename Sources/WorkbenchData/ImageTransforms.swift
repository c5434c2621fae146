// Image transforms for the data pipeline (torchvision's Pad, Resize, RandomCrop,
// RandomHorizontalFlip, Normalize) on [N, C, H, W] tensors, and the per-plane kernels the batch
// iterator shares. These are input preprocessing: they build no autodiff node.

/// Index and weight tables for bilinear resizing of one axis, PyTorch `align_corners=False`:
/// source = (dst + 0.5) * in / out - 0.5, clamped at 0; neighbours i0, min(i0 + 1, in - 1).
struct BilinearAxis {
    var i0: [Int], i1: [Int], w1: [Float]

    init(input: Int, output: Int) {
        let scale = Float(input) / Float(output)
        i0 = []; i1 = []; w1 = []
        for d in 0..<output {
            let src = max((Float(d) + 0.5) * scale - 0.5, 0)
            let lo = min(Int(src), input - 1)
            i0.append(lo)
            i1.append(min(lo + 1, input - 1))
            w1.append(src - Float(lo))
        }
    }
}

/// Resizes planes laid out [planes, inH, inW] into [planes, outH, outW].
struct BilinearPlan {
    let inH: Int, inW: Int, outH: Int, outW: Int
    let rows: BilinearAxis, cols: BilinearAxis

    init(inH: Int, inW: Int, outH: Int, outW: Int) {
        self.inH = inH; self.inW = inW; self.outH = outH; self.outW = outW
        rows = BilinearAxis(input: inH, output: outH)
        cols = BilinearAxis(input: inW, output: outW)
    }

    func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, planes: Int) {
        rows.i0.withUnsafeBufferPointer { r0 in rows.i1.withUnsafeBufferPointer { r1 in
        rows.w1.withUnsafeBufferPointer { rw in cols.i0.withUnsafeBufferPointer { c0 in
        cols.i1.withUnsafeBufferPointer { c1 in cols.w1.withUnsafeBufferPointer { cw in
            for p in 0..<planes {
                let s = src + p * inH * inW, d = dst + p * outH * outW
                for y in 0..<outH {
                    let top = s + r0[y] * inW, bottom = s + r1[y] * inW
                    let wy = rw[y]
                    for x in 0..<outW {
                        let wx = cw[x]
                        let t = top[c0[x]] * (1 - wx) + top[c1[x]] * wx
                        let b = bottom[c0[x]] * (1 - wx) + bottom[c1[x]] * wx
                        d[y * outW + x] = t * (1 - wy) + b * wy
                    }
                }
            }
        }}}}}}
    }
}

/// Zero-pads planes [planes, h, w] by `pad` on every side into [planes, h + 2 pad, w + 2 pad].
func padPlanes(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, planes: Int, h: Int, w: Int,
               pad: Int, value: Float = 0) {
    let oh = h + 2 * pad, ow = w + 2 * pad
    dst.update(repeating: value, count: planes * oh * ow)
    for p in 0..<planes {
        for y in 0..<h {
            (dst + p * oh * ow + (y + pad) * ow + pad).update(from: src + p * h * w + y * w, count: w)
        }
    }
}

/// One image's random crop (offsets into the zero-padded image), flip and normalisation, fused:
/// out[c, y, x] = (crop[c, y, flip ? W-1-x : x] - mean[c]) / std[c],
/// crop[c, y, x] = padded[c, y + dy, x + dx] = src[c, y + dy - pad, x + dx - pad] (0 outside).
func cropFlipNormalize(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                       channels: Int, h: Int, w: Int, pad: Int, dy: Int, dx: Int, flip: Bool,
                       mean: [Float], std: [Float]) {
    for c in 0..<channels {
        let m = mean.isEmpty ? 0 : mean[mean.count == 1 ? 0 : c]
        let s = std.isEmpty ? 1 : std[std.count == 1 ? 0 : c]
        let fill = (0 - m) / s
        let plane = src + c * h * w, out = dst + c * h * w
        for y in 0..<h {
            let sy = y + dy - pad
            let row = out + y * w
            if sy < 0 || sy >= h {
                row.update(repeating: fill, count: w)
                continue
            }
            let srcRow = plane + sy * w
            for x in 0..<w {
                let sx = (flip ? w - 1 - x : x) + dx - pad
                row[x] = sx >= 0 && sx < w ? (srcRow[sx] - m) / s : fill
            }
        }
    }
}

/// Transforms on image batches, named after torchvision's.
public enum ImageTransforms {
    /// Zero padding on every side (`transforms.Pad(pad)`); 28x28 -> 32x32 with pad 2. // [N, C, H+2p, W+2p]
    public static func pad(_ x: Tensor, _ pad: Int, value: Float = 0) -> Tensor {
        precondition(x.rank == 4 && pad >= 0, "pad: expected [N, C, H, W] and pad >= 0, got \(x.shape), \(pad)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return Tensor(shape: [n, c, h + 2 * pad, w + 2 * pad]) { out in
            x.data.withUnsafeBufferPointer { src in
                padPlanes(src.baseAddress!, out.baseAddress!, planes: n * c, h: h, w: w, pad: pad, value: value)
            }
        }
    }

    /// Bilinear resize, `F.interpolate(x, size:, mode: "bilinear", align_corners: false)`. // [N, C, height, width]
    public static func resizeBilinear(_ x: Tensor, height: Int, width: Int) -> Tensor {
        precondition(x.rank == 4 && height > 0 && width > 0,
                     "resizeBilinear: expected [N, C, H, W] and a positive size, got \(x.shape) -> \(height)x\(width)")
        let plan = BilinearPlan(inH: x.shape[2], inW: x.shape[3], outH: height, outW: width)
        return Tensor(shape: [x.shape[0], x.shape[1], height, width]) { out in
            x.data.withUnsafeBufferPointer { src in
                plan.apply(src.baseAddress!, out.baseAddress!, planes: x.shape[0] * x.shape[1])
            }
        }
    }

    /// Per-channel `(x - mean[c]) / std[c]` (`transforms.Normalize`); one value applies to all channels. // [N, C, H, W]
    public static func normalize(_ x: Tensor, mean: [Float], std: [Float]) -> Tensor {
        precondition(x.rank == 4, "normalize: expected [N, C, H, W], got \(x.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        checkNormalization(mean: mean, std: std, channels: c)
        return Tensor(shape: x.shape) { out in
            x.data.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    cropFlipNormalize(src.baseAddress! + i * c * h * w, out.baseAddress! + i * c * h * w,
                                      channels: c, h: h, w: w, pad: 0, dy: 0, dx: 0, flip: false, mean: mean, std: std)
                }
            }
        }
    }

    /// Random crop of the same size after zero padding (`transforms.RandomCrop(H, padding: pad)`),
    /// one offset per image drawn from `generator`. // [N, C, H, W]
    public static func randomCrop(_ x: Tensor, padding pad: Int, generator g: inout Generator) -> Tensor {
        augment(x, padding: pad, flip: false, generator: &g)
    }

    /// Flips each image left-right with probability 1/2 (`transforms.RandomHorizontalFlip()`). // [N, C, H, W]
    public static func randomHorizontalFlip(_ x: Tensor, generator g: inout Generator) -> Tensor {
        augment(x, padding: 0, flip: true, generator: &g)
    }

    static func augment(_ x: Tensor, padding pad: Int, flip: Bool, generator g: inout Generator) -> Tensor {
        precondition(x.rank == 4 && pad >= 0, "augment: expected [N, C, H, W] and padding >= 0, got \(x.shape), \(pad)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return Tensor(shape: x.shape) { out in
            x.data.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    let draw = AugmentationDraw(padding: pad, flip: flip, generator: &g)
                    cropFlipNormalize(src.baseAddress! + i * c * h * w, out.baseAddress! + i * c * h * w,
                                      channels: c, h: h, w: w, pad: pad, dy: draw.dy, dx: draw.dx, flip: draw.flip,
                                      mean: [], std: [])
                }
            }
        }
    }
}

/// The random choices for one image, always drawn in the same order (crop then flip).
struct AugmentationDraw {
    var dy = 0, dx = 0, flip = false

    init(padding: Int, flip allowFlip: Bool, generator g: inout Generator) {
        if padding > 0 {
            dy = g.integer(below: 2 * padding + 1)
            dx = g.integer(below: 2 * padding + 1)
        }
        if allowFlip { flip = g.bernoulli(0.5) }
    }
}

func checkNormalization(mean: [Float], std: [Float], channels: Int) {
    precondition(mean.count == std.count && (mean.count == 1 || mean.count == channels),
                 "normalize: mean \(mean) and std \(std) must have 1 or \(channels) entries")
    precondition(std.allSatisfy { $0 != 0 }, "normalize: std \(std) contains a zero")
}
