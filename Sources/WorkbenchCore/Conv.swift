// conv2d as im2col + sgemm or on oneDNN (ConvBackend.swift), and the two batch drivers that conv2d and
// conv_transpose2d share.
import WorkbenchDNNL

extension ConvGeometry {
    /// Samples whose column matrices are laid side by side into one gemm. Small output planes
    /// (7x7 = 49 columns) make thin panels that sgemm runs well below peak, so samples are
    /// batched until the gemm has about 1024 columns (measured best among 256..4096), within a
    /// memory cap. A pointwise conv with planes of 128+ columns stays per sample: it then needs
    /// no column copy at all, which measured faster than any batching.
    func samplesPerChunk(_ batch: Int) -> Int {
        if isPointwise && outPlane >= 128 { return 1 }
        let targetColumns = 1024, maxColumnFloats = 1 << 23
        var chunk = Swift.max(1, targetColumns / Swift.max(outPlane, 1))
        chunk = Swift.min(chunk, Swift.max(1, maxColumnFloats / Swift.max(colRows * outPlane, 1)))
        return Swift.max(1, Swift.min(chunk, batch))
    }
}

/// Working buffers of one batch driver call, reused by every chunk.
private struct ConvScratch {
    let chunk: Int, direct: Bool
    /// Whether the gemms and im2col/col2im may split over the two cores (false inside a batch half).
    let bothCores: Bool
    /// Column matrix of a chunk [C*kh*kw, chunk*P] (unused when the input is its own column matrix).
    let cols: UnsafeMutablePointer<Float>
    /// A chunk of [N, O, P] data regrouped as one [O, chunk*P] matrix (unused for one-sample chunks).
    let wide: UnsafeMutablePointer<Float>

    init(_ g: ConvGeometry, batch: Int, outChannels o: Int, bothCores: Bool) {
        self.bothCores = bothCores
        chunk = g.samplesPerChunk(batch)
        direct = chunk == 1 && g.isPointwise   // a 1x1 conv's input already is its column matrix
        cols = .allocate(capacity: direct ? 0 : g.colRows * chunk * g.outPlane)
        wide = .allocate(capacity: chunk > 1 ? o * chunk * g.outPlane : 0)
    }

    func deallocate() { cols.deallocate(); wide.deallocate() }

    /// The column matrix [C*kh*kw, b*P] of samples n0 ..< n0+b of `input` [N, C, H, W].
    func columns(_ input: UnsafePointer<Float>, _ g: ConvGeometry, from n0: Int, count b: Int) -> UnsafePointer<Float> {
        let image = input + n0 * g.channels * g.inPlane
        if direct { return image }
        im2col(image, samples: b, g, cols, ld: b * g.outPlane, splitChannels: bothCores)
        return UnsafePointer(cols)
    }

    /// Samples n0 ..< n0+b of `data` [N, O, P] as one [O, b*P] matrix, into `buffer` when b > 1.
    static func gather(_ data: UnsafePointer<Float>, channels o: Int, plane p: Int, from n0: Int, count b: Int,
                       into buffer: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if b == 1 { return data + n0 * o * p }
        let ld = b * p
        for s in 0..<b {
            for oc in 0..<o { (buffer + oc * ld + s * p).update(from: data + ((n0 + s) * o + oc) * p, count: p) }
        }
        return UnsafePointer(buffer)
    }
}

