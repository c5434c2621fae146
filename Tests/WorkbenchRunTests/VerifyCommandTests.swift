// The `workbench verify` executable (built by `swift build --build-tests` next to the test bundle):
// per-fixture lines, the `N passed, N failed` summary, exit status, `--list`, usage errors.
import Foundation
import Testing
import WorkbenchTesting

/// Runs the built `workbench` with `arguments`; nil (and a recorded issue) when it is missing.
private func run(_ arguments: [String]) throws -> ProcessResult? {
    try runBuiltExecutable("workbench", arguments)
}

@Suite struct VerifyCommandTests {
    @Test func committedOpAndOptimizerFixturesPass() throws {
        let ops = repositoryRoot + "/Tests/Fixtures/ops", optim = repositoryRoot + "/Tests/Fixtures/optim"
        guard let r = try run(["verify", ops, optim]) else { return }
        let count = fixtureFiles(in: "Tests/Fixtures/ops").count + fixtureFiles(in: "Tests/Fixtures/optim").count
        let lines = r.stdout.split(separator: "\n")
        #expect(r.status == 0 && !r.crashed, "\(r.stderr)")
        #expect(lines.last == "\(count) passed, 0 failed")
        #expect(lines.dropLast().count == count && lines.dropLast().allSatisfy { $0.hasPrefix("PASS ") })
    }

    @Test func failuresAreReportedPerFileWithExitStatusOne() throws {
        let dir = TemporaryDirectory("cli")
        _ = try editedFixture("ops/relu", in: dir, as: "a_good") { _ in }
        _ = try editedFixture("ops/relu", in: dir, as: "b_flipped") { file in
            try file.modify("expect.grad.input.x") { for i in $0.indices { $0[i] = -$0[i] } }
        }
        _ = FileManager.default.createFile(atPath: dir.file("c_garbage.safetensors"), contents: Data([0x10, 0, 0, 0, 0, 0, 0, 0] + Array("{garbage".utf8)))
        _ = FileManager.default.createFile(atPath: dir.file("ignored.txt"), contents: Data("not a fixture".utf8))
        guard let r = try run(["verify", dir.path]) else { return }
        #expect(r.status == 1 && !r.crashed, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(r.stdout)")
        #expect(lines[0].hasPrefix("PASS a_good"))
        #expect(lines[1].hasPrefix("FAIL b_flipped") && lines[1].contains("expect.grad.input.x differs"))
        #expect(lines[2].hasPrefix("FAIL c_garbage.safetensors") && lines[2].contains("header"))
        #expect(lines[3] == "1 passed, 2 failed")

        // Files given one by one are verified in the order given.
        guard let single = try run(["verify", dir.file("b_flipped.safetensors"), dir.file("a_good.safetensors")]) else { return }
        #expect(single.status == 1 && single.stdout.hasPrefix("FAIL b_flipped") && single.stdout.hasSuffix("1 passed, 1 failed\n"))
    }

    @Test func listPrintsEveryOpId() throws {
        guard let r = try run(["verify", "--list"]) else { return }
        #expect(r.status == 0)
        let lines = Set(r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let ids = FixtureRegistry.opIds
        #expect(ids.count >= 27)
        for id in ids { #expect(lines.contains(id), "--list lacks \(id)") }
        for id in ["linear", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm1d",
                   "batch_norm2d", "local_response_norm", "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "log_softmax",
                   "embedding", "lstm", "lstm_cell", "gru", "cat", "dropout", "cross_entropy", "nll_loss", "bce_with_logits",
                   "mse_loss", "smooth_l1_loss", "huber_loss"] {
            #expect(ids.contains(id), "docs/FIXTURES.md requires op id \(id)")
        }
        #expect(lines.contains("models (kind: model):"))
    }

    @Test func usageErrorsExitNonZero() throws {
        guard let none = try run(["verify"]) else { return }
        #expect(none.status == 64 && none.stderr.contains("give fixture files or directories"), "\(none.status) \(none.stderr)")
        guard let missing = try run(["verify", "/nonexistent/fixtures"]) else { return }
        #expect(missing.status != 0 && !missing.crashed && missing.stderr.contains("no such file or directory: /nonexistent/fixtures"))
        let empty = TemporaryDirectory("cli-empty")
        guard let nothing = try run(["verify", empty.path]) else { return }
        #expect(nothing.status != 0 && nothing.stderr.contains("no .safetensors files"))
    }
}
