// The paper's Section 5.1 experiment: the discriminator as a feature extractor (every conv block's
// activations max-pooled to a 4x4 grid, concatenated) under a linear classifier.
import WorkbenchNN

/// [N, nc, S, S] -> [N, Σ C_l · 16]: each LeakyReLU output [N, C, H, W] max-pooled with kernel and
/// stride H/4 to [N, C, 4, 4], flattened and concatenated (no grad, D in eval mode).
public func discriminatorFeatures(_ netD: DCGANDiscriminator, _ x: Tensor, batchSize: Int = 250) -> Tensor {
    let wasTraining = netD.training
    netD.eval()
    defer { netD.train(wasTraining) }
    return inBatches(x, batchSize: batchSize) { xb in
        let maps = netD.features(xb).map { m -> Tensor in
            let k = m.shape[2] / 4
            let pooled = k > 1 ? F.maxPool2d(m, kernelSize: (k, k)) : m
            return pooled.flatten(startDim: 1)
        }
        return Tensor.cat(maps, dim: 1)
    }
}

/// The loss of the linear probe: softmax cross-entropy, or the paper's regularised linear L2-SVM
/// (one-vs-rest squared hinge, Σ_k max(0, 1 − t_k s_k)² with t_k = ±1, as scikit-learn's
/// LinearSVC(loss="squared_hinge") minimises it).
public enum ProbeLoss: String, Sendable, Codable { case softmax, l2SVM = "l2_svm" }

/// A linear classifier (one Linear layer, `loss`, L2 weight decay, Adam) on standardised
/// features; returns its test accuracy.
public func linearProbeAccuracy(train: Tensor, trainLabels: IndexTensor, test: Tensor, testLabels: IndexTensor,
                                loss lossKind: ProbeLoss = .softmax, epochs: Int = 10, weightDecay: Float = 1e-4,
                                lr: Float = 1e-3, seed: UInt64) -> Double {
    precondition(train.rank == 2 && test.rank == 2 && train.shape[1] == test.shape[1],
                 "linearProbeAccuracy: train \(train.shape) and test \(test.shape) must be [N, F] with the same F")
    let (n, d) = (train.shape[0], train.shape[1])
    // Standardise with the training statistics (constant features keep std 1).
    var mean = [Float](repeating: 0, count: d), std = [Float](repeating: 0, count: d)
    for i in 0..<n { for j in 0..<d { mean[j] += train.data[i * d + j] } }
    for j in 0..<d { mean[j] /= Float(n) }
    for i in 0..<n { for j in 0..<d { let v = train.data[i * d + j] - mean[j]; std[j] += v * v } }
    for j in 0..<d { std[j] = (std[j] / Float(n)).squareRoot(); if std[j] < 1e-6 { std[j] = 1 } }
    func standardised(_ x: Tensor) -> Tensor {
        var data = x.data
        for i in 0..<x.shape[0] { for j in 0..<d { data[i * d + j] = (data[i * d + j] - mean[j]) / std[j] } }
        return Tensor(shape: x.shape, data: data)
    }
    let xTrain = standardised(train), xTest = standardised(test)
    var g = Generator(seed: seed)
    let linear = Linear(d, 10, generator: &g)
    let opt = Adam(linear.parameters(), lr: lr, weightDecay: weightDecay)
    for _ in 0..<epochs {
        let order = g.permutation(n)
        var start = 0
        while start < n {
            let idx = Array(order[start..<min(start + 128, n)])
            start += 128
            opt.zeroGrad()
            let scores = linear(xTrain.indexSelect(0, IndexTensor(idx)))
            let target = IndexTensor(idx.map { trainLabels.data[$0] })
            let loss = lossKind == .softmax ? F.crossEntropy(scores, target: target) : squaredHinge(scores, target)
            loss.backward()
            opt.step()
        }
    }
    let predicted = inBatches(xTest, batchSize: 1000) { linear($0) }.argmax(dim: 1)
    return Double(zip(predicted.data, testLabels.data).filter { $0 == $1 }.count) / Double(testLabels.count)
}

/// One-vs-rest squared hinge: scores [N, K], classes [N] -> the mean over rows of
/// Σ_k max(0, 1 − t_k s_k)², t_k = 1 for the row's class and −1 for the others.
public func squaredHinge(_ scores: Tensor, _ target: IndexTensor) -> Tensor {
    let k = scores.shape[1]
    var signs = [Float](repeating: -1, count: scores.count)
    for (i, c) in target.data.enumerated() { signs[i * k + c] = 1 }
    let margins = F.relu(1 - Tensor(shape: scores.shape, data: signs) * scores)
    return (margins * margins).sum().scaled(by: 1 / Float(scores.shape[0]))
}
