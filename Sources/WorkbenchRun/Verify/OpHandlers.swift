// Fixture handlers for every op of the core: each maps PyTorch constructor arguments (`config`)
// and the fixture's tensors onto the functional op, checking shapes first so that a malformed
// fixture is reported rather than stopping the process.
import WorkbenchNN

enum OpHandlers {
    static let all: [String: FixtureHandler] = {
        var table: [String: FixtureHandler] = [
            "linear": linear, "conv2d": conv2d, "conv_transpose2d": convTranspose2d,
            "max_pool2d": maxPool2d, "avg_pool2d": avgPool2d, "adaptive_avg_pool2d": adaptiveAvgPool2d,
            "batch_norm1d": { try batchNorm($0, spatialRanks: [2, 3]) },
            "batch_norm2d": { try batchNorm($0, spatialRanks: [4]) },
            "local_response_norm": localResponseNorm,
            "relu": { try pointwise($0, []) { F.relu($0) } },
            "leaky_relu": { c in
                let slope = try c.config.float("negative_slope", default: 0.01)
                return try pointwise(c, ["negative_slope"]) { F.leakyRelu($0, negativeSlope: slope) }
            },
            "tanh": { try pointwise($0, []) { F.tanh($0) } },
            "sigmoid": { try pointwise($0, []) { F.sigmoid($0) } },
            "softmax": { try softmax($0, log: false) },
            "log_softmax": { try softmax($0, log: true) },
            "embedding": embedding, "dropout": dropout, "cat": cat,
            "lstm": { try recurrent($0, gates: 4) }, "gru": { try recurrent($0, gates: 3) },
            "lstm_cell": lstmCell, "gru_cell": gruCell,
        ]
        for (name, loss) in LossHandlers.all {
            table[name] = { c in
                try c.config.expectOnly(LossHandlers.arguments[name]!)
                let x = try c.input("x")
                return ["loss": try loss(x, try c.target(), c.config)]
            }
        }
        return table
    }()

    /// The most elements a handler lets an op allocate for one tensor. Fixtures hold small
    /// examples; a config asking for more (a huge padding or output size) is reported instead of
    /// aborting the process when the allocation fails.
    static let maxElements = 1 << 26

    /// Fails unless a tensor of shape `dims` stays within `maxElements` (checked without overflow).
    static func requireSize(_ dims: [Int], _ what: String) throws {
        var total = 1
        for d in dims {
            let (product, overflow) = total.multipliedReportingOverflow(by: Swift.max(d, 0))
            try require(!overflow && product <= maxElements, "\(what) would have shape \(dims), more than \(maxElements) elements")
            total = product
        }
    }

    /// Input `x` of the given rank, or a fixture error naming the op.
    static func input(_ c: FixtureCall, rank: Int, channels: Int? = nil, op: String) throws -> Tensor {
        let x = try c.input("x")
        try require(x.rank == rank, "\(op): input.x has shape \(x.shape), expected rank \(rank)")
        if let channels { try require(x.shape[1] == channels, "\(op): input.x has shape \(x.shape), expected \(channels) channels") }
        return x
    }

