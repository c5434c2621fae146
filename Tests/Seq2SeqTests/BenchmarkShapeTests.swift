// The seq2seq_lstm_train benchmark shape (vocab 400, embed 256, hidden 256, 2-layer LSTM encoder
// and decoder, batch 64, length 15, Adam 1e-3, clip-grad-norm 1.0): milliseconds per training step.
// Runs only with SEQ2SEQ_BENCH=1 (it is a measurement, not a check).
import Foundation
import Testing
import WorkbenchNN
import WorkbenchData
import Seq2Seq

struct Seq2SeqBenchmarkShape {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SEQ2SEQ_BENCH"] == "1"))
    func trainStep() {
        var g = Generator(seed: 0)
        let config = Seq2SeqConfig(srcVocab: 400, tgtVocab: 400, embed: 256, hidden: 256, numLayers: 2, attention: false, reverseSource: false)
        let model = Seq2SeqModel(config, generator: &g)
        let opt = Adam(model.parameters(), lr: 1e-3)
        let b = 64, t = 15
        let src = IndexTensor(shape: [b, t], data: (0..<(b * t)).map { _ in 4 + g.integer(below: 396) })
        let tgt = IndexTensor(shape: [b, t], data: (0..<(b * t)).map { _ in 4 + g.integer(below: 396) })
        let out = IndexTensor(shape: [b, t], data: (0..<(b * t)).map { _ in 4 + g.integer(below: 396) })
        func step() {
            opt.zeroGrad()
            let loss = Seq2SeqModel.loss(model.forward(src: src, tgt: tgt), target: out)
            loss.backward()
            _ = clipGradNorm(model.parameters(), maxNorm: 1)
            opt.step()
        }
        for _ in 0..<3 { step() }
        func cpuSeconds() -> Double {
            var u = rusage()
            getrusage(RUSAGE_SELF.rawValue, &u)
            return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
        }
        let cpu0 = cpuSeconds()
        var times: [Double] = []
        for _ in 0..<30 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        let cpuPerStep = (cpuSeconds() - cpu0) / 30 * 1000
        times.sort()
        print(String(format: "seq2seq_lstm_train: median %.2f ms, min %.2f ms wall per step; %.2f ms CPU (all threads) per step (PyTorch reference 98.5 ms)",
                     times[15], times[0], cpuPerStep))
    }
}
