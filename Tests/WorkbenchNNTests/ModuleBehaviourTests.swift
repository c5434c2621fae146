// Module behaviour: train/eval reaching every child, module forward equal to the functional op,
// Dropout's seeded randomness and eval identity, BatchNorm's num_batches_tracked and fused ReLU,
// layers built from given tensors.
import Testing
import WorkbenchNN
import WorkbenchTesting

/// A user-defined container, as a paper model is written: children listed explicitly.
private final class Block: Module, Layer {
    let inner: Sequential, head: Linear
    init(generator g: inout Generator) {
        inner = Sequential(Sequential(BatchNorm1d(6), Dropout(p: 0.5, random: RandomSource(seed: 1))), ReLU())
        head = Linear(6, 2, generator: &g)
    }
    override var namedChildren: [(String, Module)] { [("inner", inner), ("head", head)] }
    func forward(_ x: Tensor) -> Tensor { head(inner(x)) }
}

/// Every module in the tree, depth first.
private func allModules(_ m: Module) -> [Module] {
    [m] + m.namedChildren.flatMap { allModules($0.1) }
}

@Suite struct ModuleBehaviourTests {
    /// A layer built from given tensors computes with those very tensors (a paper's own init; the
    /// gradients land on them) and has the usual state-dict names.
    @Test func layersHoldGivenTensors() {
        var g = Generator(seed: 3)
        let w = Tensor.normal([4, 3, 2, 2], generator: &g), b = Tensor.normal([4], generator: &g)
        let conv = Conv2d(weight: w, bias: b, stride: (2, 2))
        let reference = Conv2d(3, 4, kernelSize: 2, stride: 2, generator: &g)
        try! reference.loadStateDict(["weight": w.clone(), "bias": b.clone()])
        let x = Tensor.normal([2, 3, 6, 6], generator: &g)
        #expect(conv(x).data == reference(x).data && conv.stateDict().map(\.0) == ["weight", "bias"])
        conv(x).sum().backward()
        #expect(w.grad != nil && b.grad != nil)
        let up = ConvTranspose2d(weight: Tensor.normal([4, 3, 4, 4], generator: &g), bias: nil, stride: (2, 2), padding: (1, 1))
        #expect(up(Tensor.normal([1, 4, 5, 5], generator: &g)).shape == [1, 3, 10, 10] && up.stateDict().map(\.0) == ["weight"])
        let fc = Linear(weight: Tensor.normal([2, 3], generator: &g), bias: nil), table = Embedding(weight: Tensor.normal([5, 2], generator: &g))
        #expect(fc.weight.requiresGrad && table.weight.requiresGrad && table(IndexTensor([4, 0])).shape == [2, 2])
    }

    /// BatchNorm's fused ReLU gives relu(forward(x)) and counts the batch once.
    @Test func batchNormForwardReLUIsReLUOfForward() {
        var g = Generator(seed: 4)
        let x = Tensor.normal([3, 4, 5, 5], generator: &g)
        let fused = BatchNorm2d(4), plain = BatchNorm2d(4)
        #expect(fused.forwardReLU(x).data == F.relu(plain(x)).data)
        #expect(fused.runningMean.data == plain.runningMean.data && fused.numBatchesTracked.data == [1])
    }

    @Test func trainAndEvalReachEveryChild() {
        var g = Generator(seed: 2)
        let model = Sequential(Linear(6, 6, generator: &g), Block(generator: &g), Sequential(Sequential(Tanh())))
        let modules = allModules(model)
        #expect(modules.count == 12)
        #expect(modules.allSatisfy { $0.training }, "modules start in train mode")
        model.eval()
        #expect(modules.allSatisfy { !$0.training })
        model.train()
        #expect(modules.allSatisfy { $0.training })
        model.train(false)
        #expect(modules.allSatisfy { !$0.training })
        // Switching a subtree leaves the rest alone.
        model.layers[1].train()
        #expect(allModules(model.layers[1]).allSatisfy { $0.training } && !model.training && !model.layers[0].training)
    }

