// `workbench verify` handler for this paper's model id, __paper__.model: the network built from
// the fixture's config with the fixture's parameters, applied to `input.x`, output `y`.
import WorkbenchNN
import WorkbenchRun

public enum __Paper__Fixtures {
    /// Registers `__paper__.model` with the fixture registry (config: `__Paper__Config`'s JSON names).
    public static func register() {
        FixtureRegistry.register(model: "__paper__.model") { call in
            let config = try __Paper__Config(call.config)
            // `call.module` loads every param.* / buffer.* into the module (strictly: a name the
            // model lacks fails the fixture) and steps the module's own parameters.
            let model = try call.module { () -> __Paper__Model in
                var g = Generator(seed: 0)
                return __Paper__Model(config, generator: &g)
            }
            let x = try call.input("x")
            try require(x.rank == 2 && x.shape[1] == config.inputs, "input.x \(x.shape) must be [N, \(config.inputs)]")
            return ["y": model(x)]
        }
    }
}
