// Tests of conv2d and conv_transpose2d: gradchecks, adjointness, batching paths. The values against
// PyTorch are the op fixtures (OpFixtureTests: Tests/Fixtures/ops/conv2d_*, conv_transpose2d_*).
import Testing
import WorkbenchTesting

private func random(_ shape: [Int], seed: UInt64) -> Tensor {
    var g = Generator(seed: seed)
    return Tensor.uniform(shape, low: -1, high: 1, generator: &g).requiringGrad()
}

private func dot(_ a: Tensor, _ b: Tensor) -> Double {
    zip(a.data, b.data).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

@Suite struct ConvTests {
    @Test func conv2dGradcheck() {
        let x = random([3, 4, 7, 9], seed: 1), w = random([5, 4, 3, 2], seed: 2), b = random([5], seed: 3)
        let failures = gradcheck([x, w, b]) { t in
            weightedSum(F.conv2d(t[0], weight: t[1], bias: t[2], stride: (2, 1), padding: (1, 1), dilation: (1, 2)))
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func conv2dGradcheckSingleSampleAndPointwise() {
        // Batch 1 takes the one-sample gemm path; 1x1 takes the no-im2col path.
        let x = random([1, 3, 7, 9], seed: 4), w = random([4, 3, 3, 3], seed: 5), b = random([4], seed: 6)
        #expect(gradcheck([x, w, b]) { t in weightedSum(F.conv2d(t[0], weight: t[1], bias: t[2], padding: (1, 1))) }.isEmpty)
        for batch in [1, 2] {
            let xp = random([batch, 3, 7, 9], seed: 7), wp = random([5, 3, 1, 1], seed: 8), bp = random([5], seed: 9)
            #expect(gradcheck([xp, wp, bp]) { t in weightedSum(F.conv2d(t[0], weight: t[1], bias: t[2])) }.isEmpty)
        }
    }

    @Test func batchedChunksMatchPerSample() {
        // Small planes are batched into one wide gemm; the result must equal per-sample convolution.
        let x = random([3, 4, 7, 9], seed: 9), w = random([5, 4, 3, 3], seed: 10), b = random([5], seed: 11)
        let whole = F.conv2d(x, weight: w, bias: b, stride: (1, 2), padding: (1, 1))
        let pieces = (0..<3).map { F.conv2d(x.narrow(0, start: $0, length: 1), weight: w, bias: b, stride: (1, 2), padding: (1, 1)) }
        #expect(allClose(whole, Tensor.cat(pieces, dim: 0)))
        let pw = random([5, 4, 1, 1], seed: 12)
        let wholePw = F.conv2d(x, weight: pw, bias: b)
        let piecesPw = (0..<3).map { F.conv2d(x.narrow(0, start: $0, length: 1), weight: pw, bias: b) }
        #expect(allClose(wholePw, Tensor.cat(piecesPw, dim: 0)))
    }

    @Test func convTranspose2dGradcheck() {
        let x = random([2, 3, 4, 5], seed: 13), w = random([3, 4, 3, 3], seed: 14), b = random([4], seed: 15)
        let failures = gradcheck([x, w, b]) { t in
            weightedSum(F.convTranspose2d(t[0], weight: t[1], bias: t[2], stride: (2, 2), padding: (1, 1), outputPadding: (1, 0)))
        }
        #expect(failures.isEmpty, "\(failures)")
        let x1 = random([1, 3, 4, 5], seed: 16), w1 = random([3, 2, 2, 3], seed: 17)
        #expect(gradcheck([x1, w1]) { t in
            weightedSum(F.convTranspose2d(t[0], weight: t[1], stride: (1, 2), dilation: (2, 1)))
        }.isEmpty)
    }

    @Test func convTranspose2dWeightGradWithoutInputGrad() {
        // A generator's first layer: the noise needs no gradient, the weight and bias do.
        let z = random([3, 5, 1, 1], seed: 21).detach(), w = random([5, 4, 4, 4], seed: 22), b = random([4], seed: 23)
        let failures = gradcheck([z, w, b]) { t in weightedSum(F.convTranspose2d(t[0], weight: t[1], bias: t[2])) }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func gradcheckOnTheTwoCoreColumnPath() {
        // Column matrices of 64K+ entries are built and scattered by two threads.
        let x = random([2, 16, 20, 20], seed: 24), w = random([8, 16, 3, 3], seed: 25)
        #expect(gradcheck([x, w]) { t in weightedSum(F.conv2d(t[0], weight: t[1], padding: (1, 1))) }.isEmpty)
        let xt = random([2, 8, 10, 10], seed: 26), wt = random([8, 32, 4, 4], seed: 27)
        #expect(gradcheck([xt, wt]) { t in
            weightedSum(F.convTranspose2d(t[0], weight: t[1], stride: (2, 2), padding: (1, 1)))
        }.isEmpty)
    }

    @Test func convTransposeIsAdjointOfConv() {
        // <conv2d(x, W), y> == <x, convTranspose2d(y, W)>: the two ops are transposes of one linear map.
        let w = random([4, 3, 3, 2], seed: 18).detach()
        let x = random([2, 3, 8, 10], seed: 19).detach()
        let cx = F.conv2d(x, weight: w, stride: (2, 2), padding: (1, 1), dilation: (1, 2))
        #expect(cx.shape == [2, 4, 4, 5])
        let y = random(cx.shape, seed: 20).detach()
        let ty = F.convTranspose2d(y, weight: w, stride: (2, 2), padding: (1, 1), outputPadding: (1, 1), dilation: (1, 2))
        #expect(ty.shape == x.shape)
        let lhs = dot(cx, y), rhs = dot(x, ty)
        #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)), "\(lhs) vs \(rhs)")
    }

    @Test func dcganTransposedConvShapes() {
        // DCGAN generator 1 -> 4 -> 8 -> 16 -> 32: k4 s1 p0, then k4 s2 p1.
        var h = Tensor.zeros([2, 8, 1, 1])
        h = F.convTranspose2d(h, weight: Tensor.zeros([8, 6, 4, 4]))
        #expect(h.shape == [2, 6, 4, 4])
        for (cin, cout, size) in [(6, 5, 8), (5, 4, 16), (4, 3, 32)] {
            h = F.convTranspose2d(h, weight: Tensor.zeros([cin, cout, 4, 4]), stride: (2, 2), padding: (1, 1))
            #expect(h.shape == [2, cout, size, size])
        }
        // The discriminator mirrors it with conv2d k4 s2 p1: 32 -> 16.
        #expect(F.conv2d(h, weight: Tensor.zeros([2, 3, 4, 4]), stride: (2, 2), padding: (1, 1)).shape == [2, 2, 16, 16])
    }

    /// Direct stride-2 convolution in Float64: y [N, O, Ho, Wo] from x [N, C, H, W], w [O, C, k, k].
    private func directConv(_ x: Tensor, _ w: Tensor, padding: Int, outH: Int, outW: Int) -> [Float] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]), (o, k) = (w.shape[0], w.shape[2])
        var y = [Float](repeating: 0, count: n * o * outH * outW)
        for s in 0..<n { for oc in 0..<o { for oy in 0..<outH { for ox in 0..<outW {
            var sum = 0.0
            for ic in 0..<c { for ki in 0..<k { for kj in 0..<k {
                let iy = oy * 2 - padding + ki, ix = ox * 2 - padding + kj
                guard iy >= 0 && iy < h && ix >= 0 && ix < wd else { continue }
                sum += Double(x.data[((s * c + ic) * h + iy) * wd + ix]) * Double(w.data[((oc * c + ic) * k + ki) * k + kj])
            } } }
            y[((s * o + oc) * outH + oy) * outW + ox] = Float(sum)
        } } } }
        return y
    }

    @Test(arguments: [(17, 4, 1), (16, 4, 1), (18, 3, 0), (9, 3, 1), (21, 4, 1), (24, 4, 1), (40, 4, 1)])
    func strideTwoRowsMatchDirectConvolution(width: Int, kernel: Int, padding: Int) {
        // Output rows of 4..20 pixels take the 8- and 4-lane gathers of every other input pixel,
        // with and without the last pixel pair inside the image row. The input gradient is the
        // transpose of the same map: <conv(x), y> = <x, dx> for dx = d<conv(x), y>/dx.
        let x = random([3, 5, 7, width], seed: 30), w = random([4, 5, kernel, kernel], seed: 31).detach()
        let out = F.conv2d(x, weight: w, stride: (2, 2), padding: (padding, padding))
        let (outH, outW) = (out.shape[2], out.shape[3])
        #expect(closeness(out.data, directConv(x.detach(), w, padding: padding, outH: outH, outW: outW), atol: 1e-5, rtol: 1e-5).passed)
        let y = random(out.shape, seed: 32).detach()
        (out * y).sum().backward()
        let lhs = dot(out, y), rhs = dot(x.detach(), x.grad!)
        #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)), "\(lhs) vs \(rhs)")
        // Each input pixel's gradient against the direct sum over the outputs that read it.
        var dx = [Float](repeating: 0, count: x.count)
        let (c, h) = (5, 7)
        for s in 0..<3 { for oc in 0..<4 { for oy in 0..<outH { for ox in 0..<outW {
            let g = y.data[((s * 4 + oc) * outH + oy) * outW + ox]
            for ic in 0..<c { for ki in 0..<kernel { for kj in 0..<kernel {
                let iy = oy * 2 - padding + ki, ix = ox * 2 - padding + kj
                guard iy >= 0 && iy < h && ix >= 0 && ix < width else { continue }
                dx[((s * c + ic) * h + iy) * width + ix] += g * w.data[((oc * c + ic) * kernel + ki) * kernel + kj]
            } } }
        } } } }
        #expect(closeness(x.grad!.data, dx, atol: 1e-5, rtol: 1e-5).passed)
    }
}
