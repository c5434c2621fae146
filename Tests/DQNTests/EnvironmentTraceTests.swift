// Trace tests: the Swift environments against recordings of gymnasium CartPole-v1 and the minatar package.
import Testing
import DQN

@Suite struct EnvironmentTraceTests {
    @Test func cartPoleMatchesGymnasium() throws {
        let trace = try Trace.load("cartpole")
        let env = CartPole()
        var steps = 0
        for episode in trace["episodes"] as! [[String: Any]] {
            let s = (episode["start_state"] as! [String]).map(Trace.hexDouble)
            env.reset(state: (s[0], s[1], s[2], s[3]))
            for (t, step) in (episode["steps"] as! [[String: Any]]).enumerated() {
                let result = env.step(step["a"] as! Int)
                let obs = (step["obs"] as! [Double]).map { Float($0) }
                let state = (step["state"] as! [String]).map(Trace.hexDouble)
                #expect(result.observation == obs, "observation at step \(t)")
                #expect([env.state.0, env.state.1, env.state.2, env.state.3] == state, "float64 state at step \(t)")
                #expect(result.reward == step["r"] as! Double)
                #expect(result.terminated == step["terminated"] as! Bool, "terminated at step \(t)")
                #expect(result.truncated == step["truncated"] as! Bool, "truncated at step \(t)")
                if result.observation != obs { return }
                steps += 1
            }
        }
        #expect(steps > 1000)
    }

    @Test(arguments: MinAtarGameID.allCases)
    func minAtarMatchesOriginal(_ id: MinAtarGameID) throws {
        let trace = try Trace.load(id.rawValue)
        let replay = ReplayedDraws()
        let env = MinAtar(id, stickyActionProbability: trace["sticky_action_prob"] as! Double,
                          ramping: trace["difficulty_ramping"] as! Bool, random: replay)
        let count = env.observationCount
        #expect(count == (trace["channels"] as! Int) * 100)
        var totalReward = 0.0
        for (i, op) in (trace["ops"] as! [[String: Any]]).enumerated() {
            replay.load((op["draws"] as! [String]).map(Trace.draw))
            let obs: [Float]
            if op["op"] as! String == "reset" {
                obs = env.reset()
            } else {
                let result = env.step(op["a"] as! Int)
                obs = result.observation
                totalReward += result.reward
                #expect(result.reward == op["r"] as! Double, "\(id) reward at op \(i)")
                #expect(result.terminated == op["terminal"] as! Bool, "\(id) terminal at op \(i)")
            }
            let expected = Trace.unpack(op["obs"] as! String, count: count)
            #expect(replay.mismatch == nil, "\(id) op \(i): \(replay.mismatch ?? "")")
            #expect(replay.remaining == 0, "\(id) op \(i): \(replay.remaining) logged draws not taken")
            #expect(obs == expected, "\(id) observation at op \(i)")
            if obs != expected || replay.mismatch != nil {
                print(env.render())
                return
            }
        }
        #expect(totalReward > 0)
    }
}
