// GoogLeNet's architecture against the paper's Table 1 and the googlenet_small of the benchmarks.
import Testing
import WorkbenchTesting
import Inception

@Suite struct ArchitectureTests {
    /// googlenet_small as the PyTorch peer defines it (no auxiliary heads): 390,930 parameters.
    @Test func scaledParameterCount() {
        var g = Generator(seed: 1)
        let model = GoogLeNet(.fashionMNIST, generator: &g)
        #expect(model.inferenceParameterCount == 390_930)
        var noAux = GoogLeNetConfig.fashionMNIST
        noAux.auxClassifiers = false
        #expect(GoogLeNet(noAux, generator: &g).parameterCount == 390_930)
        #expect(model.parameterCount == 390_930 + 80_714 + 80_842)
        #expect(GoogLeNet(.quick, generator: &g).inferenceParameterCount == 99_370)
    }

    /// Table 1 with biases: 6,998,552 parameters at inference; the two auxiliary heads add
    /// 3,188,840 (after 4a, 512 channels) and 3,190,888 (after 4d, 528 channels).
    @Test func paperParameterCount() {
        var g = Generator(seed: 1)
        let model = GoogLeNet(.paper, generator: &g)
        #expect(model.inferenceParameterCount == 6_998_552)
        #expect(model.parameterCount == 6_998_552 + 3_188_840 + 3_190_888)
        let shapes = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, $0.1.shape) })
        #expect(shapes["conv1.conv.weight"] == [64, 3, 7, 7])
        #expect(shapes["conv3.conv.weight"] == [192, 64, 3, 3])
        #expect(shapes["inception4a.branch3.1.conv.weight"] == [48, 16, 5, 5])
        #expect(shapes["inception5b.branch4.1.conv.bias"] == [128])
        #expect(shapes["aux1.fc1.weight"] == [1024, 2048])
        #expect(shapes["aux2.conv.conv.weight"] == [128, 528, 1, 1])
        #expect(shapes["fc.weight"] == [1000, 1024])
        #expect(!shapes.keys.contains { $0.contains(".bn.") })
    }

    /// Every stage's output on a 224x224x3 image against Table 1's "output size" column.
    @Test func paperOutputShapes() {
        var g = Generator(seed: 2)
        let model = GoogLeNet(.paper, generator: &g)
        model.eval()
        var seen: [(String, [Int])] = []
        let x = Tensor.normal([1, 3, 224, 224], generator: &g)
        let out = withNoGrad { model.forward(x) { seen.append(($0, $1)) } }
        let table1: [(String, [Int])] = [
            ("conv1", [64, 112, 112]), ("maxpool1", [64, 56, 56]), ("conv2", [64, 56, 56]), ("conv3", [192, 56, 56]),
            ("maxpool2", [192, 28, 28]), ("inception3a", [256, 28, 28]), ("inception3b", [480, 28, 28]),
            ("maxpool3", [480, 14, 14]), ("inception4a", [512, 14, 14]), ("inception4b", [512, 14, 14]),
            ("inception4c", [512, 14, 14]), ("inception4d", [528, 14, 14]), ("inception4e", [832, 14, 14]),
            ("maxpool4", [832, 7, 7]), ("inception5a", [832, 7, 7]), ("inception5b", [1024, 7, 7]),
            ("avgpool", [1024, 1, 1]), ("fc", [1000]),
        ]
        #expect(seen.map(\.0) == table1.map(\.0))
        for ((name, shape), (_, expected)) in zip(seen, table1) {
            #expect(shape == [1] + expected, "\(name)")
        }
        #expect(out.aux1 == nil && out.aux2 == nil)
    }

    /// The auxiliary heads run in train mode only, on the maps after 4a and 4d.
    @Test func auxiliaryHeadsOnlyInTraining() {
        var g = Generator(seed: 3)
        let model = GoogLeNet(.quick, generator: &g)
        let x = Tensor.normal([2, 1, 28, 28], generator: &g)
        let train = model(x)
        #expect(train.logits.shape == [2, 10] && train.aux1?.shape == [2, 10] && train.aux2?.shape == [2, 10])
        model.eval()
        let eval = withNoGrad { model(x) }
        #expect(eval.aux1 == nil && eval.aux2 == nil)
        // The eval loss is the main cross-entropy alone.
        let y = IndexTensor([3, 7])
        #expect(model.loss(eval, target: y).item() == F.crossEntropy(eval.logits, target: y).item())
    }

    /// One block on its own: output channels are the four branches' sum, spatial size kept.
    @Test func inceptionBlockShape() {
        var g = Generator(seed: 4)
        let widths = InceptionWidths(3, 4, 6, 2, 3, 2)
        let block = InceptionBlock(5, widths, batchNorm: true, generator: &g)
        let y = block(Tensor.normal([2, 5, 9, 7], generator: &g))
        #expect(y.shape == [2, 14, 9, 7])
        #expect(block.stateDict().map(\.0).prefix(3) == ["branch1.conv.weight", "branch1.bn.weight", "branch1.bn.bias"])
    }

    /// The config's JSON (run configs and fixture configs) reads back to the same config.
    @Test func configRoundTrip() throws {
        for c in [GoogLeNetConfig.paper, .fashionMNIST, .quick] {
            #expect(try GoogLeNetConfig(FixtureConfig(c.json)) == c)
        }
        #expect(throws: FixtureError.self) { try GoogLeNetConfig(FixtureConfig(["widht_divisor": .int(2)])) }
    }
}
