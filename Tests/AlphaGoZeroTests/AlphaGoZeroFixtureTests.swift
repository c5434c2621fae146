// AlphaGoZero's PyTorch fixtures (papers/alphago-zero/fixtures, written by reference/make_fixtures.py)
// through the verifier that `workbench verify` uses, and the model's names against the reference's.
import Testing
import WorkbenchNN
import WorkbenchTesting
import AlphaGoZero

@Suite struct AlphaGoZeroFixtureTests {
    static let files = fixtureFiles(in: "papers/alphago-zero/fixtures")

    init() { AlphaGoZeroFixtures.register() }

    @Test func fixturesExist() {
        #expect(!Self.files.isEmpty, "no fixtures in papers/alphago-zero/fixtures: run reference/make_fixtures.py")
    }

    /// Forward, loss, every gradient and the optimizer steps match PyTorch within the fixture's tolerances.
    @Test(arguments: files) func fixturePasses(_ path: String) {
        let report = FixtureVerifier.verify(path: path)
        print(report.line)
        #expect(report.passed, "\(report.line)")
    }

    /// The Swift network's state dict has exactly the reference's names and shapes, so that
    /// checkpoints load in PyTorch and PyTorch weights load here.
    @Test(arguments: files) func stateDictMatchesReference(_ path: String) throws {
        let f = try Fixture(path: path)
        guard f.name == "alphago-zero.net" else { return }
        var g = Generator(seed: 0)
        let model = AlphaGoZeroNet(try AlphaGoZeroConfig(f.config), generator: &g)
        let own = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, $0.1.shape) })
        var reference: [String: [Int]] = [:]
        for kind in ["param.", "buffer."] {
            for name in f.names(withPrefix: kind) { reference[name] = try f.floatValues(kind + name).shape }
        }
        #expect(own == reference)
    }
}
