// googlenet_small train-step time at batch 128 (docs/BENCHMARKS.md), run only when INCEPTION_BENCH names
// the variants to time, e.g. INCEPTION_BENCH=fashionMNIST-noaux,fashionMNIST,quick.
import Foundation
import Testing
import WorkbenchNN
import WorkbenchTesting
import Inception

@Suite struct StepTimeBenchmark {
    static let variants = (ProcessInfo.processInfo.environment["INCEPTION_BENCH"] ?? "").split(separator: ",").map(String.init)

    /// One full step (zero grad, forward, backward, SGD momentum update) per iteration, as the
    /// PyTorch peer measures it; prints the median over 10 steps after 2 warm-up steps.
    /// "noaux" in the name drops the auxiliary heads (the peer's network has none).
    @Test(.enabled(if: !variants.isEmpty)) func trainSteps() {
        for name in Self.variants { trainStep(name) }
    }

    func trainStep(_ name: String) {
        var config: GoogLeNetConfig = name.hasPrefix("quick") ? .quick : .fashionMNIST
        if name.hasSuffix("noaux") { config.auxClassifiers = false }
        var g = Generator(seed: 0)
        let model = GoogLeNet(config, generator: &g)
        let opt = SGD(model.parameters(), lr: 0.01, momentum: 0.9)
        let x = Tensor.normal([128, 1, 28, 28], generator: &g)
        let y = IndexTensor((0..<128).map { $0 % 10 })
        var times: [Double] = []
        for i in 0..<12 {
            let start = ContinuousClock.now
            opt.zeroGrad()
            model.loss(model(x), target: y).backward()
            opt.step()
            let d = ContinuousClock.now - start
            if i >= 2 { times.append(Double(d.components.attoseconds) * 1e-15 + Double(d.components.seconds) * 1e3) }
        }
        times.sort()
        print("googlenet step \(name) batch 128: median \(String(format: "%.1f", times[times.count / 2])) ms, min \(String(format: "%.1f", times[0])) ms")
    }
}
