// Every op fixture written by Tests/Fixtures/make_op_fixtures.py: outputs, loss, every gradient,
// buffers, and (in optim/) five optimizer steps, all against PyTorch.
import Testing
import WorkbenchTesting

@Suite struct OpFixtureTests {
    static let ops = fixtureFiles(in: "Tests/Fixtures/ops")
    static let optim = fixtureFiles(in: "Tests/Fixtures/optim")

    @Test func fixturesArePresent() {
        #expect(Self.ops.count >= 70, "expected the committed op fixtures under Tests/Fixtures/ops")
        #expect(Self.optim.count >= 10)
    }

    @Test(arguments: ops)
    func opFixture(_ path: String) {
        let report = FixtureVerifier.verify(path: path)
        #expect(report.passed, "\(report.line)")
        #expect(report.compared >= 2)
    }

    @Test(arguments: optim)
    func optimizerFixture(_ path: String) {
        let report = FixtureVerifier.verify(path: path)
        #expect(report.passed, "\(report.line)")
    }

    @Test func everyOpIdHasAFixture() {
        let covered = Set(Self.ops.compactMap { try? Fixture(path: $0).name })
        let missing = Set(FixtureRegistry.opIds).subtracting(covered)
        #expect(missing.isEmpty, "op ids without a fixture: \(missing.sorted())")
    }
}
