// FixtureVerifier on good fixtures, on fixtures whose expectations were perturbed (each must fail
// with a message naming the key), on corrupt files (reported, never a crash), and model fixtures.
import Foundation
import Testing
import WorkbenchTesting

@Suite struct VerifierTests {
    @Test(arguments: ["ops/conv2d_k3_p1", "ops/batch_norm2d_train", "ops/lstm_2layer_bf_h0c0", "ops/cross_entropy_ignore2",
                      "ops/embedding_padding_idx0", "optim/linear_adam", "optim/batch_norm2d_train_sgd_momentum0.9"])
    func committedFixturePassesAndItsCopyToo(_ name: String) throws {
        let report = FixtureVerifier.verify(path: committedFixture(name))
        #expect(report.passed, "\(report.line)")
        #expect(report.line.hasPrefix("PASS \(name.split(separator: "/").last!)  ("))
        // Re-serialised by Swift (other key order, other header padding) it still passes.
        let dir = TemporaryDirectory("verify")
        #expect(FixtureVerifier.verify(path: try editedFixture(name, in: dir) { _ in }).passed)
    }

    @Test func valueBeyondItsToleranceFails() throws {
        let dir = TemporaryDirectory("verify")
        let f = try Fixture(path: committedFixture("ops/conv2d_k3_p1"))
        // Just inside the tolerance passes (the verifier uses the file's atol/rtol, not exact equality) ...
        let inside = try editedFixture("ops/conv2d_k3_p1", in: dir, as: "inside") { file in
            try file.modify("expect.output.y") { $0[7] += 0.5 * (f.atol + f.rtol * abs($0[7])) }
        }
        #expect(FixtureVerifier.verify(path: inside).passed)
        // ... twice the tolerance fails and names the key and the element.
        let outside = try editedFixture("ops/conv2d_k3_p1", in: dir, as: "outside") { file in
            try file.modify("expect.output.y") { $0[7] += 2 * (f.atol + f.rtol * abs($0[7])) }
        }
        expectFailure(outside, mentioning: ["expect.output.y differs", "element 7"])
        let loss = try editedFixture("ops/cross_entropy", in: dir) { file in try file.modify("expect.loss") { $0[0] *= 1.01 } }
        expectFailure(loss, mentioning: ["expect.loss differs"])
    }

    @Test func flippedGradientSignFails() throws {
        let dir = TemporaryDirectory("verify")
        let weight = try editedFixture("ops/linear_2d", in: dir, as: "weight") { file in
            try file.modify("expect.grad.param.weight") { for i in $0.indices { $0[i] = -$0[i] } }
        }
        expectFailure(weight, mentioning: ["expect.grad.param.weight differs"])
        let input = try editedFixture("ops/lstm_cell", in: dir, as: "input") { file in
            try file.modify("expect.grad.input.h0") { $0[4] = -$0[4] }
        }
        expectFailure(input, mentioning: ["expect.grad.input.h0 differs", "element 4"])
    }

    @Test func droppedExpectedKeyFails() throws {
        let dir = TemporaryDirectory("verify")
        for key in ["expect.grad.input.x", "expect.output.y", "expect.grad.param.bias"] {
            let path = try editedFixture("ops/conv2d_k3_p1", in: dir, as: key) { $0.remove(key) }
            expectFailure(path, mentioning: ["missing expected key \(key)"])
        }
        let lossOp = try editedFixture("ops/cross_entropy", in: dir, as: "loss") { $0.remove("expect.loss") }
        expectFailure(lossOp, mentioning: ["missing expected key expect.loss"])
        let step = try editedFixture("optim/linear_adam", in: dir, as: "step") { $0.remove("expect.step3.loss") }
        expectFailure(step, mentioning: ["missing expected key expect.step3.loss"])
        let final = try editedFixture("optim/linear_adam", in: dir, as: "final") { $0.remove("expect.final.param.weight") }
        expectFailure(final, mentioning: ["missing expected key expect.final.param.weight"])
        let lstm = try editedFixture("ops/lstm_2layer_bf_h0c0", in: dir, as: "cn") { $0.remove("expect.output.c_n") }
        expectFailure(lstm, mentioning: ["missing expected key expect.output.c_n"])
        let param = try editedFixture("ops/conv2d_k3_p1", in: dir, as: "param") { $0.remove("param.bias") }
        expectFailure(param, mentioning: ["param.bias"])
    }

