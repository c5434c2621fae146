// NaN and ±Inf in fixtures: an expected tensor may hold them only when the `nonfinite` metadata
// lists its key, and then NaN matches only NaN and an infinity only the same-signed infinity.
import Foundation
import Testing
import WorkbenchTesting

@Suite struct NonFiniteTests {
    /// The fixture with every float tensor (parameters, inputs, upstream, expectations) all NaN:
    /// the computed values are NaN too, so without the declaration rule NaN would match NaN.
    func allNaN(_ name: String, in dir: TemporaryDirectory, declaring declared: [String]?) throws -> String {
        try editedFixture(name, in: dir, as: "nan-\(declared == nil ? "undeclared" : "declared")") { file in
            for key in file.names where file[key]!.dtype.isFloatingPoint {
                try file.modify(key) { $0 = [Float](repeating: .nan, count: $0.count) }
            }
            file.metadata["nonfinite"] = declared.map { JSONValue.array($0.map(JSONValue.string)).jsonText }
        }
    }

    @Test func fixtureOfNaNsFailsNamingEveryUndeclaredKey() throws {
        let dir = TemporaryDirectory("nonfinite")
        let expected = ["expect.grad.input.x", "expect.grad.param.bias", "expect.grad.param.weight", "expect.loss", "expect.output.y"]
        let path = try allNaN("ops/conv2d_k3_p1", in: dir, declaring: nil)
        expectFailure(path, mentioning: expected.map { "\($0): expected element 0 is nan, but the nonfinite metadata does not list \($0)" })
        // Declaring all but one still fails, on that one only.
        let partly = try allNaN("ops/conv2d_k3_p1", in: dir, declaring: expected.filter { $0 != "expect.loss" })
        let report = FixtureVerifier.verify(path: partly)
        #expect(report.problems.count == 1 && report.problems[0].hasPrefix("expect.loss: expected element 0 is nan"), "\(report.line)")
        // Declared everywhere, NaN matches NaN.
        let declared = try allNaN("ops/conv2d_k3_p1", in: dir, declaring: expected)
        #expect(FixtureVerifier.verify(path: declared).passed)
    }

    /// relu with input.x[0] = +Inf: y[0] is +Inf and the loss sum(y * upstream) an infinity of
    /// upstream[0]'s sign; the input gradient stays finite (upstream[0] passes through).
    func infiniteRelu(in dir: TemporaryDirectory, as name: String, y0: Float, nonfinite: String?) throws -> String {
        try editedFixture("ops/relu", in: dir, as: name) { file in
            let up0 = try file.tensor("upstream.y").data[0]
            try file.modify("input.x") { $0[0] = .infinity }
            try file.modify("expect.output.y") { $0[0] = y0 }
            try file.modify("expect.loss") { $0[0] = up0 > 0 ? .infinity : -.infinity }
            try file.modify("expect.grad.input.x") { $0[0] = up0 }
            file.metadata["nonfinite"] = nonfinite
        }
    }

    @Test func declaredInfinityMatchesOnlyTheSameSignedInfinity() throws {
        let dir = TemporaryDirectory("nonfinite")
        let both = #"["expect.output.y", "expect.loss"]"#
        let good = try infiniteRelu(in: dir, as: "good", y0: .infinity, nonfinite: both)
        #expect(FixtureVerifier.verify(path: good).passed, "\(FixtureVerifier.verify(path: good).line)")
        let negative = try infiniteRelu(in: dir, as: "negative", y0: -.infinity, nonfinite: both)
        expectFailure(negative, mentioning: ["expect.output.y differs", "element 0: inf vs -inf"])
        let nan = try infiniteRelu(in: dir, as: "nan", y0: .nan, nonfinite: both)
        expectFailure(nan, mentioning: ["expect.output.y differs", "element 0: inf vs nan"])
        let undeclared = try infiniteRelu(in: dir, as: "undeclared", y0: .infinity, nonfinite: #"["expect.output.y"]"#)
        expectFailure(undeclared, mentioning: ["expect.loss: expected element 0 is", "does not list expect.loss"])
    }

    @Test func computedNonFiniteValueFailsAgainstAFiniteExpectation() throws {
        let dir = TemporaryDirectory("nonfinite")
        let nan = try editedFixture("ops/tanh", in: dir, as: "nan") { file in try file.modify("input.x") { $0[3] = .nan } }
        expectFailure(nan, mentioning: ["expect.output.y differs", "element 3: nan vs"])
        let inf = try editedFixture("ops/relu", in: dir, as: "inf") { file in
            try file.modify("input.x") { $0[2] = .infinity }
            file.metadata["nonfinite"] = #"["expect.output.y"]"#   // allowed, but the file's y[2] is finite
        }
        expectFailure(inf, mentioning: ["expect.output.y differs", "element 2: inf vs"])
    }

    @Test func badNonfiniteMetadataIsReported() throws {
        let dir = TemporaryDirectory("nonfinite")
        let cases: [(String, String)] = [
            (#""expect.output.y""#, "metadata nonfinite is not a JSON list of expected keys"),
            (#"["expect.output.z"]"#, #"nonfinite lists "expect.output.z", which is no expect.* tensor of the file"#),
            (#"["input.x"]"#, #"nonfinite lists "input.x""#),
            (#"[1]"#, "nonfinite lists 1"),
        ]
        for (i, (value, message)) in cases.enumerated() {
            let path = try editedFixture("ops/relu", in: dir, as: "meta\(i)") { $0.metadata["nonfinite"] = value }
            expectFailure(path, mentioning: [message])
        }
    }
}
