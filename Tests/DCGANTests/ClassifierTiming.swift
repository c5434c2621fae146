// Timing of the FID classifier's layers (DCGAN_BENCH=1 only).
import Foundation
import Testing
import WorkbenchNN
import WorkbenchTesting
import DCGAN

@Suite struct ClassifierTiming {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DCGAN_BENCH"] == "1"))
    func layers() {
        var g = Generator(seed: 1)
        let c = FashionClassifier(generator: &g)
        var x = Tensor.uniform([128, 1, 32, 32], low: -1, high: 1, generator: &g).requiringGrad()
        for (i, layer) in c.features.layers.enumerated() {
            let c0 = processCPUSeconds()
            let y = layer.forward(x)
            let c1 = processCPUSeconds()
            (y * Tensor.ones(y.shape)).sum().backward()
            let c2 = processCPUSeconds()
            print("layer \(i) \(type(of: layer)) fwd \((c1 - c0) * 1e3) ms, fwd+bwd \((c2 - c1) * 1e3) ms -> \(y.shape)")
            x = y.detach().requiringGrad()
        }
    }
}
