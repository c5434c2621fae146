// The fixture ids of this paper for `workbench verify`: dcgan.generator, dcgan.discriminator and
// dcgan.gan_steps (three alternating D/G iterations), on the modules the training uses, bound to
// the fixture's tensors by `FixtureCall.module`. Config: `DCGANConfig`'s names (gan_steps adds
// `lr` and `betas`).
import WorkbenchNN
import WorkbenchRun

enum DCGANFixtures {
    static func register() {
        FixtureRegistry.register(model: "dcgan.generator") { c in
            let config = try DCGANConfig(c.config)
            let netG = try c.module { generator(config) }
            let z = try c.input("z")
            try require(z.rank == 4 && Array(z.shape[1...]) == [config.nz, 1, 1], "input.z \(z.shape) must be [N, \(config.nz), 1, 1]")
            return ["y": netG(z)]
        }
        FixtureRegistry.register(model: "dcgan.discriminator") { c in
            let config = try DCGANConfig(c.config)
            let netD = try c.module { discriminator(config) }
            let x = try c.input("x")
            try checkImages(x, "input.x", config, leading: 1)
            return ["y": netD(x)]
        }
        FixtureRegistry.register(model: "dcgan.gan_steps", ganSteps)
    }

    /// Modules to load a state into (their init draws are overwritten).
    static func generator(_ config: DCGANConfig) -> DCGANGenerator {
        var g = Generator(seed: 0)
        return DCGANGenerator(config, generator: &g)
    }

    static func discriminator(_ config: DCGANConfig) -> DCGANDiscriminator {
        var g = Generator(seed: 0)
        return DCGANDiscriminator(config, generator: &g)
    }

    /// `x` must be [<leading sizes>, nc, S, S].
    static func checkImages(_ x: Tensor, _ name: String, _ config: DCGANConfig, leading: Int) throws(FixtureError) {
        let s = config.imageSize
        try require(x.rank == leading + 3 && Array(x.shape.suffix(3)) == [config.nc, s, s],
                    "\(name) has shape \(x.shape), expected \(leading) leading dimensions and then [\(config.nc), \(s), \(s)]")
    }

    /// Inputs `real` [steps, N, nc, S, S] and `noise` [steps, N, nz, 1, 1]; parameters and buffers
    /// `G.main.*`, `D.main.*` bound to a generator and a discriminator; config adds `lr` and
    /// `betas`. The steps run on copies of the two; outputs are per-step `loss_d`, `loss_g`, `d_x`,
    /// `d_g_z1`, `d_g_z2` and `final.<G|D>.<name>` for every parameter and buffer. `loss` = step 1's
    /// loss_d + loss_g built on the bound modules, so that their gradients are exactly what each
    /// optimizer applies at step 1: D's from loss_d (the fake is detached), G's from loss_g
    /// (through the D that step 1 has already updated).
    static func ganSteps(_ c: FixtureCall) throws -> [String: Tensor] {
        let config = try DCGANConfig(FixtureConfig(c.config.values.filter { $0.key != "lr" && $0.key != "betas" }))
        let lr = try c.config.float("lr", default: 2e-4)
        let betas = try c.config.floatList("betas") ?? [0.5, 0.999]
        try require(betas.count == 2, "config.betas must hold two numbers")
        let real = try c.input("real"), noise = try c.input("noise")
        try checkImages(real, "input.real", config, leading: 2)
        let (steps, n) = (real.shape[0], real.shape[1])
        try require(steps > 0 && n > 1, "input.real needs a step and more than one image per step (BatchNorm), got \(real.shape)")
        try require(noise.shape == [steps, n, config.nz, 1, 1], "input.noise has shape \(noise.shape), expected \([steps, n, config.nz, 1, 1])")
        let netG = try c.module(prefix: "G.") { generator(config) }
        let netD = try c.module(prefix: "D.") { discriminator(config) }
        // Working copies, so that the bound modules stay at the fixture's values for `loss`.
        func copy<M: Module>(_ m: M, _ make: (DCGANConfig) -> M) throws -> M {
            let out = make(config)
            try out.loadStateDict(Dictionary(uniqueKeysWithValues: m.stateDict()))
            out.train(c.training)
            return out
        }
        let workG = try copy(netG, generator), workD = try copy(netD, discriminator)
        let (optG, optD) = dcganOptimizers(generator: workG, discriminator: workD, lr: lr, betas: (betas[0], betas[1]))
        var stats: [GANStepStats] = []
        var dAfterFirst: DCGANDiscriminator?
        for k in 0..<steps {
            stats.append(ganStep(real: real.select(0, k).detach(), noise: noise.select(0, k).detach(),
                                 netG: workG.forward, netD: workD.forward, optimizerG: optG, optimizerD: optD))
            if k == 0 { dAfterFirst = try copy(workD, discriminator) }
        }
        // Step 1 again as one graph on the bound modules.
        let ones = Tensor.ones([n]), zeros = Tensor.zeros([n])
        let fake = netG(noise.select(0, 0))
        let lossD = F.binaryCrossEntropyWithLogits(netD(real.select(0, 0)), target: ones)
            + F.binaryCrossEntropyWithLogits(netD(fake.detach()), target: zeros)
        let lossG = F.binaryCrossEntropyWithLogits(dAfterFirst!(fake), target: ones)
        var out: [String: Tensor] = [
            "loss": lossD + lossG,
            "loss_d": Tensor(stats.map(\.lossD)), "loss_g": Tensor(stats.map(\.lossG)),
            "d_x": Tensor(stats.map(\.dReal)), "d_g_z1": Tensor(stats.map(\.dFakeBefore)), "d_g_z2": Tensor(stats.map(\.dFakeAfter)),
        ]
        for (prefix, m) in [("G.", workG as Module), ("D.", workD)] {
            for (name, t) in m.stateDict() { out["final." + prefix + name] = t.detach() }
        }
        return out
    }
}
