// 2-D pooling: max (with argmax for backward), average and adaptive average, PyTorch semantics.

/// PyTorch's `pooling_output_shape`: with ceil_mode the last window may hang over the input's
/// end, but it must start inside the input or the left padding, else it is dropped.
func poolOutputLength(_ input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool) -> Int {
    let span = input + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)
    var out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1
    if ceilMode && (out - 1) * stride >= input + padding { out -= 1 }
    return out
}

/// Checks PyTorch's pooling argument rules and returns the output size (Ho, Wo).
private func poolOutputSize(_ op: String, _ x: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                            dilation: (Int, Int), ceilMode: Bool) -> (Int, Int) {
    precondition(x.rank == 4, "\(op): input \(x.shape) must be [N, C, H, W]")
    precondition(kernel.0 > 0 && kernel.1 > 0 && stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0,
                 "\(op): kernel \(kernel), stride \(stride) and dilation \(dilation) must be positive")
    precondition(padding.0 >= 0 && padding.1 >= 0 && padding.0 <= kernel.0 / 2 && padding.1 <= kernel.1 / 2,
                 "\(op): padding \(padding) must be at most half of kernel \(kernel)")
    let ho = poolOutputLength(x.shape[2], kernel: kernel.0, stride: stride.0, padding: padding.0,
                              dilation: dilation.0, ceilMode: ceilMode)
    let wo = poolOutputLength(x.shape[3], kernel: kernel.1, stride: stride.1, padding: padding.1,
                              dilation: dilation.1, ceilMode: ceilMode)
    precondition(ho >= 1 && wo >= 1, "\(op): input \(x.shape) is too small for kernel \(kernel), padding \(padding) (output \(ho)x\(wo))")
    return (ho, wo)
}

/// Runs `body` over `0..<planes` split across the two cores when the work is large enough to
/// pay for the hand-off; the planes are independent, so results do not depend on the split.
func forEachPlaneRange(_ planes: Int, elementsPerPlane: Int, _ body: (Range<Int>) -> Void) {
    guard planes * elementsPerPlane >= 1 << 16 && planes > 1 else { body(0..<planes); return }
    onBothCores { part in body(part == 0 ? 0..<(planes / 2) : (planes / 2)..<planes) }
}

/// One axis of a pooling window: output o covers the inputs o*stride - padding + t*dilation for
/// taps t in 0..<kernel, those outside 0..<size being padding.
private struct PoolAxis {
    let size: Int, out: Int, kernel: Int, stride: Int, padding: Int, dilation: Int

    /// For tap t: input index = o*stride + offset, inside the input for outputs lo..<hi.
    func tap(_ t: Int) -> (offset: Int, lo: Int, hi: Int) {
        let offset = t * dilation - padding
        let (lo, hi) = ConvGeometry.validRange(offset: offset, stride: stride, size: size, count: out)
        return (offset, lo, hi)
    }

    /// The first tap of output o inside the input: where PyTorch starts its argmax.
    func firstInside(_ o: Int) -> Int {
        var i = o * stride - padding
        while i < 0 { i += dilation }
        return i
    }

    /// Window extent of output o clipped to the padded input, and clipped to the input itself
    /// (PyTorch's avg_pool2d `pool_size` and its count_include_pad=False count).
    func extents(_ o: Int) -> (padded: Int, inside: Int) {
        let start = o * stride - padding, end = Swift.min(start + kernel, size + padding)
        return (end - start, Swift.max(0, Swift.min(end, size) - Swift.max(start, 0)))
    }
}

/// The 8 inputs `line[i*stride]` (i = 0..<8) that one kernel tap reads for 8 neighbouring outputs.
@inline(__always)
private func maxPoolTap(_ line: UnsafePointer<Float>, stride: Int) -> SIMD8<Float> {
    switch stride {
    case 1:
        return UnsafeRawPointer(line).loadUnaligned(as: SIMD8<Float>.self)
    case 2:
        let a = UnsafeRawPointer(line).loadUnaligned(as: SIMD8<Float>.self)
        let b = UnsafeRawPointer(line + 8).loadUnaligned(as: SIMD8<Float>.self)
        return SIMD8(lowHalf: a.evenHalf, highHalf: b.evenHalf)
    default:
        return SIMD8(line[0], line[stride], line[2 * stride], line[3 * stride],
                     line[4 * stride], line[5 * stride], line[6 * stride], line[7 * stride])
    }
}