/// out [N, O, outH, outW] = weight [O, C*kh*kw] · im2col(input[n]) + bias [O], for `input`
/// [N, C, H, W]: the forward pass of conv2d and the input gradient of conv_transpose2d.
/// With `weightGrad` = (gradOut [N, O, outH, outW], result [O, C*kh*kw]) it also computes
/// result = Σ_n gradOut[n] · im2col(input[n])ᵀ from the same columns, so conv_transpose2d's
/// backward builds the columns of its output gradient once for both of its gradients.
func convForwardKernel(_ input: UnsafePointer<Float>, batch: Int, _ g: ConvGeometry,
                       weight: UnsafePointer<Float>, outChannels o: Int, bias: UnsafePointer<Float>?,
                       _ out: UnsafeMutablePointer<Float>,
                       weightGrad: (gradOut: UnsafePointer<Float>, result: UnsafeMutablePointer<Float>)? = nil) {
    let k = g.colRows, p = g.outPlane
    forBatchHalves(batch, macsPerSample: o * k * p * (weightGrad == nil ? 1 : 2),
                   sum: weightGrad?.result, count: o * k) { samples, gradWeight, bothCores in
        if g.usesDNNL(batch: samples.count, outChannels: o) {
            var shape = g.dnnlShape(batch: samples.count, outChannels: o)
            let x = input + samples.lowerBound * g.channels * g.inPlane
            if let gradOut = weightGrad?.gradOut, let gradWeight {
                checkDNNL(wb_conv_backward_weights(&shape, x, gradOut + samples.lowerBound * o * p, gradWeight), "weight gradient")
            }
            checkDNNL(wb_conv_forward(&shape, x, weight, bias, out + samples.lowerBound * o * p), "forward")
            return
        }
        let scratch = ConvScratch(g, batch: samples.count, outChannels: o, bothCores: bothCores)
        defer { scratch.deallocate() }
        for n0 in stride(from: samples.lowerBound, to: samples.upperBound, by: scratch.chunk) {
            let b = Swift.min(scratch.chunk, samples.upperBound - n0), ld = b * p
            let cols = scratch.columns(input, g, from: n0, count: b)
            if let gradOut = weightGrad?.gradOut, let gradWeight {
                let dy = ConvScratch.gather(gradOut, channels: o, plane: p, from: n0, count: b, into: scratch.wide)
                sgemm(transB: true, m: o, n: k, k: ld, dy, cols, beta: n0 == samples.lowerBound ? 0 : 1, gradWeight,
                      split: scratch.bothCores)
            }
            let y = out + n0 * o * p
            if b == 1 {
                if let bias { for oc in 0..<o { (y + oc * p).update(repeating: bias[oc], count: p) } }
                sgemm(m: o, n: p, k: k, weight, cols, beta: bias == nil ? 0 : 1, y, split: scratch.bothCores)
            } else {
                // The wide product is [O, b, P]; the output wants [b, O, P]: regroup while adding bias.
                sgemm(m: o, n: ld, k: k, weight, cols, scratch.wide, split: scratch.bothCores)
                for s in 0..<b {
                    for oc in 0..<o {
                        let src = scratch.wide + oc * ld + s * p, dst = y + (s * o + oc) * p
                        let beta = bias?[oc] ?? 0
                        for i in 0..<p { dst[i] = src[i] + beta }
                    }
                }
            }
        }
    }
}

/// Given gradOut [N, O, outH, outW], computes gradInput [N, C, H, W] = col2im(weightᵀ · gradOut[n])
/// and gradWeight [O, C*kh*kw] = Σ_n gradOut[n] · im2col(input[n])ᵀ (overwritten, not accumulated).
/// Either result may be skipped by passing nil; `input` is needed only for gradWeight and `weight`
/// only for gradInput. The backward pass of conv2d, and for conv_transpose2d its forward pass
/// (gradInput only) and its weight gradient when its input needs none.
///
/// Columns are recomputed here rather than kept from the forward pass: keeping them costs
/// kh*kw times the input's memory for every conv layer of a network, recomputing costs one
/// im2col per sample, small next to the two gemms.
func convBackwardKernel(input: UnsafePointer<Float>?, gradOut: UnsafePointer<Float>, batch: Int, _ g: ConvGeometry,
                        weight: UnsafePointer<Float>?, outChannels o: Int,
                        gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?) {
    precondition(gradWeight == nil || input != nil, "convBackwardKernel: gradWeight needs the input")
    precondition(gradInput == nil || weight != nil, "convBackwardKernel: gradInput needs the weight")
    let k = g.colRows, p = g.outPlane, imageSize = g.channels * g.inPlane
    let products = (gradWeight == nil ? 0 : 1) + (gradInput == nil ? 0 : 1)
    forBatchHalves(batch, macsPerSample: o * k * p * products, sum: gradWeight, count: o * k) { samples, gradWeight, bothCores in
        if g.usesDNNL(batch: samples.count, outChannels: o) {
            var shape = g.dnnlShape(batch: samples.count, outChannels: o)
            let dy = gradOut + samples.lowerBound * o * p
            if let gradWeight, let input {
                checkDNNL(wb_conv_backward_weights(&shape, input + samples.lowerBound * imageSize, dy, gradWeight), "weight gradient")
            }
            if let gradInput, let weight {
                checkDNNL(wb_conv_backward_data(&shape, dy, weight, gradInput + samples.lowerBound * imageSize), "input gradient")
            }
            return
        }
        let scratch = ConvScratch(g, batch: samples.count, outChannels: o, bothCores: bothCores)
        defer { scratch.deallocate() }
        if let gradInput, !scratch.direct {
            (gradInput + samples.lowerBound * imageSize).update(repeating: 0, count: samples.count * imageSize)
        }
        for n0 in stride(from: samples.lowerBound, to: samples.upperBound, by: scratch.chunk) {
            let b = Swift.min(scratch.chunk, samples.upperBound - n0), ld = b * p
            let dy = ConvScratch.gather(gradOut, channels: o, plane: p, from: n0, count: b, into: scratch.wide)
            if let gradWeight, let input {
                let cols = scratch.columns(input, g, from: n0, count: b)
                sgemm(transB: true, m: o, n: k, k: ld, dy, cols, beta: n0 == samples.lowerBound ? 0 : 1, gradWeight,
                      split: scratch.bothCores)
            }
            if let gradInput, let weight {
                if scratch.direct {
                    sgemm(transA: true, m: k, n: p, k: o, weight, dy, gradInput + n0 * imageSize, split: scratch.bothCores)
                } else {
                    sgemm(transA: true, m: k, n: ld, k: o, weight, dy, scratch.cols, split: scratch.bothCores)
                    col2im(scratch.cols, ld: ld, samples: b, g, gradInput + n0 * imageSize, splitChannels: scratch.bothCores)
                }
            }
        }
    }
}

