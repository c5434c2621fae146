// The search against an independent Python PUCT (papers/alphago-zero/reference/make_traces.py): for
// the same stub network and the same root noise, the visit counts after N simulations are identical,
// searched one tree at a time and as one batch of trees.
import AlphaGoZero
import Foundation
import Testing
import WorkbenchNN
import WorkbenchTesting

struct MCTSTrace {
    struct Case {
        let moves: String, simulations: Int, cPuct: Double, noiseFraction: Double
        let noise: [Double]?, visits: [Int], rootValue: Double
    }
    let policyWeight: [[Double]], valueWeight: [Double], valueBias: Double
    let cases: [Case]

    init(path: String) throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        func hex(_ v: Any?) throws -> Double { try #require((v as? String).flatMap(Double.init), "not a hex float: \(String(describing: v))") }
        let stub = try #require(json["stub"] as? [String: Any])
        policyWeight = try #require(stub["policy_weight"] as? [[String]]).map { try $0.map(hex) }
        valueWeight = try #require(stub["value_weight"] as? [String]).map(hex)
        valueBias = try hex(stub["value_bias"])
        cases = try #require(json["cases"] as? [[String: Any]]).map { c in
            Case(moves: try #require(c["moves"] as? String), simulations: try #require(c["simulations"] as? Int),
                 cPuct: try #require(c["c_puct"] as? Double), noiseFraction: try #require(c["noise_fraction"] as? Double),
                 noise: try (c["noise"] as? [String])?.map(hex), visits: try #require(c["visits"] as? [Int]),
                 rootValue: try hex(c["root_value"]))
        }
    }

    /// The stub network, in float64 in the script's order of operations.
    func evaluate(_ positions: [ConnectFour]) -> [Evaluation] {
        positions.map { p in
            var planes = [Float](repeating: 0, count: 126)
            planes.withUnsafeMutableBufferPointer { p.encode(into: $0.baseAddress!) }
            let x = planes.map(Double.init)
            let logits = policyWeight.map { w in zip(w, x).reduce(0.0) { $0 + $1.0 * $1.1 } }
            let m = logits.max()!
            let e = logits.map { exp($0 - m) }
            let s = e.reduce(0.0, +)
            let t = zip(valueWeight, x).reduce(0.0) { $0 + $1.0 * $1.1 } + valueBias
            return Evaluation(priors: e.map { $0 / s }, value: tanh(t))
        }
    }
}

@Suite struct MCTSTraceTests {
    static let path = repositoryRoot + "/papers/alphago-zero/fixtures/traces/mcts.json"

    @Test func visitCountsMatchThePythonSearch() throws {
        let trace = try MCTSTrace(path: Self.path)
        #expect(trace.cases.count >= 10)
        var g = Generator(seed: 0)
        for c in trace.cases {
            let tree = SearchTree(root: try #require(ConnectFour(moves: c.moves)))
            let settings = SearchSettings(simulations: c.simulations, cPuct: c.cPuct, noiseFraction: c.noiseFraction)
            MCTS.search([tree], settings: settings, evaluate: trace.evaluate, generator: &g, noise: c.noise.map { [$0] })
            #expect(tree.visitCounts == c.visits, "after \"\(c.moves)\"")
            #expect(abs(tree.rootValue - c.rootValue) <= 1e-12, "after \"\(c.moves)\": \(tree.rootValue) vs \(c.rootValue)")
        }
    }

    /// Cases with the same settings searched together, their leaves evaluated as one batch per round.
    @Test func batchedSearchMatchesToo() throws {
        let trace = try MCTSTrace(path: Self.path)
        let groups = Dictionary(grouping: trace.cases) { "\($0.simulations) \($0.cPuct) \($0.noiseFraction)" }
        var g = Generator(seed: 0)
        var batched = 0
        for (_, cases) in groups {
            let trees = try cases.map { SearchTree(root: try #require(ConnectFour(moves: $0.moves))) }
            let c = cases[0]
            let settings = SearchSettings(simulations: c.simulations, cPuct: c.cPuct, noiseFraction: c.noiseFraction)
            MCTS.search(trees, settings: settings, evaluate: trace.evaluate, generator: &g,
                        noise: c.noiseFraction > 0 ? cases.map { $0.noise! } : nil)
            for (tree, c) in zip(trees, cases) { #expect(tree.visitCounts == c.visits, "after \"\(c.moves)\"") }
            batched += cases.count > 1 ? cases.count : 0
        }
        #expect(batched >= 2, "no two cases share settings")
    }
}
