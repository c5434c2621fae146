// Timings of the docs/BENCHMARKS.md workloads dqn_minatar_update and dqn_minatar_act, plus environment
// steps per second (run with DQN_BENCH=1; skipped otherwise so the suite stays fast).
import Foundation
import Testing
import DQN
import WorkbenchTesting
import WorkbenchNN

@Suite struct DQNSpeedTests {
    static var enabled: Bool { ProcessInfo.processInfo.environment["DQN_BENCH"] == "1" }

    static func median(_ iterations: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<iterations {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    @Test(.enabled(if: enabled)) func minAtarUpdateAndAct() {
        // docs/BENCHMARKS.md dqn_minatar: Conv(4→16, 3) - FC 128 - 3 actions, batch 32, centered RMSprop.
        var cfg = DQNConfig(network: .minAtar(channels: 4, actions: 3))
        cfg.targetUpdateInterval = 1_000_000
        let agent = DQNAgent(cfg, seed: 1, binaryObservations: true)
        var g = Generator(seed: 2)
        for _ in 0..<1000 {
            let s = (0..<400).map { _ in g.uniform() < 0.1 ? Float(1) : 0 }
            let n = (0..<400).map { _ in g.uniform() < 0.1 ? Float(1) : 0 }
            agent.remember(state: s, action: g.integer(below: 3), reward: Double(g.integer(below: 2)), nextState: n, terminated: g.uniform() < 0.05)
        }
        var batch = ReplayBuffer.emptyBatch()
        agent.replay.sample(32, generator: &g, into: &batch)
        for _ in 0..<50 { agent.update(on: batch) }
        let update = Self.median(501) { agent.update(on: batch) }
        let updateWithSampling = Self.median(501) { agent.update() }
        let state = batch.states.prefix(400).map { $0 }
        let act = Self.median(2001) { _ = agent.act(state, epsilon: 0) }
        print(String(format: "dqn_minatar_update: %.3f ms (PyTorch 2.12 ms, ratio %.2f); with replay sampling %.3f ms",
                     update, update / 2.12, updateWithSampling))
        print(String(format: "dqn_minatar_act: %.4f ms (PyTorch 0.10 ms, ratio %.2f)", act, act / 0.10))
        for id in MinAtarGameID.allCases {
            let env = MinAtar(id, seed: 3)
            _ = env.reset()
            var rng = Generator(seed: 4)
            let steps = 20_000
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps {
                let r = env.step(rng.integer(below: 6))
                if r.terminated { _ = env.reset() }
            }
            let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            print(String(format: "MinAtar %@: %.0f env steps/s", id.rawValue, Double(steps) / s))
        }
        let cp = CartPole(seed: 5)
        _ = cp.reset()
        let t0 = DispatchTime.now().uptimeNanoseconds
        var rng = Generator(seed: 6)
        for _ in 0..<200_000 {
            let r = cp.step(rng.integer(below: 2))
            if r.terminated || r.truncated { _ = cp.reset() }
        }
        let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        print(String(format: "CartPole: %.0f env steps/s", 200_000 / s))
    }
}

extension DQNSpeedTests {
    @Test(.enabled(if: enabled)) func updateBreakdown() {
        var g = Generator(seed: 1)
        let net = QNetwork(.minAtar(channels: 4, actions: 3), generator: &g)
        let x = Tensor(shape: [32, 4, 10, 10], data: (0..<12800).map { _ in g.uniform() < 0.1 ? 1 : 0 })
        let opt = RMSprop(net.parameters(), lr: 0.00025, alpha: 0.95, eps: 0.01, centered: true)
        let fwdNoGrad = Self.median(301) { _ = withNoGrad { net(x) } }
        let w = net.parameters()
        let conv = Self.median(301) { _ = withNoGrad { F.conv2d(x, weight: w[0], bias: w[1]) } }
        let h = Tensor(shape: [32, 1024], data: (0..<32768).map { _ in g.uniform() })
        let fc = Self.median(301) { _ = withNoGrad { F.linear(h, weight: w[2], bias: w[3]) } }
        let fwdBwd = Self.median(301) {
            opt.zeroGrad()
            net(x).sum().backward()
        }
        let step = Self.median(301) { opt.step() }
        print(String(format: "forward(no grad) %.3f ms (conv %.3f, fc1 %.3f); forward+backward %.3f ms; rmsprop step %.3f ms",
                     fwdNoGrad, conv, fc, fwdBwd, step))
    }
}
