// 2-D pooling: max (with argmax for backward), average and adaptive average, PyTorch semantics.
import Dispatch

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
    let parts = planes * elementsPerPlane >= 1 << 16 && planes > 1 ? 2 : 1
    if parts == 1 { body(0..<planes); return }
    withoutActuallyEscaping(body) { body in
        // The parts write disjoint planes and concurrentPerform returns only when all are done.
        let work = UncheckedSendableBox(body)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            work.value((planes * part / parts)..<(planes * (part + 1) / parts))
        }
    }
}

/// Carries a value that is only used under a synchronisation the compiler cannot see.
struct UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension Functional {
    /// Max pooling (`F.max_pool2d`): x [N, C, H, W] -> [N, C, Ho, Wo]. Padding counts as -inf;
    /// the gradient of each output goes to the first maximum of its window (NaN wins, like PyTorch).
    public static func maxPool2d(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                                 dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) -> Tensor {
        let st = stride ?? kernelSize
        let (ho, wo) = poolOutputSize("maxPool2d", x, kernel: kernelSize, stride: st, padding: padding,
                                      dilation: dilation, ceilMode: ceilMode)
        let (h, w) = (x.shape[2], x.shape[3]), planes = x.shape[0] * x.shape[1]
        let outShape = [x.shape[0], x.shape[1], ho, wo]
        var values = [Float](repeating: 0, count: planes * ho * wo)
        // Argmax within the input plane, kept for backward.
        var argmax = [Int32](repeating: 0, count: planes * ho * wo)
        x.data.withUnsafeBufferPointer { pxBuf in values.withUnsafeMutableBufferPointer { pvBuf in
            argmax.withUnsafeMutableBufferPointer { paBuf in
                let px = pxBuf.baseAddress!, pv = pvBuf.baseAddress!, pa = paBuf.baseAddress!
                forEachPlaneRange(planes, elementsPerPlane: ho * wo * kernelSize.0 * kernelSize.1) { range in
                    for p in range {
                        let src = px + p * h * w, dst = pv + p * ho * wo, idx = pa + p * ho * wo
                        for oy in 0..<ho {
                            var y0 = oy * st.0 - padding.0
                            let y1 = Swift.min(y0 + (kernelSize.0 - 1) * dilation.0 + 1, h)
                            while y0 < 0 { y0 += dilation.0 }
                            for ox in 0..<wo {
                                var x0 = ox * st.1 - padding.1
                                let x1 = Swift.min(x0 + (kernelSize.1 - 1) * dilation.1 + 1, w)
                                while x0 < 0 { x0 += dilation.1 }
                                var best = -Float.infinity, at = y0 * w + x0
                                var iy = y0
                                while iy < y1 {
                                    var ix = x0
                                    while ix < x1 {
                                        let v = src[iy * w + ix]
                                        if v > best || v.isNaN { best = v; at = iy * w + ix }
                                        ix += dilation.1
                                    }
                                    iy += dilation.0
                                }
                                dst[oy * wo + ox] = best
                                idx[oy * wo + ox] = Int32(at)
                            }
                        }
                    }
                }
            }
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
        /// The window of output (oy, ox) clipped to the input and the factor its sum is divided by.
        @inline(__always)
        func window(_ oy: Int, _ ox: Int) -> (y0: Int, y1: Int, x0: Int, x1: Int, divisor: Float) {
            let y0 = oy * st.0 - padding.0, x0 = ox * st.1 - padding.1
            let y1 = Swift.min(y0 + kernelSize.0, h + padding.0), x1 = Swift.min(x0 + kernelSize.1, w + padding.1)
            let padded = (y1 - y0) * (x1 - x0)
            let cy0 = Swift.max(y0, 0), cx0 = Swift.max(x0, 0), cy1 = Swift.min(y1, h), cx1 = Swift.min(x1, w)
            let divisor = divisorOverride ?? (countIncludePad ? padded : (cy1 - cy0) * (cx1 - cx0))
            return (cy0, cy1, cx0, cx1, Float(divisor))
        }
        var values = [Float](repeating: 0, count: planes * ho * wo)
        x.data.withUnsafeBufferPointer { pxBuf in values.withUnsafeMutableBufferPointer { pvBuf in
            let px = pxBuf.baseAddress!, pv = pvBuf.baseAddress!
            forEachPlaneRange(planes, elementsPerPlane: ho * wo * kernelSize.0 * kernelSize.1) { range in
                for p in range {
                    let src = px + p * h * w, dst = pv + p * ho * wo
                    for oy in 0..<ho {
                        for ox in 0..<wo {
                            let win = window(oy, ox)
                            if win.y0 >= win.y1 || win.x0 >= win.x1 { dst[oy * wo + ox] = 0; continue }
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
        return Tensor.result("avg_pool2d", shape: outShape, data: values, parents: [x]) { g in
            [Tensor(shape: x.shape) { gx in
                gx.initialize(repeating: 0)
                g.data.withUnsafeBufferPointer { pgBuf in
                    let pg = pgBuf.baseAddress!, pgx = gx.baseAddress!
                    forEachPlaneRange(planes, elementsPerPlane: ho * wo * kernelSize.0 * kernelSize.1) { range in
                        for p in range {
                            let dst = pgx + p * h * w, src = pg + p * ho * wo
                            for oy in 0..<ho {
                                for ox in 0..<wo {
                                    let win = window(oy, ox)
                                    let share = src[oy * wo + ox] / win.divisor
                                    for iy in win.y0..<Swift.max(win.y0, win.y1) {
                                        for ix in win.x0..<Swift.max(win.x0, win.x1) { dst[iy * w + ix] += share }
                                    }
                                }
                            }
                        }
                    }
                }
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
