// Convolution geometry and the im2col / col2im kernels that turn a convolution into sgemm.

/// One 2-D convolution seen from its input: planes [C, H, W] and a kh x kw kernel with stride,
/// padding and dilation give output planes [outH, outW]. The column matrix of one sample is
/// [C*kh*kw, outH*outW]: row (c, ki, kj) holds the input pixel each output position sees
/// through kernel tap (ki, kj) of channel c, zero where the tap falls into the padding.
///
/// `outH`/`outW` are stored rather than derived so that a transposed convolution with
/// `output_padding` can use the same geometry for an output larger than the formula gives.
struct ConvGeometry {
    var channels: Int, height: Int, width: Int
    var kernelH: Int, kernelW: Int
    var strideH: Int, strideW: Int
    var padH: Int, padW: Int
    var dilationH: Int, dilationW: Int
    var outH: Int, outW: Int

    /// Rows of the column matrix (the gemm's inner dimension).
    var colRows: Int { channels * kernelH * kernelW }
    /// Output positions of one sample (columns of one sample's column matrix).
    var outPlane: Int { outH * outW }
    var inPlane: Int { height * width }
    /// A 1x1, stride-1, unpadded convolution: the column matrix is the input itself.
    var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
            && outH == height && outW == width
    }

    /// Calls `body` with each kernel tap (ki, kj) of channel `c`: its column row, the input offsets it
    /// reads at, and the output rows yLo..<yHi and columns xLo..<xHi whose tap lies inside the input
    /// (the rest is padding).
    @inline(__always)
    func forEachTap(ofChannel c: Int,
                    _ body: (_ row: Int, _ offH: Int, _ offW: Int, _ yLo: Int, _ yHi: Int, _ xLo: Int, _ xHi: Int) -> Void) {
        for ki in 0..<kernelH {
            let offH = ki * dilationH - padH
            let (yLo, yHi) = ConvGeometry.validRange(offset: offH, stride: strideH, size: height, count: outH)
            for kj in 0..<kernelW {
                let offW = kj * dilationW - padW
                let (xLo, xHi) = ConvGeometry.validRange(offset: offW, stride: strideW, size: width, count: outW)
                body((c * kernelH + ki) * kernelW + kj, offH, offW, yLo, yHi, xLo, xHi)
            }
        }
    }

    /// PyTorch's convolution output length: floor((in + 2p - d(k-1) - 1) / s) + 1.
    static func outputLength(_ input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        (input + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    }

    /// The output positions `lo..<hi` along one axis whose input index `o * stride + offset`
    /// lies inside `0..<size`; outside that range the tap reads padding.
    @inline(__always)
    static func validRange(offset: Int, stride: Int, size: Int, count: Int) -> (lo: Int, hi: Int) {
        let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = size - 1 - offset
        let hi = last < 0 ? 0 : last / stride + 1
        let l = Swift.min(lo, count)
        return (l, Swift.max(l, Swift.min(hi, count)))
    }
}

// Both kernels walk channel → kernel tap → sample: each column row (c, ki, kj) is then written
// (or read) from start to end, and the `samples` planes of channel c stay in cache for all kh*kw
// taps. (Sample-outer order touched every row of a 4 MB column matrix per sample, one 4 KB page
// each, and ran at a third of this speed.)