    @Test func unknownKeyFails() throws {
        let dir = TemporaryDirectory("verify")
        let extra = Tensor.ones([2])
        let cases: [(String, String)] = [
            ("bogus.thing", "unknown key bogus.thing"),
            ("input.noise", "unknown or unused key input.noise"),
            ("param.extra", "unknown or unused key param.extra"),
            ("expect.output.z", "expect.output.z names no output"),
            ("expect.grad.param.ghost", "unknown or unused key expect.grad.param.ghost"),
            ("upstream.z", "upstream.z names no output"),
        ]
        for (key, message) in cases {
            let path = try editedFixture("ops/relu", in: dir, as: key) { $0.set(key, extra) }
            expectFailure(path, mentioning: [message])
        }
        let beyond = try editedFixture("optim/linear_sgd", in: dir, as: "beyond") { $0.set("expect.step6.loss", Tensor(1)) }
        expectFailure(beyond, mentioning: ["expect.step6.loss lies beyond the 5 optimizer steps"])
        let stepsWithout = try editedFixture("ops/relu", in: dir, as: "nooptim") { $0.set("expect.step1.loss", Tensor(1)) }
        expectFailure(stepsWithout, mentioning: ["expect.step1.loss"])
    }

    @Test func changedShapeFails() throws {
        let dir = TemporaryDirectory("verify")
        let output = try editedFixture("ops/conv2d_k3_p1", in: dir, as: "output") { file in
            let t = try file.tensor("expect.output.y")
            file.set("expect.output.y", Tensor(shape: [t.shape[0], t.count / t.shape[0]], data: t.data))
        }
        expectFailure(output, mentioning: ["expect.output.y: shape [3, 4, 7, 9], expected [3, 252]"])
        let grad = try editedFixture("ops/linear_2d", in: dir, as: "grad") { file in
            try file.modify("expect.grad.param.weight", shape: [6, 5]) { _ in }
        }
        expectFailure(grad, mentioning: ["expect.grad.param.weight: shape [5, 6], expected [6, 5]"])
        let weight = try editedFixture("ops/conv2d_k3_p1", in: dir, as: "weight") { file in
            try file.modify("param.weight", shape: [4, 5, 9]) { _ in }
        }
        expectFailure(weight, mentioning: ["param.weight has shape [4, 5, 9]"])
        let input = try editedFixture("ops/lstm_2layer_bf_h0c0", in: dir, as: "h0") { file in
            try file.modify("input.h0", shape: [3, 2, 7]) { _ in }
        }
        expectFailure(input, mentioning: ["input.h0 has shape [3, 2, 7]"])
        let upstream = try editedFixture("ops/tanh", in: dir, as: "upstream") { file in
            try file.modify("upstream.y", shape: [5, 3, 4]) { _ in }
        }
        expectFailure(upstream, mentioning: ["upstream.y has shape [5, 3, 4]"])
    }

    @Test func integerBuffersAndDtypesAreChecked() throws {
        let dir = TemporaryDirectory("verify")
        let counter = try editedFixture("ops/batch_norm2d_train", in: dir, as: "counter") { file in
            file.set("expect.buffer.num_batches_tracked", IndexTensor(shape: [], data: [2]))
        }
        expectFailure(counter, mentioning: ["expect.buffer.num_batches_tracked differs"])
        let intParam = try editedFixture("ops/linear_2d", in: dir, as: "intparam") { file in
            let t = try file.tensor("param.bias")
            file.set("param.bias", IndexTensor(shape: t.shape, data: t.data.map { Int($0.rounded()) }))
        }
        expectFailure(intParam, mentioning: ["param.bias must be a float tensor"])
        let floatTarget = try editedFixture("ops/cross_entropy", in: dir, as: "floattarget") { file in
            let t = try file.indexTensor("input.target")
            file.set("input.target", Tensor(shape: t.shape, data: t.data.map(Float.init)))
        }
        expectFailure(floatTarget, mentioning: ["input.target must hold integer class ids"])
        let floatIndices = try editedFixture("ops/embedding", in: dir, as: "floatindices") { file in
            let t = try file.indexTensor("input.indices")
            file.set("input.indices", Tensor(shape: t.shape, data: t.data.map(Float.init)))
        }
        expectFailure(floatIndices, mentioning: ["input.indices must be an integer tensor"])
        let outOfRange = try editedFixture("ops/embedding", in: dir, as: "range") { file in
            var t = try file.indexTensor("input.indices")
            t.data[2] = 11
            file.set("input.indices", t)
        }
        expectFailure(outOfRange, mentioning: ["input.indices is outside 0..<11"])
    }

