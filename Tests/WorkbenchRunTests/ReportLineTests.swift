// The one-line verdict of `workbench verify`: the worst key's ratio to its tolerance (which the
// kernel matrix collects per fixture), and long failures cut to their first three problems.
import Testing
import WorkbenchTesting

@Suite struct ReportLineTests {
    @Test func passLineGivesTheWorstRatioToTheTolerance() throws {
        let report = FixtureVerifier.verify(path: committedFixture("ops/conv2d_k3_p1"))
        let ratio = try #require(report.worst?.worstRatio)
        #expect(report.passed && ratio > 0 && ratio <= 1, "\(report.line)")
        #expect(report.line.hasSuffix("; \(ratio) of tolerance)"), "\(report.line)")
    }

    @Test func failLineShowsThreeProblemsAndCountsTheRest() {
        var report = FixtureReport(path: "f.safetensors", id: "f")
        report.problems = (1...5).map { "problem \($0)" }
        #expect(report.line == "FAIL f  problem 1; problem 2; problem 3; and 2 more  (nothing compared)")
        report.problems = ["only"]
        #expect(report.line == "FAIL f  only  (nothing compared)")
    }
}