/// Writes the column matrices of `samples` images [samples, C, H, W] side by side into `cols`
/// [C*kh*kw, ld]: sample s fills columns s*outH*outW ..< (s+1)*outH*outW of every row.
func im2col(_ images: UnsafePointer<Float>, samples: Int, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>, ld: Int,
            splitChannels: Bool) {
    let outW = g.outW, outH = g.outH, width = g.width, p = g.outPlane, imageSize = g.channels * g.inPlane
    forEachChannelRange(samples, g, split: splitChannels) { channels in
        for c in channels {
            let planes = images + c * g.inPlane
            if g.isPointwise {
                for s in 0..<samples { copyFloats(cols + c * ld + s * p, planes + s * imageSize, p) }
                continue
            }
            g.forEachTap(ofChannel: c) { tapRow, offH, offW, yLo, yHi, xLo, xHi in
                let row = cols + tapRow * ld
                for s in 0..<samples {
                    let segment = row + s * p, plane = planes + s * imageSize
                    // Rows of the output whose tap is in the vertical padding are all zero.
                    fillZero(segment, yLo * outW)
                    fillZero(segment + yHi * outW, (outH - yHi) * outW)
                    for oy in yLo..<yHi {
                        let dst = segment + oy * outW
                        let src = plane + (oy * g.strideH + offH) * width + offW
                        fillZero(dst, xLo)
                        if g.strideW == 1 {
                            copyFloats(dst + xLo, src + xLo, xHi - xLo)
                        } else if g.strideW == 2 {
                            copyEvenFloats(dst + xLo, src + 2 * xLo, xHi - xLo)
                        } else {
                            let st = g.strideW
                            for ox in xLo..<xHi { dst[ox] = src[ox * st] }
                        }
                        fillZero(dst + xHi, outW - xHi)
                    }
                }
            }
        }
    }
}

/// The adjoint of `im2col`: adds every entry of the side-by-side column matrices `cols` [C*kh*kw, ld]
/// into the pixel of `images` [samples, C, H, W] it was read from. `images` must be initialised.
func col2im(_ cols: UnsafePointer<Float>, ld: Int, samples: Int, _ g: ConvGeometry, _ images: UnsafeMutablePointer<Float>,
            splitChannels: Bool) {
    let outW = g.outW, width = g.width, p = g.outPlane, imageSize = g.channels * g.inPlane
    forEachChannelRange(samples, g, split: splitChannels) { channels in
        for c in channels {
            let planes = images + c * g.inPlane
            if g.isPointwise {
                for s in 0..<samples { addFloats(planes + s * imageSize, cols + c * ld + s * p, p) }
                continue
            }
            g.forEachTap(ofChannel: c) { tapRow, offH, offW, yLo, yHi, xLo, xHi in
                let row = cols + tapRow * ld
                for s in 0..<samples {
                    let segment = row + s * p, plane = planes + s * imageSize
                    for oy in yLo..<yHi {
                        let src = segment + oy * outW
                        let dst = plane + (oy * g.strideH + offH) * width + offW
                        if g.strideW == 1 {
                            addFloats(dst + xLo, src + xLo, xHi - xLo)
                        } else if g.strideW == 2 {
                            addToEvenFloats(dst + 2 * xLo, src + xLo, xHi - xLo, lastPairInRow: offW + 2 * xHi <= width)
                        } else {
                            let st = g.strideW
                            for ox in xLo..<xHi { dst[ox * st] += src[ox] }
                        }
                    }
                }
            }
        }
    }
}

/// Runs `body` over ranges of channels. Each channel owns its column rows and its image planes,
/// so the channels are split over the two cores when `split` allows it (not inside a batch half of
/// `forBatchHalves`: the other core has the other half) and the column matrix has 64K entries or
/// more; below that the hand-off costs more than it saves.
private func forEachChannelRange(_ samples: Int, _ g: ConvGeometry, split: Bool, _ body: (Range<Int>) -> Void) {
    let c = g.channels
    if !split || c < 2 || samples * g.colRows * g.outPlane < 1 << 16 { body(0..<c); return }
    forEachPlaneRange(c, elementsPerPlane: Int.max / c, body)
}

// Row helpers for the short rows of small feature maps (7 or 14 floats): a libc memcpy/memset
// call costs more than the copy itself there, so short rows go through inline vector moves.

