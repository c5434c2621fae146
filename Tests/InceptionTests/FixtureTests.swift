// The PyTorch reference fixtures of papers/inception/fixtures, run through the verifier that
// `workbench verify` uses.
import Testing
import WorkbenchTesting
import Inception

@Suite struct FixtureTests {
    static let files = fixtureFiles(in: "papers/inception/fixtures")

    @Test func fixturesExist() {
        #expect(Self.files.count == 6)
    }

    @Test(arguments: files) func fixturePasses(_ path: String) {
        InceptionFixtures.register()
        let report = FixtureVerifier.verify(path: path)
        #expect(report.passed, "\(report.line)")
        // Margin: the worst compared element's error as a fraction of its tolerance.
        print(report.line, "worst ratio", report.worst?.worstRatio ?? -1)
    }
}
