// Timing of the dcgan32 train step (one D step + one G step, batch 128), compared in the card with
// docs/BENCHMARKS.md's reference PyTorch figure; runs only with DCGAN_BENCH=1 so that the test target stays fast.
import Foundation
import Testing
import WorkbenchNN
import WorkbenchTesting
import DCGAN

@Suite struct DCGANBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DCGAN_BENCH"] == "1"))
    func dcgan32TrainStep() {
        var g = Generator(seed: 1)
        let netG = DCGANGenerator(.fashionMNIST32, generator: &g), netD = DCGANDiscriminator(.fashionMNIST32, generator: &g)
        let (optG, optD) = dcganOptimizers(generator: netG, discriminator: netD)
        let real = Tensor.uniform([128, 1, 32, 32], low: -1, high: 1, generator: &g)
        var times: [Double] = [], cpu: [Double] = []
        for i in 0..<13 {
            let z = Tensor.normal([128, 100, 1, 1], generator: &g)
            let t0 = ContinuousClock.now, c0 = processCPUSeconds()
            _ = ganStep(real: real, noise: z, netG: netG.forward, netD: netD.forward, optimizerG: optG, optimizerD: optD)
            let d = ContinuousClock.now - t0
            if i >= 3 { cpu.append((processCPUSeconds() - c0) * 1e3) }
            if i >= 3 { times.append(Double(d.components.attoseconds) * 1e-15 + Double(d.components.seconds) * 1e3) }
        }
        times.sort()
        cpu.sort()
        print("dcgan32_train: wall median \(times[times.count / 2]) ms, min \(times[0]) ms; process CPU median \(cpu[cpu.count / 2]) ms over \(times.count) steps (PyTorch peer 478 ms wall)")
    }
}

/// User + system CPU time of this process (all threads), so a loaded machine does not inflate it.
func processCPUSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
}