@inline(__always)
private func copyFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    if n > 64 { dst.update(from: src, count: n); return }
    var i = 0
    while i + 8 <= n {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self),
                                                    as: SIMD8<Float>.self)
        i += 8
    }
    if i + 4 <= n {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<Float>.self),
                                                    as: SIMD4<Float>.self)
        i += 4
    }
    // At most 3 left: written out, since a loop here would be turned back into a memcpy call.
    if i < n { dst[i] = src[i] }
    if i + 1 < n { dst[i + 1] = src[i + 1] }
    if i + 2 < n { dst[i + 2] = src[i + 2] }
}

@inline(__always)
private func fillZero(_ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    if n > 64 { dst.update(repeating: 0, count: n); return }
    var i = 0
    while i + 8 <= n { UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self); i += 8 }
    if i + 4 <= n { UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD4<Float>(), as: SIMD4<Float>.self); i += 4 }
    if i < n { dst[i] = 0 }
    if i + 1 < n { dst[i + 1] = 0 }
    if i + 2 < n { dst[i + 2] = 0 }
}

// Stride-2 rows (DCGAN's 4x4 stride-2 convs): an output row gathers every other input pixel. A
// 16-float load and its even lanes replace eight scalar moves.

/// dst[i] = src[2i] for i in 0..<n. Reads only src[0 ... 2n-2]: the last vector takes the odd
/// lanes of a load that starts one float early, overlapping what is already copied.
@inline(__always)
private func copyEvenFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    guard n >= 5 else {
        for i in 0..<n { dst[i] = src[2 * i] }
        return
    }
    var i = 0
    while i + 9 <= n {
        UnsafeMutableRawPointer(dst + i).storeBytes(
            of: UnsafeRawPointer(src + 2 * i).loadUnaligned(as: SIMD16<Float>.self).evenHalf, as: SIMD8<Float>.self)
        i += 8
    }
    if i + 5 <= n {
        UnsafeMutableRawPointer(dst + i).storeBytes(
            of: UnsafeRawPointer(src + 2 * i).loadUnaligned(as: SIMD8<Float>.self).evenHalf, as: SIMD4<Float>.self)
        i += 4
    }
    if i < n {   // the last 1...4: dst[n-4 ..< n] = src[2n-8, 2n-6, 2n-4, 2n-2]
        UnsafeMutableRawPointer(dst + n - 4).storeBytes(
            of: UnsafeRawPointer(src + 2 * n - 9).loadUnaligned(as: SIMD8<Float>.self).oddHalf, as: SIMD4<Float>.self)
    }
}

// col2im adds into the image, so its vectors cannot overlap; they also rewrite the odd pixel after
// the last one used, which stays in the image row unless `lastPairInRow` says otherwise.

/// dst[2i] += src[i] for i in 0..<n (the odd entries in between are rewritten unchanged).
@inline(__always)
private func addToEvenFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int, lastPairInRow: Bool) {
    let vectorEnd = lastPairInRow ? n : n - 1
    var i = 0
    while i + 8 <= vectorEnd {
        var d = UnsafeRawPointer(dst + 2 * i).loadUnaligned(as: SIMD16<Float>.self)
        d.evenHalf += UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dst + 2 * i).storeBytes(of: d, as: SIMD16<Float>.self)
        i += 8
    }
    if i + 4 <= vectorEnd {
        var d = UnsafeRawPointer(dst + 2 * i).loadUnaligned(as: SIMD8<Float>.self)
        d.evenHalf += UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<Float>.self)
        UnsafeMutableRawPointer(dst + 2 * i).storeBytes(of: d, as: SIMD8<Float>.self)
        i += 4
    }
    while i < n { dst[2 * i] += src[i]; i += 1 }
}

/// dst[i] += src[i] for i in 0..<n.
@inline(__always)
private func addFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n {
        let d = UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD8<Float>.self)
        let s = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: d + s, as: SIMD8<Float>.self)
        i += 8
    }
    while i < n { dst[i] += src[i]; i += 1 }
}
