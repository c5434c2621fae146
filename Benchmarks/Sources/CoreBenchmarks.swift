// Core kernel benchmarks: Tensor.matmul against raw cblas_sgemm, and conv2d forward + backward
// at a googlenet_small layer size.
import CBLAS
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
}
