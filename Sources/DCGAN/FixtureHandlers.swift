// The fixture ids of this paper for `workbench verify`: dcgan.generator, dcgan.discriminator and
// dcgan.gan_steps (three alternating D/G iterations). Config fields: image_size, nz, ngf, ndf, nc.
import WorkbenchNN
import WorkbenchRun

enum DCGANFixtures {
    static func register() {
        FixtureRegistry.register(model: "dcgan.generator") { c in
            let cfg = try config(c, extra: [])
            return ["y": try dcganForward(cfg.generatorLayers, try c.input("z"), training: c.training,
                                          params: params(c), buffers: buffers(c))]
        }
        FixtureRegistry.register(model: "dcgan.discriminator") { c in
            let cfg = try config(c, extra: [])
            let x = try c.input("x")
            let y = try dcganForward(cfg.discriminatorLayers, x, training: c.training, params: params(c), buffers: buffers(c))
            return ["y": y.reshape([x.shape[0]])]
        }
        FixtureRegistry.register(model: "dcgan.gan_steps", ganSteps)
    }

    static func config(_ c: FixtureCall, extra: Set<String>) throws -> DCGANConfig {
        try c.config.expectOnly(Set(["image_size", "nz", "ngf", "ndf", "nc"]).union(extra))
        let size = try c.config.int("image_size", default: 32)
        let nz = try c.config.int("nz", default: 100), ngf = try c.config.int("ngf", default: 64)
        let ndf = try c.config.int("ndf", default: 64), nc = try c.config.int("nc", default: 1)
        try require(size == 32 || size == 64, "config.image_size must be 32 or 64, got \(size)")
        try require(nz > 0 && ngf > 0 && ndf > 0 && nc > 0, "config sizes must be positive")
        return DCGANConfig(imageSize: size, nz: nz, ngf: ngf, ndf: ndf, nc: nc)
    }

    /// Lookups that mark the fixture keys they hand out as used.
    static func params(_ c: FixtureCall, prefix: String = "") -> NamedTensors {
        NamedTensors { c.optionalParam(prefix + $0) }
    }
    static func buffers(_ c: FixtureCall, prefix: String = "") -> NamedTensors {
        NamedTensors { c.optionalBuffer(prefix + $0) }
    }

    /// Inputs `real` [steps, N, nc, S, S] and `noise` [steps, N, nz, 1, 1]; parameters and buffers
    /// `G.main.*`, `D.main.*`; config adds `lr` and `betas`. The steps run on copies; outputs are
    /// per-step `loss_d`, `loss_g`, `d_x`, `d_g_z1`, `d_g_z2` and `final.<G|D>.<name>` for every
    /// parameter and buffer. `loss` = step 1's loss_d + loss_g built on the fixture's own leaves, so
    /// that its gradients are exactly what each optimizer applies at step 1: D's from loss_d (the fake
    /// is detached), G's from loss_g (through the D that step 1 has already updated).
    static func ganSteps(_ c: FixtureCall) throws -> [String: Tensor] {
        let cfg = try config(c, extra: ["lr", "betas"])
        let lr = try c.config.float("lr", default: 2e-4)
        let betas = try c.config.floatList("betas") ?? [0.5, 0.999]
        try require(betas.count == 2, "config.betas must hold two numbers")
        let real = try c.input("real"), noise = try c.input("noise")
        let (s, nc, nz) = (cfg.imageSize, cfg.nc, cfg.nz)
        try require(real.rank == 5 && Array(real.shape.dropFirst(2)) == [nc, s, s] && real.shape[1] > 1,
                    "input.real has shape \(real.shape), expected [steps, N>1, \(nc), \(s), \(s)]")
        let (steps, n) = (real.shape[0], real.shape[1])
        try require(noise.shape == [steps, n, nz, 1, 1], "input.noise has shape \(noise.shape), expected \([steps, n, nz, 1, 1])")
        let gLayers = cfg.generatorLayers, dLayers = cfg.discriminatorLayers
        let gNames = dcganStateNames(gLayers), dNames = dcganStateNames(dLayers)
        // Working copies, so that the fixture's leaves stay at their initial values for `loss`.
        func copies(_ prefix: String, _ names: [String], param: Bool) throws -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for name in names {
                let t = param ? try c.param(prefix + name) : try c.buffer(prefix + name)
                out[name] = Tensor(shape: t.shape, data: t.data, requiresGrad: param)
            }
            return out
        }
        let gP = try copies("G.", gNames.parameters, param: true), gB = try copies("G.", gNames.buffers, param: false)
        let dP = try copies("D.", dNames.parameters, param: true), dB = try copies("D.", dNames.buffers, param: false)
        let optG = Adam(gNames.parameters.map { gP[$0]! }, lr: lr, betas: (betas[0], betas[1]))
        let optD = Adam(dNames.parameters.map { dP[$0]! }, lr: lr, betas: (betas[0], betas[1]))
        let netG = { (z: Tensor) in try dcganForward(gLayers, z, training: c.training, params: NamedTensors(gP), buffers: NamedTensors(gB)) }
        let netD = { (x: Tensor) in
            try dcganForward(dLayers, x, training: c.training, params: NamedTensors(dP), buffers: NamedTensors(dB)).reshape([x.shape[0]])
        }
        var stats: [GANStepStats] = []
        var dAfterFirst: [String: Tensor] = [:]
        for k in 0..<steps {
            stats.append(try ganStep(real: real.select(0, k).detach(), noise: noise.select(0, k).detach(),
                                     netG: netG, netD: netD, optimizerG: optG, optimizerD: optD))
            if k == 0 { dAfterFirst = dP.mapValues { $0.detach() } }
        }
        // Step 1 again as one graph on the fixture's leaves (running buffers go to scratch copies).
        let scratch = { (names: [String]) in NamedTensors(Dictionary(uniqueKeysWithValues: names.map { ($0, c.buffers[$0].map { $0.clone() }) }).compactMapValues { $0 }) }
        let gScratch = scratch(gNames.buffers.map { "G." + $0 }), dScratch = scratch(dNames.buffers.map { "D." + $0 })
        let x1 = real.select(0, 0), z1 = noise.select(0, 0)
        let ones = Tensor.ones([n]), zeros = Tensor.zeros([n])
        let fake = try dcganForward(gLayers, z1, prefix: "G.", training: c.training, params: params(c), buffers: gScratch)
        let dLeaves = { (x: Tensor) in try dcganForward(dLayers, x, prefix: "D.", training: c.training, params: params(c), buffers: dScratch).reshape([n]) }
        let lossD = F.binaryCrossEntropyWithLogits(try dLeaves(x1), target: ones)
            + F.binaryCrossEntropyWithLogits(try dLeaves(fake.detach()), target: zeros)
        let dUpdated = try dcganForward(dLayers, fake, training: c.training, params: NamedTensors(dAfterFirst),
                                        buffers: NamedTensors(dB.mapValues { $0.clone() })).reshape([n])
        let lossG = F.binaryCrossEntropyWithLogits(dUpdated, target: ones)
        var out: [String: Tensor] = [
            "loss": lossD + lossG,
            "loss_d": Tensor(stats.map(\.lossD)), "loss_g": Tensor(stats.map(\.lossG)),
            "d_x": Tensor(stats.map(\.dReal)), "d_g_z1": Tensor(stats.map(\.dFakeBefore)), "d_g_z2": Tensor(stats.map(\.dFakeAfter)),
        ]
        for (prefix, dict) in [("G.", gP), ("G.", gB), ("D.", dP), ("D.", dB)] {
            for (name, t) in dict { out["final." + prefix + name] = t.detach() }
        }
        return out
    }
}
