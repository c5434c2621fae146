// Core kernel benchmarks: Tensor.matmul against raw cblas_sgemm, and conv2d forward + backward
// at a googlenet_small layer size.
import CBLAS
import Foundation
import WorkbenchCore

struct BenchmarkRow {
    var name: String
    var milliseconds: Double
    var gflops: Double?
    var note: String
}

enum CoreBenchmarks {
    static func sgemm(size n: Int, iterations: Int) -> [BenchmarkRow] {
        var g = Generator(seed: 1)
        let a = Tensor.normal([n, n], generator: &g), b = Tensor.normal([n, n], generator: &g)
        var c = [Float](repeating: 0, count: n * n)
        let flops = 2.0 * Double(n * n * n)
        // Raw OpenBLAS with its own threads (as many as the kernels' computeCores). WorkbenchCore
        // keeps OpenBLAS at one thread and splits products itself; restore that afterwards.
        openblas_set_num_threads(Int32(computeCores))
        let raw = medianMilliseconds(iterations: iterations) {
            a.data.withUnsafeBufferPointer { pa in b.data.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                            pa.baseAddress, Int32(n), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
            } } }
        }
        openblas_set_num_threads(1)
        let ours = medianMilliseconds(iterations: iterations) { _ = withNoGrad { a.matmul(b) } }
        return [
            BenchmarkRow(name: "sgemm\(n) raw cblas_sgemm", milliseconds: raw, gflops: flops / raw / 1e6, note: "the limit"),
            BenchmarkRow(name: "sgemm\(n) Tensor.matmul", milliseconds: ours, gflops: flops / ours / 1e6,
                         note: String(format: "%.3fx raw", ours / raw)),
        ]
    }

    /// googlenet_small's inception-3a 3x3 branch at batch 128: [128, 24, 14, 14] -> 3x3 pad 1 -> 32.
    static func conv(iterations: Int) -> [BenchmarkRow] {
        var g = Generator(seed: 2)
        let (n, c, h, w, o) = (128, 24, 14, 14, 32)
        let x = Tensor.normal([n, c, h, w], generator: &g).requiringGrad()
        let weight = Tensor.normal([o, c, 3, 3], std: 0.1, generator: &g).requiringGrad()
        let upstream = Tensor.normal([n, o, h, w], generator: &g)
        let forwardFlops = 2.0 * Double(n * o * h * w * c * 9)
        let fwd = medianMilliseconds(iterations: iterations) {
            _ = withNoGrad { F.conv2d(x, weight: weight, padding: (1, 1)) }
        }
        let fwdBwd = medianMilliseconds(iterations: iterations) {
            x.grad = nil; weight.grad = nil
            F.conv2d(x, weight: weight, padding: (1, 1)).backward(upstream)
        }
        return [
            BenchmarkRow(name: "conv2d 3x3 [128,24,14,14]->32 fwd", milliseconds: fwd, gflops: forwardFlops / fwd / 1e6, note: ""),
            BenchmarkRow(name: "conv2d 3x3 [128,24,14,14]->32 fwd+bwd", milliseconds: fwdBwd,
                         gflops: 3 * forwardFlops / fwdBwd / 1e6, note: "bwd = dX + dW"),
        ]
    }

    /// conv2d forward + backward (input and weight gradients) for layer shapes of the papers, small to
    /// large, each on the path `ConvGeometry.usesDNNL` picks for it: one line per shape with its
    /// multiply-adds and median time. Run under WORKBENCH_CONV=im2col and =onednn to compare paths.
    static func convShapes(iterations: Int) -> [String] {
        // (name, batch, in channels, height, width, out channels, kernel, stride, padding)
        let shapes: [(String, Int, Int, Int, Int, Int, Int, Int, Int)] = [
            ("alphago-zero 3x3 64->64, 7x6, batch 1", 1, 64, 6, 7, 64, 3, 1, 1),
            ("alphago-zero 3x3 64->64, 7x6, batch 8", 8, 64, 6, 7, 64, 3, 1, 1),
            ("alphago-zero 3x3 64->64, 7x6, batch 64", 64, 64, 6, 7, 64, 3, 1, 1),
            ("alphago-zero 3x3 64->64, 7x6, batch 256", 256, 64, 6, 7, 64, 3, 1, 1),
            ("lenet 5x5 1->6, 32x32, batch 64", 64, 1, 32, 32, 6, 5, 1, 0),
            ("lenet 5x5 6->16, 14x14, batch 64", 64, 6, 14, 14, 16, 5, 1, 0),
            ("dqn-minatar 3x3 4->16, 10x10, batch 32", 32, 4, 10, 10, 16, 3, 1, 0),
            ("googlenet 3x3 24->32, 14x14, batch 128", 128, 24, 14, 14, 32, 3, 1, 1),
            ("googlenet 1x1 120->48, 7x7, batch 128", 128, 120, 7, 7, 48, 1, 1, 0),
            ("dcgan 4x4 s2 64->128, 16x16, batch 64", 64, 64, 16, 16, 128, 4, 2, 1),
            ("dcgan 4x4 s2 1->64, 32x32, batch 64", 64, 1, 32, 32, 64, 4, 2, 1),
            ("dcgan 4x4 s1 256->1, 4x4, batch 64", 64, 256, 4, 4, 1, 4, 1, 0),
            ("inception 3x3 16->24, 28x28, batch 16", 16, 16, 28, 28, 24, 3, 1, 1),
        ]
        return shapes.map { name, n, c, h, w, o, k, s, p in
            var g = Generator(seed: 3)
            let x = Tensor.normal([n, c, h, w], generator: &g).requiringGrad()
            let weight = Tensor.normal([o, c, k, k], std: 0.1, generator: &g).requiringGrad()
            let y = F.conv2d(x, weight: weight, stride: (s, s), padding: (p, p))
            let upstream = Tensor.normal(y.shape, generator: &g)
            let ms = medianMilliseconds(iterations: iterations) {
                x.grad = nil; weight.grad = nil
                F.conv2d(x, weight: weight, stride: (s, s), padding: (p, p)).backward(upstream)
            }
            let macs = n * o * c * k * k * y.shape[2] * y.shape[3]
            return String(format: "%-42@ %10d MACs  %8.3f ms fwd+bwd", name as NSString, macs, ms)
        }
    }

    /// Every matrix product of one seq2seq_lstm_train step (4 LSTM layers of hidden 256 over 15
    /// steps at batch 64, the 256 -> 400 output layer; forward, input and weight gradients) through
    /// `sgemm` alone: the floor under that workload's step time, whatever the rest costs. The two
    /// embedding-fed layers project only their batch's distinct tokens (`F.lstm(tokens:...)`).
    static func seq2seqProducts(iterations: Int) -> [BenchmarkRow] {
        typealias Product = (transA: Bool, transB: Bool, m: Int, n: Int, k: Int, count: Int)
        let (rows, batch, steps, hidden, gates, vocab) = (960, 64, 15, 256, 1024, 400)
        func layer(inputRows r: Int) -> [Product] {
            [(false, true, r, gates, hidden, 1),                   // input projection, all steps at once
             (false, true, batch, gates, hidden, steps),           // h_{t-1} · W_hhᵀ per step
             (false, false, batch, hidden, gates, steps),          // dh_{t-1} = dGates_t · W_hh per step
             (true, false, gates, hidden, rows - batch, 1),        // dW_hh over steps 2...T
             (true, false, gates, hidden, r, 1),                   // dW_ih
             (false, false, r, hidden, gates, 1)]                  // dx
        }
        let batchIds = Workloads.seq2seqSetup()
        let distinctSource = Set(batchIds.src.data).count, distinctTarget = Set(batchIds.tgt.data).count
        let output: [Product] = [(false, true, rows, vocab, hidden, 1), (false, false, rows, hidden, vocab, 1),
                                 (true, false, vocab, hidden, rows, 1)]
        let products = layer(inputRows: distinctSource) + layer(inputRows: rows) + layer(inputRows: distinctTarget)
            + layer(inputRows: rows) + output
        var g = Generator(seed: 3)
        let a = Tensor.normal([rows * gates], generator: &g).data, b = Tensor.normal([rows * gates], generator: &g).data
        var c = [Float](repeating: 0, count: rows * gates)
        let flops = products.reduce(0.0) { $0 + 2 * Double($1.m * $1.n * $1.k * $1.count) }
        let ms = medianMilliseconds(iterations: iterations) {
            c.withUnsafeMutableBufferPointer { pc in
                for p in products {
                    for _ in 0..<p.count {
                        WorkbenchCore.sgemm(transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k, a, b, pc.baseAddress!)
                    }
                }
            }
        }
        return [BenchmarkRow(name: "seq2seq step's sgemm products", milliseconds: ms, gflops: flops / ms / 1e6,
                             note: String(format: "%.2f GFLOP per step (%d, %d distinct tokens)", flops / 1e9,
                                           distinctSource, distinctTarget))]
    }
}
