// GoogLeNet's architecture against the paper's Table 1 and BENCHMARKS' googlenet_small.
import Testing
import WorkbenchTesting
import Inception

@Suite struct ArchitectureTests {
    @Test func scaledParameterCount() {
        var g = Generator(seed: 1)
        let model = GoogLeNet(.fashionMNIST, generator: &g)
        #expect(model.inferenceParameterCount == 390_930)
    }
}
