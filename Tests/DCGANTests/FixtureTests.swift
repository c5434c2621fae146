// DCGAN's PyTorch fixtures through the generic verifier, and the module path checked against them.
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

    /// The modules (not the functional path the handlers use) reproduce the fixtures' outputs and
    /// parameter gradients after loading the fixture's state dict.
    @Test(arguments: ["generator32", "discriminator32", "generator64_eval", "discriminator64"])
    func modulesMatchFixture(_ name: String) throws {
        let f = try Fixture(path: repositoryRoot + "/papers/dcgan/fixtures/\(name).safetensors")
        let c = f.config.values
        func int(_ k: String) -> Int { if case .int(let v)? = c[k] { return v } else { return -1 } }
        let cfg = DCGANConfig(imageSize: int("image_size"), nz: int("nz"), ngf: int("ngf"), ndf: int("ndf"), nc: int("nc"))
        var g = Generator(seed: 0)
        let isGenerator = name.hasPrefix("generator")
        let net: any Layer = isGenerator ? DCGANGenerator(cfg, generator: &g) : DCGANDiscriminator(cfg, generator: &g)
        var state: [String: Tensor] = [:]
        for key in f.file.names where key.hasPrefix("param.") || key.hasPrefix("buffer.") {
            state[String(key.split(separator: ".", maxSplits: 1)[1])] = try f.floatValues(key)
        }
        try net.loadStateDict(state)
        if !f.training { net.eval() }
        let x = try f.tensor(isGenerator ? "input.z" : "input.x")
        let y = net.forward(x)
        let expected = try f.tensor("expect.output.y")
        #expect(closeness(y.data, expected.data, atol: f.atol, rtol: f.rtol).passed)
        let loss: Tensor
        if f.loss == "upstream" {
            loss = (y * (try f.tensor("upstream.y"))).sum()
        } else {
            loss = F.binaryCrossEntropyWithLogits(y, target: try f.tensor("input.target"))
        }
        loss.backward()
        for (pname, p) in net.namedParameters() {
            let e = try f.tensor("expect.grad.param." + pname)
            let c = closeness(p.grad!.data, e.data, atol: f.atol, rtol: f.gradRtol)
            #expect(c.passed, "\(name) grad \(pname): \(c.description)")
        }
    }
}
