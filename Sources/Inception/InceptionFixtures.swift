// `workbench verify` handlers for this paper's model ids: inception.block and inception.googlenet.
import WorkbenchNN
import WorkbenchRun

public enum InceptionFixtures {
    /// Registers `inception.block` and `inception.googlenet` with the fixture registry.
    public static func register() {
        FixtureRegistry.register(model: "inception.block", block)
        FixtureRegistry.register(model: "inception.googlenet", googlenet)
    }

    /// Config: in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj, and optionally
    /// batch_norm (false), bn_eps (1e-5), branch3_kernel (5). Input `x`, output `y`.
    static let block: FixtureHandler = { call in
        let c = call.config
        try c.expectOnly(["in_channels", "ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj",
                          "batch_norm", "bn_eps", "branch3_kernel"])
        let widths = InceptionWidths(try c.int("ch1x1"), try c.int("ch3x3red"), try c.int("ch3x3"),
                                     try c.int("ch5x5red"), try c.int("ch5x5"), try c.int("pool_proj"))
        let inChannels = try c.int("in_channels")
        let batchNorm = try c.bool("batch_norm", default: false), eps = try c.float("bn_eps", default: 1e-5)
        let kernel = try c.int("branch3_kernel", default: 5)
        try require(kernel % 2 == 1 && kernel > 0, "config.branch3_kernel must be odd, got \(kernel)")
        let model = try call.module { () -> InceptionBlock in
            var g = Generator(seed: 0)
            return InceptionBlock(inChannels, widths, batchNorm: batchNorm, bnEps: eps, branch3Kernel: kernel, generator: &g)
        }
        let x = try call.input("x")
        try require(x.rank == 4 && x.shape[1] == inChannels, "input.x \(x.shape) must be [N, \(inChannels), H, W]")
        return ["y": model(x)]
    }

    /// Config: the GoogLeNetConfig fields in snake_case (papers/inception/README.md). Inputs `x`
    /// and `target` (class ids). Outputs `y` (main logits), `aux1`/`aux2` (train mode with aux
    /// heads) and `total_loss`, the training objective with the auxiliary weights, so that a
    /// fixture can differentiate exactly what training differentiates (upstream 1 on it).
    static let googlenet: FixtureHandler = { call in
        let config = try GoogLeNetConfig(call.config)
        let model = try call.module { () -> GoogLeNet in
            var g = Generator(seed: 0)
            return GoogLeNet(config, generator: &g)
        }
        let x = try call.input("x")
        try require(x.rank == 4 && x.shape[1] == config.inChannels && x.shape[2...] == config.imageSize[...],
                    "input.x \(x.shape) must be [N, \(config.inChannels), \(config.imageSize[0]), \(config.imageSize[1])]")
        try require((config.dropout == 0 && config.auxDropout == 0) || !call.training,
                    "train-mode fixtures need dropout 0 and aux_dropout 0 (dropout masks are not inputs)")
        let out = model(x)
        var outputs = ["y": out.logits]
        outputs["aux1"] = out.aux1
        outputs["aux2"] = out.aux2
        if case .classes(let target) = try call.target() {
            outputs["total_loss"] = model.loss(out, target: target)
        } else {
            throw FixtureError("input.target must hold class ids (I64)")
        }
        return outputs
    }
}
