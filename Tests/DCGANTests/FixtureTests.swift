// DCGAN's PyTorch fixtures through the generic verifier (the handlers bind the training's modules).
import Testing
import WorkbenchNN
import WorkbenchTesting
import DCGAN

@Suite struct DCGANFixtureTests {
    init() { DCGAN.registerFixtures() }

    @Test func everyFixturePasses() {
        let files = fixtureFiles(in: "papers/dcgan/fixtures")
        #expect(files.count == 5)
        for file in files {
            let report = FixtureVerifier.verify(path: file)
            print(report.line)
            #expect(report.passed, "\(report.line)")
        }
    }
}