    @Test func badMetadataIsReported() throws {
        let dir = TemporaryDirectory("verify")
        let cases: [(String, String?, String)] = [
            ("format", "workbench-fixture/2", "format is workbench-fixture/2"),
            ("kind", "layer", "kind is layer"),
            ("name", "conv3d", "unknown op id 'conv3d'"),
            ("name", nil, "metadata lacks name"),
            ("atol", "abc", "metadata atol is not a non-negative number"),
            ("rtol", "-1", "metadata rtol is not a non-negative number"),
            ("mode", "test", "mode is test"),
            ("config", "[1, 2]", "config is not a JSON object"),
            ("config", #"{"in_channels":5,"out_channels":4,"kernel_size":3,"padding":1,"groups":2}"#, "groups other than 1"),
            ("config", #"{"in_channels":5,"out_channels":4,"kernel_size":3,"padding":1,"paddin":1}"#, "unsupported arguments: paddin"),
            ("loss", "hinge", "unknown loss 'hinge'"),
            ("optimizer", #"{"type":"lbfgs","steps":2}"#, "optimizer.type 'lbfgs'"),
        ]
        for (i, (key, value, message)) in cases.enumerated() {
            let path = try editedFixture("ops/conv2d_k3_p1", in: dir, as: "meta\(i)") { $0.metadata[key] = value }
            expectFailure(path, mentioning: [message])
        }
    }

    @Test func corruptFilesAreReportedNotFatal() throws {
        let dir = TemporaryDirectory("verify")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: committedFixture("ops/conv2d_k3_p1"))))
        func write(_ name: String, _ content: [UInt8]) -> String {
            let path = dir.file(name)
            _ = FileManager.default.createFile(atPath: path, contents: Data(content))
            return path
        }
        let headerEnd = 8 + Int(bytes[0]) + Int(bytes[1]) << 8
        var garbageHeader = bytes
        for i in 8..<40 { garbageHeader[i] = UInt8(truncatingIfNeeded: i * 37) }
        var hugeSize = bytes
        hugeSize[7] = 0x7f
        let cases: [(String, [UInt8], String)] = [
            ("truncated.safetensors", Array(bytes.prefix(bytes.count / 2)), "truncated"),
            ("header-only.safetensors", Array(bytes.prefix(headerEnd)), "beyond"),
            ("garbage-header.safetensors", garbageHeader, "header"),
            ("huge-size.safetensors", hugeSize, "header size"),
            ("empty.safetensors", [], "shorter than the 8-byte header size field"),
            ("text.safetensors", Array("not a safetensors file at all".utf8), "header"),
        ]
        for (name, content, message) in cases {
            let report = FixtureVerifier.verify(path: write(name, content))
            #expect(!report.passed && report.line.hasPrefix("FAIL \(name)"), "\(report.line)")
            #expect(report.problems.joined().contains(message), "\(name): \(report.line)")
        }
        let missing = FixtureVerifier.verify(path: dir.file("absent.safetensors"))
        #expect(!missing.passed && missing.line.contains("absent.safetensors"))
        let directory = FixtureVerifier.verify(path: dir.path)
        #expect(!directory.passed && directory.line.contains("not a regular file"), "\(directory.line)")
    }

    @Test func reportLineNamesTheWorstKey() throws {
        let report = FixtureVerifier.verify(path: committedFixture("ops/conv2d_k3_p1"))
        #expect(report.compared == 5, "\(report.line)")   // loss, output, grads of weight, bias and x
        #expect(report.line.contains("worst expect."))
    }
}
