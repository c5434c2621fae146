// Matrix products on OpenBLAS `cblas_sgemm`: matmul, batched matmul and linear.
import CBLAS

/// C[M,N] = alpha * op(A) * op(B) + beta * C, all row-major; op = transpose when the flag is set.
/// `A` is [M,K] (or [K,M] when transposed), `B` is [K,N] (or [N,K]). Large products run as two
/// on the two cores unless `split` is false (the caller already has the other core busy).
public func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                  alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int? = nil,
                  _ b: UnsafePointer<Float>, ldb: Int? = nil,
                  beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int? = nil, split: Bool = true) {
    let cores = computeCores   // first: sets OpenBLAS to one thread before its first call
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { c.update(repeating: 0, count: m * n) } else if beta != 1 { for i in 0..<(m * n) { c[i] *= beta } }
        return
    }
    let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n), ldc = ldc ?? n
    if m == 1 || n == 1 {
        sgemv(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: ldc)
        return
    }
    func product(rows: Range<Int>, columns: Range<Int>) {
        let pa = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
        let pb = transB ? b + columns.lowerBound * ldb : b + columns.lowerBound
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(rows.count), Int32(columns.count), Int32(k), alpha, pa, Int32(lda), pb, Int32(ldb),
                    beta, c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
    }
    // Two products on two cores, split along the longer side of C (rows when square: each core
    // then packs only its half of A, and 256² ran 25 % faster than split by columns) at a multiple
    // of 16 (whole kernel tiles), from 2^20 multiply-adds on (about 50 µs on one core).
    let longer = Swift.max(m, n)
    guard split && cores > 1 && m * n * k >= 1 << 20 && longer >= 32 else {
        product(rows: 0..<m, columns: 0..<n)
        return
    }
    let half = Swift.min(longer - 1, (longer / 2 + 15) / 16 * 16)
    onBothCores { part in
        let range = part == 0 ? 0..<half : half..<longer
        if n > m { product(rows: 0..<m, columns: range) } else { product(rows: range, columns: 0..<n) }
    }
}

/// A product with a single output row or column as `cblas_sgemv`: OpenBLAS's sgemm would pack the
/// whole other operand first (for a batch-1 Linear that copy costs more than the product).
private func sgemv(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                   _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                   beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    // y may be uninitialised memory: never let gemv read it when beta is 0.
    if m == 1 {
        // c[0, :] = op(B)ᵀ · a, where a = op(A)[0, :] has stride lda when A is transposed.
        if beta == 0 { for j in 0..<n { c[j] = 0 } }
        cblas_sgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans, Int32(transB ? n : k), Int32(transB ? k : n),
                    alpha, b, Int32(ldb), a, Int32(transA ? lda : 1), beta, c, 1)
    } else {
        // c[:, 0] = op(A) · b, where b = op(B)[:, 0] has stride ldb unless B is transposed.
        if beta == 0 { for i in 0..<m { c[i * ldc] = 0 } }
        cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, Int32(transA ? k : m), Int32(transA ? m : k),
                    alpha, a, Int32(lda), b, Int32(transB ? 1 : ldb), beta, c, Int32(ldc))
    }
}

