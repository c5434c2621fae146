// Replay memory, exploration schedule, target-network timing, determinism and a short learning check.
import Testing
import DQN
import WorkbenchNN
import WorkbenchTesting

@Suite struct AgentTests {
    @Test(arguments: [false, true]) func replayBufferWrapsAround(binary: Bool) {
        let buffer = ReplayBuffer(capacity: 3, observationCount: 2, binary: binary)
        for i in 1...5 {
            let v = binary ? Float(i % 2) : Float(i)
            buffer.add(state: [v, 0], action: i, reward: Float(10 * i), nextState: [0, v], done: i == 4)
        }
        #expect(buffer.count == 3)
        #expect(buffer.position == 2)   // 5 writes into 3 slots: next write goes to slot 2
        var batch = ReplayBuffer.emptyBatch()
        buffer.gather([0, 1, 2], into: &batch)
        #expect(batch.actions == [4, 5, 3])          // slot 0 and 1 overwritten by transitions 4 and 5
        #expect(batch.rewards == [40, 50, 30])
        #expect(batch.dones == [1, 0, 0])
        let expected: [Float] = binary ? [0, 0, 1, 0, 1, 0] : [4, 0, 5, 0, 3, 0]
        #expect(batch.states == expected)
        #expect(batch.nextStates == [expected[1], expected[0], expected[3], expected[2], expected[5], expected[4]])
        var g = Generator(seed: 1)
        buffer.sample(50, generator: &g, into: &batch)
        #expect(Set(batch.actions).isSubset(of: [3, 4, 5]) && Set(batch.actions).count == 3)
    }

    @Test func minAtarEpsilonSchedule() {
        let s = DQNPreset.minAtar(.breakout).agent.exploration
        #expect(s.value(at: 0) == 1)
        #expect(s.value(at: 5_000) == 1)
        #expect(abs(s.value(at: 55_000) - 0.55) < 1e-12)
        #expect(abs(s.value(at: 105_000) - 0.1) < 1e-12)
        #expect(abs(s.value(at: 3_000_000) - 0.1) < 1e-12)
    }

    @Test func targetNetworkCopiedEveryIntervalUpdates() {
        var cfg = DQNConfig(network: .mlp(features: 4, actions: 2, hidden: [8]))
        cfg.targetUpdateInterval = 3
        cfg.batchSize = 4
        let agent = DQNAgent(cfg, seed: 3, binaryObservations: false)
        var g = Generator(seed: 4)
        for _ in 0..<20 {
            agent.remember(state: (0..<4).map { _ in g.uniform() }, action: g.integer(below: 2), reward: 1,
                           nextState: (0..<4).map { _ in g.uniform() }, terminated: false)
        }
        func same() -> Bool { zip(agent.online.parameters(), agent.target.parameters()).allSatisfy { $0.data == $1.data } }
        #expect(same())
        agent.update(); #expect(!same())
        agent.update(); #expect(!same())
        agent.update(); #expect(same())     // the 3rd update ends with a hard copy
        agent.update(); #expect(!same())
        #expect(agent.updates == 4)
    }

    @Test func actionsAreGreedyAtZeroEpsilon() {
        var g = Generator(seed: 5)
        #expect(epsilonGreedy(qValues: [0.1, 0.7, 0.7, -1], epsilon: 0, generator: &g) == 1)
        var counts = [0, 0, 0]
        for _ in 0..<3000 { counts[epsilonGreedy(qValues: [0, 1, 0], epsilon: 1, generator: &g)] += 1 }
        #expect(counts.allSatisfy { $0 > 850 })
    }

    /// Same seed → identical run (returns, losses and final weights), for CartPole and MinAtar.
    @Test func sameSeedGivesIdenticalRun() throws {
        var breakout = DQNPreset.minAtar(.breakout)
        breakout.agent.replayStart = 200
        breakout.agent.exploration = LinearSchedule(start: 1, end: 0.1, begin: 200, duration: 500)
        for preset in [try DQNPreset.preset("quick"), breakout] {
            func run() -> ([Double], [Float], [Float]) {
                let t = DQNTrainer(preset, seed: 7)
                let losses = t.train(frames: 1_500)
                return (t.episodeReturns, losses, t.agent.online.parameters().flatMap(\.data))
            }
            let a = run(), b = run()
            #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2, "\(preset.name)")
            #expect(!a.1.isEmpty)
        }
    }

    /// A short CartPole run beats a random policy (≈ 22 per episode) by a wide margin.
    @Test func learnsCartPole() throws {
        let t = DQNTrainer(try DQNPreset.preset("quick"), seed: 0)
        t.train(frames: 10_000)
        let returns = t.evaluate(episodes: 20)
        let mean = returns.reduce(0, +) / Double(returns.count)
        print("CartPole after 10k frames: evaluation mean \(mean)")
        #expect(mean > 100)
    }
}

@Suite struct RandomPolicyTests {
    /// Random-policy returns of the Python originals (MinAtar 1.0.15; uniform over 6 actions, default
    /// settings, 1000 episodes), as the papers/dqn card lists them.
    @Test(arguments: [(MinAtarGameID.breakout, 0.5, 1000), (.asterix, 0.47, 1000), (.spaceInvaders, 2.7, 1000),
                      (.seaquest, 0.11, 1000), (.freeway, 0.11, 300)])
    func randomReturnsMatchOriginal(_ id: MinAtarGameID, _ expected: Double, _ episodes: Int) {
        let env = MinAtar(id, seed: 11)
        var g = Generator(seed: 12)
        var total = 0.0
        for _ in 0..<episodes {
            _ = env.reset()
            while true {
                let r = env.step(g.integer(below: 6))
                total += r.reward
                if r.terminated { break }
            }
        }
        let mean = total / Double(episodes)
        #expect(abs(mean - expected) < max(0.25 * expected, 0.06), "\(id): random return \(mean), original ≈ \(expected)")
    }

    @Test func cartPoleRandomReturn() {
        let env = CartPole(seed: 13)
        var g = Generator(seed: 14)
        var total = 0.0
        for _ in 0..<2000 {
            _ = env.reset()
            while true {
                let r = env.step(g.integer(below: 2))
                total += r.reward
                if r.terminated || r.truncated { break }
            }
        }
        #expect(abs(total / 2000 - 22.4) < 1.5)
    }
}
