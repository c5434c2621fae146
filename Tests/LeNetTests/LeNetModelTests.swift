// LeNet-5's architecture against the paper's own numbers, Table I as a gradient mask, and a
// behaviour test (one small batch is learned).
import Testing
import WorkbenchNN
import WorkbenchTesting
import LeNet

@Suite struct LeNetModelTests {
    /// Section II.B: C1 156, C3 1,516, C5 48,120, F6 10,164 trainable parameters (the output here
    /// is linear: 84 x 10 + 10 = 850, where the paper's RBF units are fixed).
    @Test func paperParameterCounts() {
        var g = Generator(seed: 0)
        let model = LeNetModel(.paper, generator: &g)
        let counts = Dictionary(grouping: model.namedParameters(), by: { String($0.0.split(separator: ".")[0]) })
            .mapValues { $0.reduce(0) { $0 + $1.1.count } }
        #expect(counts == ["c1": 156, "c3": 2_416, "c5": 48_120, "f6": 10_164, "output": 850])
        #expect(model.effectiveParameterCount == 156 + 1_516 + 48_120 + 10_164 + 850)
    }

    /// The paper's 32x32 input and the 28x28 input with C1 padding 2 both reach C5 as 5x5 maps.
    @Test func outputShapes() {
        var g = Generator(seed: 0)
        for config in [LeNetConfig.paper, LeNetConfig.fashionMNIST] {
            #expect(config.c5Size.height == 1 && config.c5Size.width == 1)
            let model = LeNetModel(config, generator: &g)
            let x = Tensor.normal([3, 1] + config.imageSize, generator: &g)
            #expect(model(x).shape == [3, 10])
        }
    }

    /// Table I: C3's unconnected weights get exactly zero gradient, connected ones do not.
    @Test func table1MasksC3Gradients() throws {
        var g = Generator(seed: 1)
        let model = LeNetModel(.paper, generator: &g)
        let x = Tensor.normal([2, 1, 32, 32], generator: &g)
        F.crossEntropy(model(x), target: IndexTensor([3, 7])).backward()
        let grad = try #require(model.namedParameters().first { $0.0 == "c3.weight" }?.1.grad)
        for j in 0..<16 {
            for i in 0..<6 {
                let block = grad.data[((j * 6 + i) * 25)..<((j * 6 + i + 1) * 25)]
                let connected = leNetTable1[j].contains(i)
                #expect(block.contains { $0 != 0 } == connected, "C3 map \(j) from S2 map \(i)")
            }
        }
    }

    /// Twenty SGD steps on one batch of 16 random images with random labels bring the loss near 0.
    @Test func learnsOneBatch() {
        var g = Generator(seed: 2)
        let model = LeNetModel(.fashionMNIST, generator: &g)
        let x = Tensor.normal([16, 1, 28, 28], generator: &g)
        let y = IndexTensor((0..<16).map { _ in g.integer(below: 10) })
        let optimizer = SGD(model.parameters(), lr: 0.05, momentum: 0.9)
        var first: Float = 0, last: Float = 0
        for step in 0..<60 {
            optimizer.zeroGrad()
            let loss = F.crossEntropy(model(x), target: y)
            if step == 0 { first = loss.item() }
            last = loss.item()
            loss.backward()
            optimizer.step()
        }
        #expect(first > 2 && last < 0.05, "loss \(first) -> \(last)")
    }

    /// With the paper's 20 passes and base rate 0.0005 the schedule is Section V's exactly.
    @Test func paperLearningRateSchedule() throws {
        var recipe = try LeNetRecipe.preset("fashion")
        recipe.learningRate = 0.0005
        let rates = (0..<20).map { recipe.learningRate(epoch: $0, of: 20) }
        let paper: [Float] = Array(repeating: 0.0005, count: 2) + Array(repeating: 0.0002, count: 3)
            + Array(repeating: 0.0001, count: 3) + Array(repeating: 0.00005, count: 4) + Array(repeating: 0.00001, count: 8)
        #expect(zip(rates, paper).allSatisfy { abs($0 - $1) <= 1e-9 }, "\(rates)")
    }
}