/// gradBias [O] = Σ over samples and positions of gradOut [N, O, P].
func convBiasGradKernel(_ gradOut: UnsafePointer<Float>, batch: Int, channels o: Int, plane p: Int,
                        _ gradBias: UnsafeMutablePointer<Float>) {
    gradBias.update(repeating: 0, count: o)
    for n in 0..<batch {
        for oc in 0..<o {
            let src = gradOut + (n * o + oc) * p
            var acc: Float = 0
            for i in 0..<p { acc += src[i] }
            gradBias[oc] += acc
        }
    }
}

/// Calls `body` with the buffer of `t`, or with nil when `t` is nil.
@inline(__always)
func withOptionalPointer<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.data.withUnsafeBufferPointer { body($0.baseAddress!) }
}

extension Functional {
    /// 2-D convolution (`F.conv2d`, cross-correlation like PyTorch), groups = 1.
    /// x [N, C, H, W], weight [O, C, kh, kw], bias [O] -> [N, O, Ho, Wo] with
    /// Ho = floor((H + 2*padding - dilation*(kh-1) - 1) / stride) + 1.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                              padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && weight.shape[1] == x.shape[1],
                     "conv2d: input \(x.shape) does not match weight \(weight.shape) (want [N, C, H, W] and [O, C, kh, kw])")
        precondition(stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0 && padding.0 >= 0 && padding.1 >= 0,
                     "conv2d: stride \(stride) and dilation \(dilation) must be positive, padding \(padding) non-negative")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        if let bias { precondition(bias.shape == [o], "conv2d: bias \(bias.shape) does not match weight \(weight.shape)") }
        let ho = ConvGeometry.outputLength(h, kernel: kh, stride: stride.0, padding: padding.0, dilation: dilation.0)
        let wo = ConvGeometry.outputLength(w, kernel: kw, stride: stride.1, padding: padding.1, dilation: dilation.1)
        precondition(ho > 0 && wo > 0, "conv2d: input \(x.shape) is smaller than kernel \(weight.shape) with padding \(padding), dilation \(dilation)")
        let g = ConvGeometry(channels: c, height: h, width: w, kernelH: kh, kernelW: kw,
                             strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                             dilationH: dilation.0, dilationW: dilation.1, outH: ho, outW: wo)
        let outShape = [n, o, ho, wo]
        let y = Tensor(shape: outShape) { out in
            x.data.withUnsafeBufferPointer { px in weight.data.withUnsafeBufferPointer { pw in
                withOptionalPointer(bias) { pb in
                    convForwardKernel(px.baseAddress!, batch: n, g, weight: pw.baseAddress!, outChannels: o,
                                      bias: pb, out.baseAddress!)
                }
            } }
        }
        let parents = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.result("conv2d", shape: outShape, data: y.data, parents: parents) { grad in
            // The kernel overwrites both results entirely (zeroing gradInput itself where it accumulates).
            var gxData: [Float]? = x.requiresGrad ? uninitializedFloats(x.count) : nil
            var gwData: [Float]? = weight.requiresGrad ? uninitializedFloats(weight.count) : nil
            grad.data.withUnsafeBufferPointer { pg in
                x.data.withUnsafeBufferPointer { px in weight.data.withUnsafeBufferPointer { pw in
                    withOptionalMutablePointer(&gxData) { pgx in withOptionalMutablePointer(&gwData) { pgw in
                        convBackwardKernel(input: px.baseAddress!, gradOut: pg.baseAddress!, batch: n, g,
                                           weight: pw.baseAddress!, outChannels: o, gradInput: pgx, gradWeight: pgw)
                    } }
                } }
            }
            var grads: [Tensor?] = [gxData.map { Tensor(shape: x.shape, data: $0) },
                                    gwData.map { Tensor(shape: weight.shape, data: $0) }]
            if let bias {
                grads.append(bias.requiresGrad ? Tensor(shape: [o]) { gb in
                    grad.data.withUnsafeBufferPointer {
                        convBiasGradKernel($0.baseAddress!, batch: n, channels: o, plane: ho * wo, gb.baseAddress!)
                    }
                } : nil)
            }
            return grads
        }
    }
}

/// Calls `body` with the mutable buffer of `a`, or with nil when `a` is nil.
@inline(__always)
func withOptionalMutablePointer<R>(_ a: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard a != nil else { return body(nil) }
    return a!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
