// The workloads of docs/BENCHMARKS.md on the Swift side: the same networks, shapes, optimizers and
// steps as Benchmarks/pytorch/peer.py. Each returns a step closure, samples per step and FLOPs if
// known.
import DCGAN
import Inception
import WorkbenchNN

struct Workload {
    var step: () -> Void
    var samples: Int
    var flops: Double?
}

enum Workloads {
    static let names = ["sgemm256", "sgemm1024", "googlenet_small_train", "dcgan32_train",
                        "dqn_minatar_update", "dqn_minatar_act", "seq2seq_lstm_train"]

    static func make(_ name: String) -> Workload? {
        var g = Generator(seed: 0)
        switch name {
        case "sgemm256", "sgemm1024":
            let n = Int(name.dropFirst(5))!
            let a = Tensor.normal([n, n], generator: &g), b = Tensor.normal([n, n], generator: &g)
            return Workload(step: { _ = withNoGrad { a.matmul(b) } }, samples: n, flops: 2 * Double(n * n * n))
        case "googlenet_small_train":
            // The paper module's googlenet_small without auxiliary heads (docs/BENCHMARKS.md).
            var config = GoogLeNetConfig.fashionMNIST
            config.auxClassifiers = false
            let model = GoogLeNet(config, generator: &g)
            let optimizer = SGD(model.parameters(), lr: 0.01, momentum: 0.9)
            let x = Tensor.normal([128, 1, 28, 28], generator: &g)
            let y = IndexTensor((0..<128).map { _ in g.integer(below: 10) })
            return Workload(step: {
                optimizer.zeroGrad()
                F.crossEntropy(model.forward(x).logits, target: y).backward()
                optimizer.step()
            }, samples: 128, flops: nil)
        case "dcgan32_train":
            let netG = DCGANGenerator(.fashionMNIST32, generator: &g)
            let netD = DCGANDiscriminator(.fashionMNIST32, generator: &g)
            let (optG, optD) = dcganOptimizers(generator: netG, discriminator: netD)
            let real = Tensor.uniform([128, 1, 32, 32], low: -1, high: 1, generator: &g)
            let noise = Tensor.normal([128, 100, 1, 1], generator: &g)
            return Workload(step: {
                _ = ganStep(real: real, noise: noise, netG: { netG($0) }, netD: { netD($0) }, optimizerG: optG, optimizerD: optD)
            }, samples: 128, flops: nil)
        case "dqn_minatar_update", "dqn_minatar_act":
            let online = minatarQ(&g), target = minatarQ(&g)
            try! target.loadStateDict(Dictionary(uniqueKeysWithValues: online.stateDict()))
            if name == "dqn_minatar_act" {
                let s = Tensor.uniform([1, 4, 10, 10], generator: &g)
                return Workload(step: { _ = withNoGrad { online(s).argmax(dim: 1) } }, samples: 1, flops: nil)
            }
            let optimizer = RMSprop(online.parameters(), lr: 2.5e-4, alpha: 0.95, eps: 0.01, centered: true)
            let s = Tensor.uniform([32, 4, 10, 10], generator: &g), s2 = Tensor.uniform([32, 4, 10, 10], generator: &g)
            let a = IndexTensor(shape: [32, 1], data: (0..<32).map { _ in g.integer(below: 3) })
            let r = Tensor.normal([32], generator: &g)
            let notDone = Tensor(shape: [32], data: (0..<32).map { _ in g.bernoulli(0.1) ? 0 : 1 })
            return Workload(step: {
                let y = withNoGrad { r + notDone * 0.99 * target(s2).max(dim: 1).values }
                let q = online(s).gather(1, a).reshape([32])
                optimizer.zeroGrad()
                F.huberLoss(q, target: y).backward()
                optimizer.step()
            }, samples: 32, flops: nil)
        case "seq2seq_lstm_train":
            let (model, src, tgt, gold) = seq2seqSetup()
            let optimizer = Adam(model.parameters(), lr: 1e-3)
            return Workload(step: {
                optimizer.zeroGrad()
                let logits = model(src, tgt)   // [64, 15, 400]
                F.crossEntropy(logits.reshape([-1, 400]), target: gold.reshaped([-1])).backward()
                clipGradNorm(model.parameters(), maxNorm: 1)
                optimizer.step()
            }, samples: 64, flops: nil)
        default:
            return nil
        }
    }

    /// seq2seq_lstm_train's model and its fixed batch: source, target and gold ids [64, 15] of 400.
    static func seq2seqSetup() -> (model: PlainSeq2Seq, src: IndexTensor, tgt: IndexTensor, gold: IndexTensor) {
        var g = Generator(seed: 0)
        let model = PlainSeq2Seq(generator: &g)
        func tokens() -> IndexTensor { IndexTensor(shape: [64, 15], data: (0..<960).map { _ in g.integer(below: 400) }) }
        return (model, tokens(), tokens(), tokens())
    }

    /// The dqn_minatar network: Conv(4→16, 3)-ReLU, Flatten, Linear(1024→128)-ReLU, Linear(128→3).
    static func minatarQ(_ g: inout Generator) -> Sequential {
        Sequential(Conv2d(4, 16, kernelSize: 3, generator: &g), ReLU(), Flatten(),
                   Linear(1024, 128, generator: &g), ReLU(), Linear(128, 3, generator: &g))
    }
}

/// The seq2seq_lstm network: embeddings, 2-layer LSTM encoder whose final state starts the
/// 2-layer LSTM decoder, and a Linear over every decoder step.
final class PlainSeq2Seq: Module {
    let srcEmbed: Embedding, tgtEmbed: Embedding
    let encoder: LSTM, decoder: LSTM
    let out: Linear

    init(vocab: Int = 400, dim: Int = 256, generator g: inout Generator) {
        srcEmbed = Embedding(vocab, dim, generator: &g)
        tgtEmbed = Embedding(vocab, dim, generator: &g)
        encoder = LSTM(dim, dim, numLayers: 2, batchFirst: true, generator: &g)
        decoder = LSTM(dim, dim, numLayers: 2, batchFirst: true, generator: &g)
        out = Linear(dim, vocab, generator: &g)
    }

    override var namedChildren: [(String, Module)] {
        [("src_embed", srcEmbed), ("tgt_embed", tgtEmbed), ("encoder", encoder), ("decoder", decoder), ("out", out)]
    }

    /// src, tgt [N, T] -> logits [N, T, vocab]. Each LSTM looks its tokens up itself (one node
    /// that projects each distinct token once); the same network as embedding then LSTM.
    func callAsFunction(_ src: IndexTensor, _ tgt: IndexTensor) -> Tensor {
        let (_, h, c) = encoder.forward(src, embedding: srcEmbed)
        return out(decoder.forward(tgt, embedding: tgtEmbed, h0: h, c0: c).output)
    }
}