    @Test func forwardEqualsTheFunctionalOp() {
        var g = Generator(seed: 3)
        let x = Tensor.normal([3, 5, 7, 9], generator: &g)
        let conv = Conv2d(5, 4, kernelSize: (3, 2), stride: (2, 1), padding: (1, 0), dilation: (1, 2), generator: &g)
        #expect(identical(conv(x), F.conv2d(x, weight: conv.weight, bias: conv.bias, stride: (2, 1), padding: (1, 0), dilation: (1, 2))))
        let convT = ConvTranspose2d(5, 3, kernelSize: (3, 2), stride: (2, 3), padding: (1, 0), outputPadding: (1, 2), generator: &g)
        #expect(identical(convT(x), F.convTranspose2d(x, weight: convT.weight, bias: convT.bias, stride: (2, 3), padding: (1, 0),
                                                      outputPadding: (1, 2))))
        let noBias = Conv2d(5, 4, kernelSize: 3, padding: 1, bias: false, generator: &g)
        #expect(noBias.bias == nil && identical(noBias(x), F.conv2d(x, weight: noBias.weight, padding: (1, 1))))

        #expect(identical(MaxPool2d(3, stride: 2, ceilMode: true)(x), F.maxPool2d(x, kernelSize: (3, 3), stride: (2, 2), ceilMode: true)))
        #expect(identical(MaxPool2d(2)(x), F.maxPool2d(x, kernelSize: (2, 2))))
        let avg = AvgPool2d(kernelSize: (3, 2), stride: (2, 1), padding: (1, 1), countIncludePad: false)
        #expect(identical(avg(x), F.avgPool2d(x, kernelSize: (3, 2), stride: (2, 1), padding: (1, 1), countIncludePad: false)))
        #expect(identical(AdaptiveAvgPool2d((3, 4))(x), F.adaptiveAvgPool2d(x, outputSize: (3, 4))))
        #expect(identical(LocalResponseNorm(size: 3, alpha: 0.1)(x), F.localResponseNorm(x, size: 3, alpha: 0.1, beta: 0.75, k: 1)))
        #expect(identical(ReLU()(x), F.relu(x)) && identical(Tanh()(x), F.tanh(x)) && identical(Sigmoid()(x), F.sigmoid(x)))
        #expect(identical(LeakyReLU(negativeSlope: 0.2)(x), F.leakyRelu(x, negativeSlope: 0.2)))
        #expect(Flatten()(x).shape == [3, 315] && Flatten(startDim: 2)(x).shape == [3, 5, 63])

        let lin = Linear(9, 4, generator: &g)
        #expect(identical(lin(x), F.linear(x, weight: lin.weight, bias: lin.bias)))

        let emb = Embedding(11, 6, paddingIdx: 0, generator: &g)
        let ids = IndexTensor(shape: [2, 3], data: [1, 0, 10, 4, 4, 2])
        #expect(identical(emb(ids), F.embedding(ids, weight: emb.weight, paddingIdx: 0)))
    }

    @Test func recurrentForwardEqualsTheFunctionalOp() {
        var g = Generator(seed: 4)
        let x = Tensor.normal([3, 4, 5], generator: &g)
        let lstm = LSTM(5, 7, numLayers: 2, batchFirst: true, bidirectional: true, generator: &g)
        let h0 = Tensor.normal([4, 3, 7], generator: &g), c0 = Tensor.normal([4, 3, 7], generator: &g)
        let a = lstm.forward(x, h0: h0, c0: c0)
        let b = F.lstm(x, h0: h0, c0: c0, weights: lstm.layers, numLayers: 2, batchFirst: true, bidirectional: true)
        #expect(identical(a.output, b.output) && identical(a.hN, b.hN) && identical(a.cN, b.cN))
        #expect(a.output.shape == [3, 4, 14] && a.hN.shape == [4, 3, 7])

        let gru = GRU(5, 7, numLayers: 2, generator: &g)   // sequence first: x is [T=3, N=4, 5]
        let r = gru.forward(x)
        #expect(identical(r.output, F.gru(x, weights: gru.layers, numLayers: 2).output) && r.output.shape == [3, 4, 7])

        let cell = LSTMCell(5, 7, generator: &g)
        let xs = Tensor.normal([3, 5], generator: &g), hs = Tensor.normal([3, 7], generator: &g), cs = Tensor.normal([3, 7], generator: &g)
        let s = cell.forward(xs, h: hs, c: cs), t = F.lstmCell(xs, h: hs, c: cs, weights: cell.weights)
        #expect(identical(s.h, t.h) && identical(s.c, t.c))
    }

    @Test func recurrentTokenForwardUsesTheEmbeddingsTableAndPadding() {
        var g = Generator(seed: 5)
        let emb = Embedding(11, 5, paddingIdx: 0, generator: &g)
        let ids = IndexTensor(shape: [3, 4], data: [1, 0, 10, 4, 4, 2, 0, 1, 7, 7, 7, 3])   // [N, T]
        let lstm = LSTM(5, 7, numLayers: 2, batchFirst: true, generator: &g)
        let a = lstm.forward(ids, embedding: emb)
        let b = F.lstm(tokens: ids, embedding: emb.weight, paddingIdx: 0, weights: lstm.layers, numLayers: 2,
                       batchFirst: true)
        #expect(identical(a.output, b.output) && identical(a.hN, b.hN) && identical(a.cN, b.cN))
        #expect(allClose(a.output, lstm.forward(emb(ids)).output))

        let gru = GRU(5, 7, generator: &g)   // sequence first: ids are [T=3, N=4]
        let r = gru.forward(ids, embedding: emb)
        #expect(identical(r.output, F.gru(tokens: ids, embedding: emb.weight, paddingIdx: 0, weights: gru.layers,
                                          numLayers: 1).output))
        #expect(allClose(r.output, gru.forward(emb(ids)).output) && r.output.shape == [3, 4, 7])
        r.output.sum().backward()
        #expect(emb.weight.grad!.data[0..<5].allSatisfy { $0 == 0 }, "the padding row gets no gradient")
    }

    @Test func batchNormModuleEqualsTheFunctionalOp() {
        var g = Generator(seed: 5)
        let x = Tensor.normal([4, 5, 3, 2], generator: &g)
        let bn = BatchNorm2d(5, eps: 1e-3, momentum: 0.2)
        let mean = Tensor.zeros([5]), variance = Tensor.ones([5])
        let y = bn(x)
        let z = F.batchNorm(x, runningMean: mean, runningVar: variance, weight: bn.weight, bias: bn.bias, training: true,
                            momentum: 0.2, eps: 1e-3)
        #expect(identical(y, z) && identical(bn.runningMean, mean) && identical(bn.runningVar, variance))
        bn.eval()
        #expect(identical(bn(x), F.batchNorm(x, runningMean: mean, runningVar: variance, weight: bn.weight, bias: bn.bias,
                                             training: false, momentum: 0.2, eps: 1e-3)))
        let bn1 = BatchNorm1d(5)
        #expect(bn1(Tensor.normal([6, 5], generator: &g)).shape == [6, 5] && bn1(Tensor.normal([2, 5, 4], generator: &g)).shape == [2, 5, 4])
    }

    @Test func batchNormCountsBatchesOnlyInTrainMode() {
        var g = Generator(seed: 6)
        let model = Sequential(BatchNorm2d(3), Sequential(Flatten(), BatchNorm1d(12)))
        let x = Tensor.normal([5, 3, 2, 2], generator: &g)
        let counters = model.namedBuffers().filter { $0.0.hasSuffix("num_batches_tracked") }.map(\.1)
        #expect(counters.count == 2)
        _ = model(x)
        _ = model(x)
        #expect(counters.allSatisfy { $0.data == [2] })
        let runningMean = model.namedBuffers()[0].1.data
        model.eval()
        _ = model(x)
        #expect(counters.allSatisfy { $0.data == [2] }, "eval forward must not count")
        #expect(model.namedBuffers()[0].1.data == runningMean, "eval forward must not move the running statistics")
        model.train()
        _ = model(x)
        #expect(counters.allSatisfy { $0.data == [3] })
    }

    @Test func dropoutIsSeededAndIdentityInEval() {
        var g = Generator(seed: 7)
        let x = Tensor.normal([40, 50], generator: &g)
        let a = Dropout(p: 0.3, random: RandomSource(seed: 42)), b = Dropout(p: 0.3, random: RandomSource(seed: 42))
        let ya = a(x), yb = b(x)
        #expect(identical(ya, yb), "same seed, same mask")
        #expect(!identical(a(x), ya), "the stream advances: a second call draws a new mask")
        // Kept elements are scaled by 1/(1-p); about p of them are zeroed.
        let dropped = zip(ya.data, x.data).filter { $0.0 == 0 }.count
        #expect(abs(Float(dropped) / 2000 - 0.3) < 0.04, "dropped \(dropped) of 2000")
        #expect(zip(ya.data, x.data).allSatisfy { $0.0 == 0 || abs($0.0 - $0.1 / 0.7) <= 1e-6 * abs($0.1) + 1e-7 })
        a.eval()
        #expect(identical(a(x), x))
        #expect(identical(Dropout(p: 0, random: RandomSource(seed: 1))(x), x))
        // Two layers sharing a source draw from one stream: the second layer's mask differs from the first's.
        let shared = RandomSource(seed: 9)
        let first = Dropout(p: 0.5, random: shared), second = Dropout(p: 0.5, random: shared)
        #expect(!identical(first(x), second(x)))
    }

    @Test func sequentialGradientsMatchFiniteDifferences() {
        var g = Generator(seed: 8)
        let model = Sequential(Linear(4, 5, generator: &g), Tanh(), Linear(5, 3, generator: &g), Sigmoid())
        let x = Tensor.normal([3, 4], generator: &g).requiringGrad()
        let failures = gradcheck([x] + model.parameters()) { _ in weightedSum(model(x)) }
        #expect(failures.isEmpty, "\(failures)")
        #expect(identical(model(x), F.sigmoid(model.layers[2](F.tanh(model.layers[0](x))))))
    }
}