extension Tensor {
    /// Matrix product (`torch.matmul`) for [.., M, K] x [K, N] (leading dims folded into M) and
    /// for batched [B.., M, K] x [B.., K, N] with equal batch dims.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 2 && other.rank >= 2, "matmul needs rank >= 2 operands, got \(shape) and \(other.shape)")
        let m = shape[rank - 2], k = shape[rank - 1]
        let k2 = other.shape[other.rank - 2], n = other.shape[other.rank - 1]
        precondition(k == k2, "matmul: inner dimensions differ: \(shape) x \(other.shape)")
        if other.rank == 2 {
            let rows = count / Swift.max(k, 1)
            let outShape = Array(shape.dropLast()) + [n]
            return Tensor.matmul2d(self, other, rows: rows, k: k, n: n, outShape: outShape)
        }
        precondition(Array(shape.dropLast(2)) == Array(other.shape.dropLast(2)),
                     "matmul: batch dimensions differ: \(shape) x \(other.shape)")
        let batch = shape.dropLast(2).reduce(1, *)
        return Tensor.bmm(self, other, batch: batch, m: m, k: k, n: n, outShape: Array(shape.dropLast()) + [n])
    }

    /// [rows, K] x [K, N] with the leading shape of `a` kept.
    private static func matmul2d(_ a: Tensor, _ b: Tensor, rows: Int, k: Int, n: Int, outShape: [Int]) -> Tensor {
        let out = Tensor(shape: outShape) { c in
            a.data.withUnsafeBufferPointer { pa in b.data.withUnsafeBufferPointer { pb in
                sgemm(m: rows, n: n, k: k, pa.baseAddress!, pb.baseAddress!, c.baseAddress!)
            } }
        }
        return result("matmul", shape: outShape, data: out.data, parents: [a, b]) { g in
            var ga: Tensor?, gb: Tensor?
            g.data.withUnsafeBufferPointer { pg in
                if a.requiresGrad {
                    ga = Tensor(shape: a.shape) { c in   // dA = dC · Bᵀ
                        b.data.withUnsafeBufferPointer { pb in
                            sgemm(transB: true, m: rows, n: k, k: n, pg.baseAddress!, pb.baseAddress!, c.baseAddress!)
                        }
                    }
                }
                if b.requiresGrad {
                    gb = Tensor(shape: b.shape) { c in   // dB = Aᵀ · dC
                        a.data.withUnsafeBufferPointer { pa in
                            sgemm(transA: true, m: k, n: n, k: rows, pa.baseAddress!, pg.baseAddress!, c.baseAddress!)
                        }
                    }
                }
            }
            return [ga, gb]
        }
    }

    /// Batched [B, M, K] x [B, K, N].
    private static func bmm(_ a: Tensor, _ b: Tensor, batch: Int, m: Int, k: Int, n: Int, outShape: [Int]) -> Tensor {
        let out = Tensor(shape: outShape) { c in
            a.data.withUnsafeBufferPointer { pa in b.data.withUnsafeBufferPointer { pb in
                for i in 0..<batch {
                    sgemm(m: m, n: n, k: k, pa.baseAddress! + i * m * k, pb.baseAddress! + i * k * n, c.baseAddress! + i * m * n)
                }
            } }
        }
        return result("bmm", shape: outShape, data: out.data, parents: [a, b]) { g in
            var ga: Tensor?, gb: Tensor?
            g.data.withUnsafeBufferPointer { pg in
                if a.requiresGrad {
                    ga = Tensor(shape: a.shape) { c in
                        b.data.withUnsafeBufferPointer { pb in
                            for i in 0..<batch {
                                sgemm(transB: true, m: m, n: k, k: n, pg.baseAddress! + i * m * n, pb.baseAddress! + i * k * n, c.baseAddress! + i * m * k)
                            }
                        }
                    }
                }
                if b.requiresGrad {
                    gb = Tensor(shape: b.shape) { c in
                        a.data.withUnsafeBufferPointer { pa in
                            for i in 0..<batch {
                                sgemm(transA: true, m: k, n: n, k: m, pa.baseAddress! + i * m * k, pg.baseAddress! + i * m * n, c.baseAddress! + i * k * n)
                            }
                        }
                    }
                }
            }
            return [ga, gb]
        }
    }
}

/// PyTorch's functional ops (`torch.nn.functional`), each one fused autodiff node.
public enum Functional {}
/// `F.conv2d(...)` reads as in PyTorch.
public typealias F = Functional

extension Functional {
    /// y = x Wᵀ + b for x [*, in], weight [out, in], bias [out] -> [*, out].
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.rank == 2 && x.rank >= 1 && x.shape.last == weight.shape[1],
                     "linear: input \(x.shape) does not match weight \(weight.shape)")
        let inF = weight.shape[1], outF = weight.shape[0]
        if let bias { precondition(bias.shape == [outF], "linear: bias \(bias.shape) does not match weight \(weight.shape)") }
        let rows = x.count / Swift.max(inF, 1)
        let outShape = Array(x.shape.dropLast()) + [outF]
        let y = Tensor(shape: outShape) { c in
            x.data.withUnsafeBufferPointer { px in weight.data.withUnsafeBufferPointer { pw in
                if let bias {
                    bias.data.withUnsafeBufferPointer { pb in
                        for r in 0..<rows { (c.baseAddress! + r * outF).update(from: pb.baseAddress!, count: outF) }
                    }
                }
                sgemm(transB: true, m: rows, n: outF, k: inF, px.baseAddress!, pw.baseAddress!,
                      beta: bias == nil ? 0 : 1, c.baseAddress!)
            } }
        }
        let parents = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.result("linear", shape: outShape, data: y.data, parents: parents) { g in
            var grads: [Tensor?] = [nil, nil, nil]
            g.data.withUnsafeBufferPointer { pg in
                if x.requiresGrad {
                    grads[0] = Tensor(shape: x.shape) { c in   // dx = dy · W
                        weight.data.withUnsafeBufferPointer { pw in
                            sgemm(m: rows, n: inF, k: outF, pg.baseAddress!, pw.baseAddress!, c.baseAddress!)
                        }
                    }
                }
                if weight.requiresGrad {
                    grads[1] = Tensor(shape: weight.shape) { c in   // dW = dyᵀ · x
                        x.data.withUnsafeBufferPointer { px in
                            sgemm(transA: true, m: outF, n: inF, k: rows, pg.baseAddress!, px.baseAddress!, c.baseAddress!)
                        }
                    }
                }
                if let bias, bias.requiresGrad {
                    grads[2] = Tensor(shape: [outF]) { c in
                        sumKernel(pg.baseAddress!, outer: 1, n: rows, inner: outF, into: c.baseAddress!)
                    }
                }
            }
            return Array(grads.prefix(parents.count))
        }
    }
}
