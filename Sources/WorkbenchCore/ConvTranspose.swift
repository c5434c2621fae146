// conv_transpose2d as the adjoint of conv2d, on the same im2col/col2im + sgemm drivers.

extension Functional {
    /// Transposed 2-D convolution (`F.conv_transpose2d`), groups = 1.
    /// x [N, C, H, W], weight [C, O, kh, kw] (PyTorch layout), bias [O] -> [N, O, Ho, Wo] with
    /// Ho = (H-1)*stride - 2*padding + dilation*(kh-1) + outputPadding + 1.
    ///
    /// It is the input gradient of a conv2d from [O, Ho, Wo] to [C, H, W] whose weight is this
    /// `weight` read as [C, O*kh*kw]; so the forward pass is that conv's backward-to-input
    /// (col2im of Wᵀ·x), and its own input gradient is that conv's forward pass.
    public static func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                                       padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
                                       dilation: (Int, Int) = (1, 1)) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && weight.shape[0] == x.shape[1],
                     "convTranspose2d: input \(x.shape) does not match weight \(weight.shape) (want [N, C, H, W] and [C, O, kh, kw])")
        precondition(stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0 && padding.0 >= 0 && padding.1 >= 0,
                     "convTranspose2d: stride \(stride) and dilation \(dilation) must be positive, padding \(padding) non-negative")
        precondition(outputPadding.0 >= 0 && outputPadding.1 >= 0
                        && (outputPadding.0 < stride.0 || outputPadding.0 < dilation.0)
                        && (outputPadding.1 < stride.1 || outputPadding.1 < dilation.1),
                     "convTranspose2d: outputPadding \(outputPadding) must be smaller than stride \(stride) or dilation \(dilation)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[1], weight.shape[2], weight.shape[3])
        if let bias { precondition(bias.shape == [o], "convTranspose2d: bias \(bias.shape) does not match weight \(weight.shape)") }
        let ho = (h - 1) * stride.0 - 2 * padding.0 + dilation.0 * (kh - 1) + outputPadding.0 + 1
        let wo = (w - 1) * stride.1 - 2 * padding.1 + dilation.1 * (kw - 1) + outputPadding.1 + 1
        precondition(ho > 0 && wo > 0, "convTranspose2d: input \(x.shape) with weight \(weight.shape) and padding \(padding) gives an empty output")
        // The adjoint conv2d: input planes [O, Ho, Wo], output planes [C, H, W].
        let g = ConvGeometry(channels: o, height: ho, width: wo, kernelH: kh, kernelW: kw,
                             strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                             dilationH: dilation.0, dilationW: dilation.1, outH: h, outW: w)
        let plane = ho * wo
        let outShape = [n, o, ho, wo]
        let y = Tensor(shape: outShape) { out in
            x.data.withUnsafeBufferPointer { px in weight.data.withUnsafeBufferPointer { pw in
                convBackwardKernel(input: nil, gradOut: px.baseAddress!, batch: n, g, weight: pw.baseAddress!,
                                   outChannels: c, gradInput: out.baseAddress!, gradWeight: nil)
            } }
            if let bias {
                for s in 0..<n {
                    for oc in 0..<o {
                        let dst = out.baseAddress! + (s * o + oc) * plane, beta = bias.data[oc]
                        for i in 0..<plane { dst[i] += beta }
                    }
                }
            }
        }
        let parents = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.result("conv_transpose2d", shape: outShape, data: y.data, parents: parents) { grad in
            var grads: [Tensor?] = [nil, nil]
            grad.data.withUnsafeBufferPointer { pgBuf in
                let pg = pgBuf.baseAddress!
                // dx = conv2d(dy, weight) and dW [C, O*kh*kw] = Σ_n x[n] · im2col(dy[n])ᵀ share the columns of dy.
                var gwData: [Float]? = weight.requiresGrad ? uninitializedFloats(weight.count) : nil   // overwritten by the kernels
                x.data.withUnsafeBufferPointer { pxBuf in weight.data.withUnsafeBufferPointer { pwBuf in withOptionalMutablePointer(&gwData) { gw in
                    let px = pxBuf.baseAddress!, pw = pwBuf.baseAddress!
                    if x.requiresGrad {
                        grads[0] = Tensor(shape: x.shape) { gx in
                            convForwardKernel(pg, batch: n, g, weight: pw, outChannels: c, bias: nil, gx.baseAddress!,
                                              weightGrad: gw.map { (gradOut: px, result: $0) })
                        }
                    } else if let gw {
                        convBackwardKernel(input: pg, gradOut: px, batch: n, g, weight: nil, outChannels: c,
                                           gradInput: nil, gradWeight: gw)
                    }
                } } }
                grads[1] = gwData.map { Tensor(shape: weight.shape, data: $0) }
                if let bias {
                    grads.append(bias.requiresGrad ? Tensor(shape: [o]) { gb in
                        convBiasGradKernel(pg, batch: n, channels: o, plane: plane, gb.baseAddress!)
                    } : nil)
                }
            }
            return grads
        }
    }
}
