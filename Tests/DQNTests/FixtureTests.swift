// The committed PyTorch fixtures (papers/dqn/fixtures) through the generic verifier.
import Testing
import DQN
import WorkbenchTesting

@Suite struct DQNFixtureTests {
    @Test func everyFixturePasses() {
        DQNFixtures.register()
        let files = fixtureFiles(in: "papers/dqn/fixtures")
        #expect(files.count == 6)
        for file in files {
            let report = FixtureVerifier.verify(path: file)
            #expect(report.passed, "\(report.line)")
            print(report.line)
        }
    }

    /// The Nature network at full size: 1,686,180 parameters for 4 actions (Mnih et al. 2015, Methods; papers/dqn card), [N, 4] out.
    @Test func natureNetworkSize() {
        var g = Generator(seed: 0)
        let net = QNetwork(.nature(actions: 4), generator: &g)
        #expect(net.parameterCount == 1_686_180)
        let y = withNoGrad { net(Tensor.zeros([1, 4, 84, 84])) }
        #expect(y.shape == [1, 4])
    }

    /// MinAtar's network: 132,566 parameters for 4 channels and 6 actions.
    @Test func minAtarNetworkSize() {
        var g = Generator(seed: 0)
        #expect(QNetwork(.minAtar(channels: 4), generator: &g).parameterCount == 132_566)
    }
}