// Max and average pooling walk one output row at a time, tap by tap along the row's outputs:
// the inner loops then have no per-window bounds logic. Raw buffers rather than captured arrays
// are read inside the two-thread regions, so no reference count is touched per row.
extension Functional {
    /// Max pooling (`F.max_pool2d`): x [N, C, H, W] -> [N, C, Ho, Wo]. Padding counts as -inf;
    /// the gradient of each output goes to the first maximum of its window in row-major order
    /// (a NaN wins, as in PyTorch's kernel).
    public static func maxPool2d(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                                 dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) -> Tensor {
        let st = stride ?? kernelSize
        let (ho, wo) = poolOutputSize("maxPool2d", x, kernel: kernelSize, stride: st, padding: padding,
                                      dilation: dilation, ceilMode: ceilMode)
        let (h, w) = (x.shape[2], x.shape[3]), planes = x.shape[0] * x.shape[1]
        let outShape = [x.shape[0], x.shape[1], ho, wo]
        let rows = PoolAxis(size: h, out: ho, kernel: kernelSize.0, stride: st.0, padding: padding.0, dilation: dilation.0)
        let cols = PoolAxis(size: w, out: wo, kernel: kernelSize.1, stride: st.1, padding: padding.1, dilation: dilation.1)
        // Each plane is copied into a scratch plane framed with -inf (padding never wins a max)
        // that is wide and tall enough for every tap of every output, 8 outputs per vector step
        // included, so the taps run over whole rows with no bounds checks or tails.
        let lanes = 8, wo8 = (wo + lanes - 1) / lanes * lanes
        let paddedH = Swift.max(h + 2 * rows.padding, (ho - 1) * rows.stride + (rows.kernel - 1) * rows.dilation + 1)
        let paddedW = Swift.max(w + 2 * cols.padding, (wo8 - 1) * cols.stride + (cols.kernel - 1) * cols.dilation + 2)
        // PyTorch's argmax starts at the first in-input element of the window (kept when all are -inf).
        // Padded to whole vectors (the extra lanes are computed and dropped).
        let firstRow = (0..<ho).map(rows.firstInside)
        let firstCol = (0..<wo8).map { Int32(cols.firstInside(Swift.min($0, wo - 1))) }
        var values = uninitializedFloats(planes * ho * wo)
        // Argmax within the input plane, kept for backward.
        var argmax = [Int32](unsafeUninitializedCapacity: planes * ho * wo) { _, n in n = planes * ho * wo }
        x.data.withUnsafeBufferPointer { pxBuf in values.withUnsafeMutableBufferPointer { pvBuf in
            argmax.withUnsafeMutableBufferPointer { paBuf in firstRow.withUnsafeBufferPointer { firstRow in
                firstCol.withUnsafeBufferPointer { firstCol in
                let px = pxBuf.baseAddress!, pv = pvBuf.baseAddress!, pa = paBuf.baseAddress!, firstCol = firstCol.baseAddress!
                forEachPlaneRange(planes, elementsPerPlane: ho * wo * rows.kernel * cols.kernel) { range in
                    let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedH * paddedW)
                    defer { padded.deallocate() }
                    padded.initialize(repeating: -.infinity, count: paddedH * paddedW)
                    let interior = padded + rows.padding * paddedW + cols.padding
                    let lane = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(truncatingIfNeeded: cols.stride)
                    for p in range {
                        let src = px + p * h * w
                        for iy in 0..<h { (interior + iy * paddedW).update(from: src + iy * w, count: w) }
                        for oy in 0..<ho {
                            let start = Int32(truncatingIfNeeded: firstRow[oy] * w)
                            let outValues = pv + (p * ho + oy) * wo, outIndices = pa + (p * ho + oy) * wo
                            var ox = 0
                            while ox < wo8 {
                                // 8 outputs at a time, their running max and argmax kept in registers
                                // over all taps; a NaN or a strictly larger value wins (PyTorch's rule),
                                // as masked selects: a compare-and-branch mispredicts on random data.
                                var best = SIMD8<Float>(repeating: -.infinity)
                                var at = UnsafeRawPointer(firstCol + ox).loadUnaligned(as: SIMD8<Int32>.self) &+ start
                                for ki in 0..<rows.kernel {
                                    let py = oy * rows.stride + ki * rows.dilation, iy = py - rows.padding
                                    if iy < 0 || iy >= h { continue }   // a row of padding
                                    for kj in 0..<cols.kernel {
                                        let line = padded + py * paddedW + kj * cols.dilation + ox * cols.stride
                                        let index0 = iy * w + kj * cols.dilation - cols.padding + ox * cols.stride
                                        let v = maxPoolTap(line, stride: cols.stride)
                                        let take = (v .> best) .| (v .!= v)
                                        best.replace(with: v, where: take)
                                        at.replace(with: lane &+ Int32(truncatingIfNeeded: index0), where: take)
                                    }
                                }
                                if ox + 8 <= wo {
                                    UnsafeMutableRawPointer(outValues + ox).storeBytes(of: best, as: SIMD8<Float>.self)
                                    UnsafeMutableRawPointer(outIndices + ox).storeBytes(of: at, as: SIMD8<Int32>.self)
                                } else {
                                    for i in 0..<(wo - ox) { outValues[ox + i] = best[i]; outIndices[ox + i] = at[i] }
                                }
                                ox += 8
                            }
                        }
                    }
                }
            } } }
        } }
        return Tensor.result("max_pool2d", shape: outShape, data: values, parents: [x]) { g in
            [Tensor(shape: x.shape) { gx in
                gx.initialize(repeating: 0)
                g.data.withUnsafeBufferPointer { pgBuf in argmax.withUnsafeBufferPointer { paBuf in
                    let pg = pgBuf.baseAddress!, pa = paBuf.baseAddress!, pgx = gx.baseAddress!
                    forEachPlaneRange(planes, elementsPerPlane: ho * wo) { range in
                        for p in range {
                            let dst = pgx + p * h * w, src = pg + p * ho * wo, idx = pa + p * ho * wo
                            for i in 0..<(ho * wo) { dst[Int(idx[i])] += src[i] }
                        }
                    }
                } }
            }]
        }
    }

    /// Average pooling (`F.avg_pool2d`): x [N, C, H, W] -> [N, C, Ho, Wo]. The divisor is
    /// `divisorOverride`, else the window clipped to the padded input (countIncludePad), else the
    /// window clipped to the input, exactly as PyTorch's kernel computes it.
    public static func avgPool2d(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                                 ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil) -> Tensor {
        let st = stride ?? kernelSize
        if let divisorOverride { precondition(divisorOverride != 0, "avgPool2d: divisorOverride must be non-zero") }
        let (ho, wo) = poolOutputSize("avgPool2d", x, kernel: kernelSize, stride: st, padding: padding,
                                      dilation: (1, 1), ceilMode: ceilMode)
        let (h, w) = (x.shape[2], x.shape[3]), planes = x.shape[0] * x.shape[1]
        let outShape = [x.shape[0], x.shape[1], ho, wo]
        let rows = PoolAxis(size: h, out: ho, kernel: kernelSize.0, stride: st.0, padding: padding.0, dilation: 1)
        let cols = PoolAxis(size: w, out: wo, kernel: kernelSize.1, stride: st.1, padding: padding.1, dilation: 1)
        let rowTaps = (0..<rows.kernel).map(rows.tap), colTaps = (0..<cols.kernel).map(cols.tap)
        // The divisor of every output position, shared by all planes. An empty clipped window
        // (impossible with padding <= kernel/2) would give 0/0; PyTorch writes 0 there.
        let rowExtents = (0..<ho).map(rows.extents), colExtents = (0..<wo).map(cols.extents)
        var divisors = [Float](repeating: 1, count: ho * wo)
        for oy in 0..<ho {
            for ox in 0..<wo {
                let (ry, cx) = (rowExtents[oy], colExtents[ox])
                let d = divisorOverride ?? (countIncludePad ? ry.padded * cx.padded : ry.inside * cx.inside)
                divisors[oy * wo + ox] = ry.inside * cx.inside == 0 ? .infinity : Float(d)
            }
        }
        var values = [Float](repeating: 0, count: planes * ho * wo)
        x.data.withUnsafeBufferPointer { pxBuf in values.withUnsafeMutableBufferPointer { pvBuf in divisors.withUnsafeBufferPointer { pdBuf in
            rowTaps.withUnsafeBufferPointer { rowTaps in colTaps.withUnsafeBufferPointer { colTaps in
            let px = pxBuf.baseAddress!, pv = pvBuf.baseAddress!, pd = pdBuf.baseAddress!
            forEachPlaneRange(planes, elementsPerPlane: ho * wo * rows.kernel * cols.kernel) { range in
                for p in range {
                    let src = px + p * h * w
                    for oy in 0..<ho {
                        let sum = pv + (p * ho + oy) * wo, div = pd + oy * wo
                        for (rowOffset, yLo, yHi) in rowTaps where oy >= yLo && oy < yHi {
                            let line = src + (oy * rows.stride + rowOffset) * w
                            for (offset, lo, hi) in colTaps {
                                for ox in lo..<hi { sum[ox] += line[ox &* cols.stride &+ offset] }
                            }
                        }
                        for ox in 0..<wo { sum[ox] /= div[ox] }
                    }
                }
            }
        } } } } }
        return Tensor.result("avg_pool2d", shape: outShape, data: values, parents: [x]) { g in
            [Tensor(shape: x.shape) { gx in
                gx.initialize(repeating: 0)
                g.data.withUnsafeBufferPointer { pgBuf in divisors.withUnsafeBufferPointer { pdBuf in
                    rowTaps.withUnsafeBufferPointer { rowTaps in colTaps.withUnsafeBufferPointer { colTaps in
                    let pg = pgBuf.baseAddress!, pgx = gx.baseAddress!, pd = pdBuf.baseAddress!
                    forEachPlaneRange(planes, elementsPerPlane: ho * wo * rows.kernel * cols.kernel) { range in
                        let share = UnsafeMutablePointer<Float>.allocate(capacity: wo)
                        defer { share.deallocate() }
                        for p in range {
                            let dst = pgx + p * h * w
                            for oy in 0..<ho {
                                let grad = pg + (p * ho + oy) * wo, div = pd + oy * wo
                                for ox in 0..<wo { share[ox] = grad[ox] / div[ox] }
                                for (rowOffset, yLo, yHi) in rowTaps where oy >= yLo && oy < yHi {
                                    let line = dst + (oy * rows.stride + rowOffset) * w
                                    for (offset, lo, hi) in colTaps {
                                        for ox in lo..<hi { line[ox &* cols.stride &+ offset] += share[ox] }
                                    }
                                }
                            }
                        }
                    }
                } } } }
            }]
        }
    }

    /// Adaptive average pooling (`F.adaptive_avg_pool2d`): x [N, C, H, W] -> [N, C, Ho, Wo], output
    /// cell i averaging input rows floor(i*H/Ho) ..< ceil((i+1)*H/Ho) (likewise for columns).
    public static func adaptiveAvgPool2d(_ x: Tensor, outputSize: (Int, Int)) -> Tensor {
        precondition(x.rank == 4 && x.shape[2] > 0 && x.shape[3] > 0, "adaptiveAvgPool2d: input \(x.shape) must be [N, C, H, W] with H, W > 0")
        precondition(outputSize.0 > 0 && outputSize.1 > 0, "adaptiveAvgPool2d: outputSize \(outputSize) must be positive")
        let (h, w) = (x.shape[2], x.shape[3]), (ho, wo) = outputSize, planes = x.shape[0] * x.shape[1]
        let outShape = [x.shape[0], x.shape[1], ho, wo]
        @inline(__always)
        func window(_ oy: Int, _ ox: Int) -> (y0: Int, y1: Int, x0: Int, x1: Int, divisor: Float) {
            let y0 = oy * h / ho, y1 = ((oy + 1) * h + ho - 1) / ho
            let x0 = ox * w / wo, x1 = ((ox + 1) * w + wo - 1) / wo
            return (y0, y1, x0, x1, Float((y1 - y0) * (x1 - x0)))
        }
        var values = [Float](repeating: 0, count: planes * ho * wo)
        x.data.withUnsafeBufferPointer { pxBuf in values.withUnsafeMutableBufferPointer { pvBuf in
            let px = pxBuf.baseAddress!, pv = pvBuf.baseAddress!
            forEachPlaneRange(planes, elementsPerPlane: Swift.max(h * w, ho * wo)) { range in
                for p in range {
                    let src = px + p * h * w, dst = pv + p * ho * wo
                    for oy in 0..<ho {
                        for ox in 0..<wo {
                            let win = window(oy, ox)
                            var sum: Float = 0
                            for iy in win.y0..<win.y1 {
                                for ix in win.x0..<win.x1 { sum += src[iy * w + ix] }
                            }
                            dst[oy * wo + ox] = sum / win.divisor
                        }
                    }
                }
            }
        } }
        return Tensor.result("adaptive_avg_pool2d", shape: outShape, data: values, parents: [x]) { g in
            [Tensor(shape: x.shape) { gx in
                gx.initialize(repeating: 0)
                g.data.withUnsafeBufferPointer { pgBuf in
                    let pg = pgBuf.baseAddress!, pgx = gx.baseAddress!
                    forEachPlaneRange(planes, elementsPerPlane: Swift.max(h * w, ho * wo)) { range in
                        for p in range {
                            let dst = pgx + p * h * w, src = pg + p * ho * wo
                            for oy in 0..<ho {
                                for ox in 0..<wo {
                                    let win = window(oy, ox)
                                    let share = src[oy * wo + ox] / win.divisor
                                    for iy in win.y0..<win.y1 {
                                        for ix in win.x0..<win.x1 { dst[iy * w + ix] += share }
                                    }
                                }
                            }
                        }
                    }
                }
            }]
        }
    }
}