    static func linear(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["in_features", "out_features", "bias"])
        let inF = try c.config.int("in_features"), outF = try c.config.int("out_features")
        let w = try c.param("weight")
        try require(w.shape == [outF, inF], "linear: param.weight has shape \(w.shape), expected [\(outF), \(inF)]")
        let b = try c.config.bool("bias", default: true) ? try c.param("bias") : nil
        if let b { try require(b.shape == [outF], "linear: param.bias has shape \(b.shape), expected [\(outF)]") }
        let x = try c.input("x")
        try require(x.rank >= 1 && x.shape.last == inF, "linear: input.x has shape \(x.shape), last dim must be \(inF)")
        return ["y": F.linear(x, weight: w, bias: b)]
    }

    /// Shared checks of Conv2d / ConvTranspose2d arguments.
    static func convArguments(_ c: FixtureCall, transposed: Bool) throws
        -> (x: Tensor, w: Tensor, b: Tensor?, k: (Int, Int), s: (Int, Int), p: (Int, Int), d: (Int, Int)) {
        var known: Set<String> = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode"]
        if transposed { known.insert("output_padding") }
        try c.config.expectOnly(known)
        try require(try c.config.int("groups", default: 1) == 1, "groups other than 1 are not supported")
        try require(try c.config.string("padding_mode", default: "zeros") == "zeros", "only padding_mode 'zeros' is supported")
        let inC = try c.config.int("in_channels"), outC = try c.config.int("out_channels")
        let k = try c.config.pair("kernel_size"), s = try c.config.pair("stride", default: (1, 1))
        let p = try c.config.pair("padding", default: (0, 0)), d = try c.config.pair("dilation", default: (1, 1))
        try require(k.0 > 0 && k.1 > 0 && s.0 > 0 && s.1 > 0 && d.0 > 0 && d.1 > 0 && p.0 >= 0 && p.1 >= 0,
                    "kernel_size, stride and dilation must be positive and padding non-negative")
        let w = try c.param("weight")
        let wShape = transposed ? [inC, outC, k.0, k.1] : [outC, inC, k.0, k.1]
        try require(w.shape == wShape, "param.weight has shape \(w.shape), expected \(wShape)")
        let b = try c.config.bool("bias", default: true) ? try c.param("bias") : nil
        if let b { try require(b.shape == [outC], "param.bias has shape \(b.shape), expected [\(outC)]") }
        let x = try input(c, rank: 4, channels: inC, op: transposed ? "conv_transpose2d" : "conv2d")
        return (x, w, b, k, s, p, d)
    }

    static func conv2d(_ c: FixtureCall) throws -> [String: Tensor] {
        let a = try convArguments(c, transposed: false)
        let effH = a.d.0 * (a.k.0 - 1) + 1, effW = a.d.1 * (a.k.1 - 1) + 1
        try require(a.x.shape[2] + 2 * a.p.0 >= effH && a.x.shape[3] + 2 * a.p.1 >= effW,
                    "conv2d: input.x \(a.x.shape) is smaller than the dilated kernel")
        let ho = (a.x.shape[2] + 2 * a.p.0 - effH) / a.s.0 + 1, wo = (a.x.shape[3] + 2 * a.p.1 - effW) / a.s.1 + 1
        try requireSize([a.x.shape[0], a.w.shape[0], ho, wo], "conv2d: the output")
        try requireSize([a.x.shape[1] * a.k.0 * a.k.1, ho, wo], "conv2d: the unfolded input of one image")
        return ["y": F.conv2d(a.x, weight: a.w, bias: a.b, stride: a.s, padding: a.p, dilation: a.d)]
    }

    static func convTranspose2d(_ c: FixtureCall) throws -> [String: Tensor] {
        let a = try convArguments(c, transposed: true)
        let op = try c.config.pair("output_padding", default: (0, 0))
        try require(op.0 >= 0 && op.1 >= 0 && (op.0 < a.s.0 || op.0 < a.d.0) && (op.1 < a.s.1 || op.1 < a.d.1),
                    "conv_transpose2d: output_padding must be smaller than stride or dilation")
        let h = (a.x.shape[2] - 1) * a.s.0 - 2 * a.p.0 + a.d.0 * (a.k.0 - 1) + op.0 + 1
        let w = (a.x.shape[3] - 1) * a.s.1 - 2 * a.p.1 + a.d.1 * (a.k.1 - 1) + op.1 + 1
        try require(h > 0 && w > 0, "conv_transpose2d: output size would be \(h)x\(w)")
        try requireSize([a.x.shape[0], a.w.shape[1], h, w], "conv_transpose2d: the output")
        return ["y": F.convTranspose2d(a.x, weight: a.w, bias: a.b, stride: a.s, padding: a.p, outputPadding: op, dilation: a.d)]
    }

    /// Kernel, stride (defaulting to the kernel) and padding of a pool, validated like PyTorch.
    static func poolArguments(_ c: FixtureCall, _ x: Tensor) throws -> (k: (Int, Int), s: (Int, Int), p: (Int, Int)) {
        let k = try c.config.pair("kernel_size")
        let s = try c.config.optionalPair("stride") ?? k
        let p = try c.config.pair("padding", default: (0, 0))
        try require(k.0 > 0 && k.1 > 0 && s.0 > 0 && s.1 > 0, "kernel_size and stride must be positive")
        try require(p.0 >= 0 && p.1 >= 0 && p.0 <= k.0 / 2 && p.1 <= k.1 / 2, "padding must be at most half the kernel size")
        try require(x.shape[2] + 2 * p.0 >= k.0 && x.shape[3] + 2 * p.1 >= k.1, "input.x \(x.shape) is smaller than the kernel")
        return (k, s, p)
    }

    static func maxPool2d(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"])
        try require(!(try c.config.bool("return_indices", default: false)), "max_pool2d: return_indices is not supported")
        let x = try input(c, rank: 4, op: "max_pool2d")
        let (k, s, p) = try poolArguments(c, x)
        let d = try c.config.pair("dilation", default: (1, 1))
        try require(d.0 > 0 && d.1 > 0, "max_pool2d: dilation must be positive")
        try require(x.shape[2] + 2 * p.0 >= d.0 * (k.0 - 1) + 1 && x.shape[3] + 2 * p.1 >= d.1 * (k.1 - 1) + 1,
                    "max_pool2d: input.x \(x.shape) is smaller than the dilated kernel")
        return ["y": F.maxPool2d(x, kernelSize: k, stride: s, padding: p, dilation: d, ceilMode: try c.config.bool("ceil_mode", default: false))]
    }

    static func avgPool2d(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"])
        let x = try input(c, rank: 4, op: "avg_pool2d")
        let (k, s, p) = try poolArguments(c, x)
        let divisor = try c.config.optionalInt("divisor_override")
        if let divisor { try require(divisor > 0, "divisor_override must be positive") }
        return ["y": F.avgPool2d(x, kernelSize: k, stride: s, padding: p, ceilMode: try c.config.bool("ceil_mode", default: false),
                                 countIncludePad: try c.config.bool("count_include_pad", default: true), divisorOverride: divisor)]
    }

    static func adaptiveAvgPool2d(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["output_size"])
        let x = try input(c, rank: 4, op: "adaptive_avg_pool2d")
        let size = try c.config.pair("output_size")
        try require(size.0 > 0 && size.1 > 0, "output_size must be positive")
        try requireSize([x.shape[0], x.shape[1], size.0, size.1], "adaptive_avg_pool2d: the output")
        return ["y": F.adaptiveAvgPool2d(x, outputSize: size)]
    }

    static func batchNorm(_ c: FixtureCall, spatialRanks: Set<Int>) throws -> [String: Tensor] {
        try c.config.expectOnly(["num_features", "eps", "momentum", "affine", "track_running_stats"])
        let n = try c.config.int("num_features")
        let x = try c.input("x")
        try require(spatialRanks.contains(x.rank) && x.shape[1] == n, "batch_norm: input.x has shape \(x.shape) for \(n) features")
        try require(!c.config.values.keys.contains("momentum") || c.config.has("momentum"),
                    "batch_norm: momentum None (cumulative average) is not supported")
        let momentum = try c.config.float("momentum", default: 0.1), eps = try c.config.float("eps", default: 1e-5)
        let affine = try c.config.bool("affine", default: true)
        let track = try c.config.bool("track_running_stats", default: true)
        let w = affine ? try c.param("weight") : nil, b = affine ? try c.param("bias") : nil
        let mean = track ? try c.buffer("running_mean") : nil, variance = track ? try c.buffer("running_var") : nil
        for t in [w, b, mean, variance].compactMap({ $0 }) {
            try require(t.shape == [n], "batch_norm: a parameter or buffer has shape \(t.shape), expected [\(n)]")
        }
        let useBatchStats = c.training || !track
        if useBatchStats {
            try require(x.count / n > 1, "batch_norm: training needs more than one value per channel, got input \(x.shape)")
        }
        let y = F.batchNorm(x, runningMean: mean, runningVar: variance, weight: w, bias: b, training: useBatchStats,
                            momentum: momentum, eps: eps)
        if let count = track ? c.optionalBuffer("num_batches_tracked") : nil, c.training {
            try require(count.count == 1, "batch_norm: buffer.num_batches_tracked has shape \(count.shape), expected []")
            count.data[0] += 1
        }
        return ["y": y]
    }

    static func localResponseNorm(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["size", "alpha", "beta", "k"])
        let x = try c.input("x")
        try require(x.rank >= 3, "local_response_norm: input.x needs rank >= 3, got \(x.shape)")
        let size = try c.config.int("size")
        try require(size > 0, "local_response_norm: size must be positive")
        return ["y": F.localResponseNorm(x, size: size, alpha: try c.config.float("alpha", default: 1e-4),
                                         beta: try c.config.float("beta", default: 0.75), k: try c.config.float("k", default: 1))]
    }

    static func pointwise(_ c: FixtureCall, _ args: Set<String>, _ f: (Tensor) -> Tensor) throws -> [String: Tensor] {
        try c.config.expectOnly(args.union(["inplace"]))
        return ["y": f(try c.input("x"))]
    }

    static func softmax(_ c: FixtureCall, log: Bool) throws -> [String: Tensor] {
        try c.config.expectOnly(["dim"])
        let x = try c.input("x")
        let dim = try c.config.int("dim")
        try require(dim >= -x.rank && dim < x.rank, "softmax: dim \(dim) out of range for input \(x.shape)")
        return ["y": log ? F.logSoftmax(x, dim: dim) : F.softmax(x, dim: dim)]
    }

    static func embedding(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"])
        try require(!c.config.has("max_norm"), "embedding: max_norm is not supported")
        try require(!(try c.config.bool("scale_grad_by_freq", default: false)), "embedding: scale_grad_by_freq is not supported")
        let v = try c.config.int("num_embeddings"), d = try c.config.int("embedding_dim")
        let w = try c.param("weight")
        try require(w.shape == [v, d], "embedding: param.weight has shape \(w.shape), expected [\(v), \(d)]")
        let idx = try c.indexInput("indices")
        try require(idx.data.allSatisfy { $0 >= 0 && $0 < v }, "embedding: an index in input.indices is outside 0..<\(v)")
        let pad = try c.config.optionalInt("padding_idx")
        if let pad { try require(pad >= -v && pad < v, "embedding: padding_idx \(pad) out of range") }
        return ["y": F.embedding(idx, weight: w, paddingIdx: pad)]
    }

    static func dropout(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["p", "inplace"])
        let p = try c.config.float("p", default: 0.5)
        try require(p >= 0 && p <= 1, "dropout: p must be in [0, 1]")
        let x = try c.input("x")
        guard c.training else { return ["y": x] }
        let mask = try c.input("mask")
        try require(mask.shape == x.shape, "dropout: input.mask has shape \(mask.shape), input.x \(x.shape)")
        return ["y": F.dropout(x, mask: mask, p: p)]
    }

    static func cat(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["dim"])
        let xs = c.numberedInputs("x")
        try require(!xs.isEmpty, "cat: no inputs x0, x1, ...")
        let dim = try c.config.int("dim", default: 0), rank = xs[0].rank
        try require(dim >= -rank && dim < rank, "cat: dim \(dim) out of range for rank \(rank)")
        let d = dim < 0 ? dim + rank : dim
        for x in xs {
            try require(x.rank == rank && (0..<rank).allSatisfy { $0 == d || x.shape[$0] == xs[0].shape[$0] },
                        "cat: input shapes \(xs.map(\.shape)) do not match outside dim \(dim)")
        }
        return ["y": Tensor.cat(xs, dim: dim)]
    }

    /// nn.LSTM (4 gates) and nn.GRU (3 gates).
    static func recurrent(_ c: FixtureCall, gates: Int) throws -> [String: Tensor] {
        try c.config.expectOnly(["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size"])
        try require(try c.config.int("proj_size", default: 0) == 0, "proj_size is not supported")
        let inSize = try c.config.int("input_size"), h = try c.config.int("hidden_size")
        let layers = try c.config.int("num_layers", default: 1)
        let batchFirst = try c.config.bool("batch_first", default: false)
        let bidirectional = try c.config.bool("bidirectional", default: false)
        let bias = try c.config.bool("bias", default: true)
        try require(try c.config.float("dropout", default: 0) == 0 || !c.training || layers == 1,
                    "inter-layer dropout in train mode needs its masks; not supported by fixtures")
        try require(layers >= 1 && h > 0, "num_layers and hidden_size must be positive")
        let dirs = bidirectional ? 2 : 1
        var weights: [RecurrentLayerWeights] = []
        for l in 0..<layers {
            for sfx in bidirectional ? ["", "_reverse"] : [""] {
                let layerIn = l == 0 ? inSize : h * dirs
                weights.append(try recurrentWeights(c, suffix: "_l\(l)\(sfx)", gates: gates, input: layerIn, hidden: h, bias: bias))
            }
        }
        let x = try c.input("x")
        try require(x.rank == 3 && x.shape[2] == inSize, "input.x has shape \(x.shape), expected rank 3 with \(inSize) features")
        let n = batchFirst ? x.shape[0] : x.shape[1]
        let stateShape = [layers * dirs, n, h]
        let h0 = c.optionalInput("h0")
        if let h0 { try require(h0.shape == stateShape, "input.h0 has shape \(h0.shape), expected \(stateShape)") }
        // Packed sequences: `input.lengths` [N], each in 1...T (pack_padded_sequence's lengths).
        let lengths = try c.optionalIndexInput("lengths")?.data
        if let lengths {
            let steps = batchFirst ? x.shape[1] : x.shape[0]
            try require(lengths.count == n && lengths.allSatisfy { (1...steps).contains($0) },
                        "input.lengths \(lengths) must hold \(n) lengths in 1...\(steps)")
        }
        if gates == 3 {
            let r = F.gru(x, h0: h0, weights: weights, numLayers: layers, batchFirst: batchFirst, bidirectional: bidirectional,
                          lengths: lengths)
            return ["y": r.output, "h_n": r.hN]
        }
        let c0 = c.optionalInput("c0")
        if let c0 { try require(c0.shape == stateShape, "input.c0 has shape \(c0.shape), expected \(stateShape)") }
        let r = F.lstm(x, h0: h0, c0: c0, weights: weights, numLayers: layers, batchFirst: batchFirst, bidirectional: bidirectional,
                       lengths: lengths)
        return ["y": r.output, "h_n": r.hN, "c_n": r.cN]
    }

    static func recurrentWeights(_ c: FixtureCall, suffix: String, gates: Int, input: Int, hidden: Int, bias: Bool) throws -> RecurrentLayerWeights {
        let wih = try c.param("weight_ih" + suffix), whh = try c.param("weight_hh" + suffix)
        try require(wih.shape == [gates * hidden, input], "param.weight_ih\(suffix) has shape \(wih.shape), expected \([gates * hidden, input])")
        try require(whh.shape == [gates * hidden, hidden], "param.weight_hh\(suffix) has shape \(whh.shape), expected \([gates * hidden, hidden])")
        var bih: Tensor?, bhh: Tensor?
        if bias {
            bih = try c.param("bias_ih" + suffix)
            bhh = try c.param("bias_hh" + suffix)
            try require(bih!.shape == [gates * hidden] && bhh!.shape == [gates * hidden], "bias\(suffix) shapes must be [\(gates * hidden)]")
        }
        return RecurrentLayerWeights(weightIh: wih, weightHh: whh, biasIh: bih, biasHh: bhh)
    }

    static func lstmCell(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["input_size", "hidden_size", "bias"])
        let inSize = try c.config.int("input_size"), h = try c.config.int("hidden_size")
        let w = try recurrentWeights(c, suffix: "", gates: 4, input: inSize, hidden: h, bias: try c.config.bool("bias", default: true))
        let x = try c.input("x")
        try require(x.rank == 2 && x.shape[1] == inSize, "lstm_cell: input.x has shape \(x.shape), expected [N, \(inSize)]")
        let state = [x.shape[0], h]
        let h0 = try c.input("h0"), c0 = try c.input("c0")
        try require(h0.shape == state && c0.shape == state, "lstm_cell: h0 \(h0.shape) and c0 \(c0.shape) must be \(state)")
        let r = F.lstmCell(x, h: h0, c: c0, weights: w)
        return ["h": r.h, "c": r.c]
    }

    /// nn.GRUCell: inputs x, h0, output h.
    static func gruCell(_ c: FixtureCall) throws -> [String: Tensor] {
        try c.config.expectOnly(["input_size", "hidden_size", "bias"])
        let inSize = try c.config.int("input_size"), h = try c.config.int("hidden_size")
        let w = try recurrentWeights(c, suffix: "", gates: 3, input: inSize, hidden: h, bias: try c.config.bool("bias", default: true))
        let x = try c.input("x")
        try require(x.rank == 2 && x.shape[1] == inSize, "gru_cell: input.x has shape \(x.shape), expected [N, \(inSize)]")
        let h0 = try c.input("h0")
        try require(h0.shape == [x.shape[0], h], "gru_cell: h0 has shape \(h0.shape), expected \([x.shape[0], h])")
        return ["h": F.gruCell(x, h: h0, weights: w)]
    }
}
