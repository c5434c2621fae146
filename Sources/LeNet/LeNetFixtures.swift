// `workbench verify` handler for this paper's model id, lenet.model: the network built from
// the fixture's config with the fixture's parameters, applied to `input.x`, output `y`.
import WorkbenchNN
import WorkbenchRun

public enum LeNetFixtures {
    /// Registers `lenet.model` with the fixture registry (config: `LeNetConfig`'s JSON names).
    public static func register() {
        FixtureRegistry.register(model: "lenet.model") { call in
            let config = try LeNetConfig(call.config)
            // `call.module` loads every param.* / buffer.* into the module (strictly: a name the
            // model lacks fails the fixture) and steps the module's own parameters.
            let model = try call.module { () -> LeNetModel in
                var g = Generator(seed: 0)
                return LeNetModel(config, generator: &g)
            }
            let x = try call.input("x")
            try require(x.rank == 4 && Array(x.shape[1...]) == [config.inChannels] + config.imageSize,
                        "input.x \(x.shape) must be [N, \(config.inChannels), \(config.imageSize[0]), \(config.imageSize[1])]")
            return ["y": model(x)]
        }
    }
}
