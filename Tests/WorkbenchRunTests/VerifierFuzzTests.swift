// Light fuzzing of the verifier in-process: random corruptions of real fixture files (bytes,
// truncation, config values, tensor shapes and dtypes, removed keys) must each give a report,
// never stop the process (a precondition failure inside an op would end the whole test run).
import Foundation
import Testing
import WorkbenchTesting

@Suite struct VerifierFuzzTests {
    static let sources = ["ops/conv2d_k3x2_s2x1_p1x0", "ops/conv_transpose2d_k3x2_s2x3_p1x0_op1x2", "ops/max_pool2d_k3_s2_ceil",
                          "ops/avg_pool2d_k3_s2_p1_nopadcount", "ops/adaptive_avg_pool2d_3x4", "ops/batch_norm1d_ncl_train",
                          "ops/local_response_norm_s5", "ops/embedding_padding_idx0", "ops/dropout_p0.3", "ops/cat_dim-1_3inputs",
                          "ops/lstm_1layer_bf_bidirectional", "ops/gru_1layer_bf_h0", "ops/lstm_cell", "ops/softmax_dim-1",
                          "ops/cross_entropy_kdim", "ops/bce_with_logits_pos_weight", "ops/smooth_l1_loss_beta0.5",
                          "optim/linear_rmsprop_momentum0.9", "optim/batch_norm2d_train_sgd_momentum0.9"]

    /// Config values that are legal JSON but wrong in many ways.
    static let values: [JSONValue] = [.int(-3), .int(-1), .int(0), .int(1), .int(2), .int(3), .int(7), .int(40), .int(Int(Int32.max)),
                                      .int(1 << 40), .int(Int.min), .bool(true), .null, .double(0.5), .double(-1e30),
                                      .string("zeros"), .array([]), .array([.int(0), .int(2)]), .array([.int(-1), .int(3)]),
                                      .object([:])]
    static let configKeys = ["kernel_size", "stride", "padding", "dilation", "output_padding", "output_size", "dim", "size",
                             "num_layers", "hidden_size", "input_size", "bias", "p", "num_features", "padding_idx",
                             "ignore_index", "beta", "pos_weight", "in_channels", "batch_first", "bidirectional", "affine"]

    @Test func randomCorruptionsNeverCrash() throws {
        let dir = TemporaryDirectory("fuzz")
        var g = Generator(seed: 2024)
        var outcomes = (passed: 0, failed: 0)
        for i in 0..<300 {
            let source = Self.sources[g.integer(below: Self.sources.count)]
            let path = dir.file("case\(i % 4).safetensors")
            let kind = g.integer(below: 6)
            if kind <= 1 {
                // Raw bytes: flips anywhere (header or data), or a truncation.
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: committedFixture(source))))
                if kind == 0 {
                    for _ in 0...g.integer(below: 4) { bytes[g.integer(below: bytes.count)] ^= UInt8(1 << g.integer(below: 8)) }
                } else {
                    bytes.removeLast(1 + g.integer(below: bytes.count - 1))
                }
                _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            } else {
                var file = try SafeTensorsFile(contentsOf: committedFixture(source))
                let names = file.names
                let key = names[g.integer(below: names.count)]
                switch kind {
                case 2:
                    var config = (JSONValue.parse(file.metadata["config"] ?? "{}")).flatMap { v -> [String: JSONValue]? in
                        if case .object(let o) = v { return o } else { return nil }
                    } ?? [:]
                    let keys = Array(config.keys) + Self.configKeys
                    config[keys[g.integer(below: keys.count)]] = Self.values[g.integer(below: Self.values.count)]
                    file.metadata["config"] = JSONValue.object(config).jsonText
                case 3:
                    let shape = (0..<g.integer(below: 5)).map { _ in [0, 1, 2, 3, 5, 7][g.integer(below: 6)] }
                    file.set(key, Tensor.normal(shape, generator: &g))
                case 4:
                    let t = file[key]!
                    let values = (0..<t.count).map { _ in g.integer(below: 12) - 2 }
                    if t.dtype.isFloatingPoint { file.set(key, IndexTensor(shape: t.shape, data: values)) }
                    else { file.set(key, Tensor(shape: t.shape, data: values.map(Float.init))) }
                default:
                    file.remove(key)
                }
                try file.write(to: path)
            }
            let report = FixtureVerifier.verify(path: path)
            #expect(report.line.hasPrefix(report.passed ? "PASS " : "FAIL "))
            if report.passed { outcomes.passed += 1 } else { outcomes.failed += 1 }
        }
        // Most corruptions must be caught; a few (a flipped bit in a value's last place) are within tolerance.
        #expect(outcomes.failed > 200, "\(outcomes)")
    }
}
