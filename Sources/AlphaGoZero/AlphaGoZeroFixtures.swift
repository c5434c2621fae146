// `workbench verify` handler of the id alphago-zero.net: the dual-head network built from the
// fixture's config with its parameters, applied to `input.x`; outputs the policy logits, the value
// and (`loss: self`) the paper's loss against `input.pi` and `input.z`.
import WorkbenchNN
import WorkbenchRun

public enum AlphaGoZeroFixtures {
    /// Registers `alphago-zero.net` (config: `AlphaGoZeroConfig`'s JSON names).
    public static func register() {
        FixtureRegistry.register(model: "alphago-zero.net") { call in
            let config = try AlphaGoZeroConfig(call.config)
            let net = try call.module { () -> AlphaGoZeroNet in
                var g = Generator(seed: 0)
                return AlphaGoZeroNet(config, generator: &g)
            }
            let x = try call.input("x"), pi = try call.input("pi"), z = try call.input("z")
            let n = x.shape.first ?? 0
            try require(x.shape == [n, config.inChannels, config.rows, config.columns],
                        "input.x \(x.shape) must be [N, \(config.inChannels), \(config.rows), \(config.columns)]")
            try require(pi.shape == [n, config.actions] && z.shape == [n], "input.pi \(pi.shape) must be [\(n), \(config.actions)], input.z \(z.shape) [\(n)]")
            let (logits, value) = net(x)
            return ["logits": logits, "value": value,
                    "loss": alphaGoZeroLoss(logits: logits, value: value, pi: pi, z: z).loss]
        }
    }
}
