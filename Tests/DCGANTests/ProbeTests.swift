// The Section 5.1 probe's classifiers: the L2-SVM's squared hinge by hand (value and gradient),
// and both classifiers separating a linearly separable set.
import Testing
import DCGAN
import WorkbenchNN

@Suite struct ProbeTests {
    @Test func squaredHingeByHand() {
        let scores = Tensor(shape: [2, 3], data: [2, -0.5, 0.3, 0.1, 0.9, -2]).requiringGrad()
        let loss = squaredHinge(scores, IndexTensor([0, 1]))
        // Row 0 (class 0): 0² + 0.5² + 1.3² = 1.94; row 1 (class 1): 1.1² + 0.1² + 0² = 1.22; mean 1.58.
        #expect(abs(loss.item() - 1.58) < 1e-6)
        loss.backward()
        // d/ds_k = −2 t_k max(0, 1 − t_k s_k) / N
        let expected: [Float] = [0, 0.5, 1.3, 1.1, -0.1, 0]
        #expect(zip(scores.grad!.data, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(scores.grad!.data)")
    }

    @Test func bothClassifiersSeparateSeparableClasses() {
        var g = Generator(seed: 3)
        // 10 classes, each a cluster around its own one-hot direction in 20 dimensions.
        func set(_ n: Int) -> (Tensor, IndexTensor) {
            let labels = (0..<n).map { $0 % 10 }
            var data = Tensor.normal([n, 20], generator: &g).scaled(by: 0.3).data
            for (i, c) in labels.enumerated() { data[i * 20 + c] += 3 }
            return (Tensor(shape: [n, 20], data: data), IndexTensor(labels))
        }
        let (xTrain, yTrain) = set(500), (xTest, yTest) = set(200)
        for loss in [ProbeLoss.softmax, .l2SVM] {
            let acc = linearProbeAccuracy(train: xTrain, trainLabels: yTrain, test: xTest, testLabels: yTest, loss: loss, epochs: 200, seed: 1)
            #expect(acc > 0.97, "\(loss): \(acc)")
        }
    }
}
