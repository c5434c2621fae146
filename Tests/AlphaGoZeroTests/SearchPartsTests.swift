// The pieces around the search: Dirichlet noise, move choice from visit counts, and the replay
// window (its sampling, mirror and saved form).
import AlphaGoZero
import Testing
import WorkbenchNN
import WorkbenchRun

@Suite struct SearchPartsTests {
    /// Gamma(alpha, 1) has mean and variance alpha; a symmetric Dirichlet's weights sum to 1 with mean 1/k.
    @Test(arguments: [0.3, 1.0, 2.5]) func gammaAndDirichletMoments(_ alpha: Double) {
        var g = Generator(seed: 5)
        let n = 40_000
        let draws = (0..<n).map { _ in Dirichlet.gamma(alpha, generator: &g) }
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        #expect(abs(mean - alpha) < 0.03 * max(alpha, 1) && abs(variance - alpha) < 0.08 * max(alpha, 1), "mean \(mean), variance \(variance)")
        var first = 0.0
        for _ in 0..<5_000 {
            let w = Dirichlet.sample(alpha: alpha, count: 7, generator: &g)
            #expect(abs(w.reduce(0, +) - 1) < 1e-12 && w.allSatisfy { $0 >= 0 })
            first += w[0]
        }
        #expect(abs(first / 5_000 - 1.0 / 7) < 0.01)
    }

    @Test func moveChoiceFromVisits() {
        var g = Generator(seed: 1)
        #expect(MCTS.chooseMove(visits: [3, 9, 9, 0], temperature: 0, generator: &g) == 1)
        var counts = [0, 0, 0, 0]
        for _ in 0..<20_000 { counts[MCTS.chooseMove(visits: [1, 0, 3, 6], temperature: 1, generator: &g)] += 1 }
        #expect(counts[1] == 0 && abs(Double(counts[3]) / 20_000 - 0.6) < 0.015 && abs(Double(counts[0]) / 20_000 - 0.1) < 0.01)
    }

    /// With priors and values from nowhere (uniform, 0), the search still finds an immediate win,
    /// and every simulation adds one root visit.
    @Test func searchFindsAnImmediateWin() throws {
        let uniform: Evaluate<ConnectFour> = { $0.map { _ in Evaluation(priors: [Double](repeating: 1, count: 7), value: 0) } }
        let tree = SearchTree(root: try #require(ConnectFour(moves: "121212")))
        var g = Generator(seed: 0)
        MCTS.search([tree], settings: SearchSettings(simulations: 300, cPuct: 1.5), evaluate: uniform, generator: &g)
        #expect(tree.visitCounts.reduce(0, +) == 300 && tree.visitCounts.indices.max { tree.visitCounts[$0] < tree.visitCounts[$1] } == 0)
        #expect(tree.rootQ[0] == 1)
    }

    static func games(_ count: Int, seed: UInt64, randomOpeningPlies: Int = 0) -> [SelfPlayGame] {
        var g = Generator(seed: seed)
        let uniform: Evaluate<ConnectFour> = { $0.map { _ in Evaluation(priors: [Double](repeating: 1, count: 7), value: 0) } }
        let settings = SelfPlaySettings(search: SearchSettings(simulations: 8, cPuct: 1.5, dirichletAlpha: 1, noiseFraction: 0.25),
                                        temperatureMoves: 42, randomOpeningPlies: randomOpeningPlies)
        return SelfPlay.play(games: count, settings: settings, evaluate: uniform, generator: &g)
    }

    /// Self-play records: one policy per move after the opening summing to 1, legal games, and z
    /// from each mover's view.
    @Test(arguments: [0, 12]) func selfPlayRecords(randomOpeningPlies: Int) {
        let games = Self.games(10, seed: 2, randomOpeningPlies: randomOpeningPlies)
        for (i, game) in games.enumerated() {
            #expect(game.openingPlies == 0 || (i % 2 == 1 && game.openingPlies <= randomOpeningPlies))
            #expect(game.policies.count == game.moves.count - game.openingPlies && game.policies.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-6 })
            var p = ConnectFour()
            for m in game.moves { p.play(m) }
            let last = p.outcome!
            #expect(game.result == (p.movesPlayed % 2 == 0 ? last : last.flipped))
            #expect(game.z(ply: game.moves.count - 1) == (last == .draw ? 0 : 1), "the last mover won or drew")
        }
        if randomOpeningPlies > 0 {
            #expect(games.indices.allSatisfy { ($0 % 2 == 1) == (games[$0].openingPlies > 0) }, "every second game opens at random")
            #expect(Set(games.map(\.openingPlies)).count > 2, "opening lengths vary")
        }
    }

    @Test(arguments: [0, 12]) func windowKeepsTheNewestGamesAndRoundTrips(randomOpeningPlies: Int) throws {
        var window = ReplayWindow(capacity: 5)
        let games = Self.games(8, seed: 3, randomOpeningPlies: randomOpeningPlies)
        window.add(Array(games[..<4]))
        window.add(Array(games[4...]))
        #expect(window.games == Array(games[3...]) && window.positionCount == games[3...].map { $0.moves.count - $0.openingPlies }.reduce(0, +))
        var file = SafeTensorsFile()
        window.save(into: &file, prefix: "w.")
        var restored = ReplayWindow(capacity: 5)
        try restored.restore(from: SafeTensorsFile(bytes: file.serialized()), prefix: "w.", source: "memory")
        #expect(restored == window)
        var illegal = file
        illegal.set("w.moves", IndexTensor(Array(repeating: 0, count: games[3...].map(\.moves.count).reduce(0, +))))
        #expect(throws: RunError.self) { try restored.restore(from: illegal, prefix: "w.", source: "memory") }
        var misfit = file
        misfit.set("w.openings", IndexTensor(window.games.map { $0.openingPlies + 1 }))
        #expect(throws: RunError.self) { try restored.restore(from: misfit, prefix: "w.", source: "memory") }
    }

    /// A window saved before random openings existed (no `openings`) reads as games without them.
    @Test func windowWithoutOpeningsRestores() throws {
        var window = ReplayWindow(capacity: 4)
        window.add(Self.games(4, seed: 5))
        var file = SafeTensorsFile()
        window.save(into: &file, prefix: "w.")
        file.remove("w.openings")
        var restored = ReplayWindow(capacity: 4)
        try restored.restore(from: file, prefix: "w.", source: "memory")
        #expect(restored == window)
    }

    /// Every sampled row is a position after a game's opening, mirrored or not, with its policy
    /// mirrored alike.
    @Test(arguments: [0, 12]) func batchRowsArePositionsWithTheirPolicies(randomOpeningPlies: Int) {
        var window = ReplayWindow(capacity: 10)
        let games = Self.games(4, seed: 4, randomOpeningPlies: randomOpeningPlies)
        window.add(games)
        var g = Generator(seed: 9)
        let batch = window.batch(size: 64, generator: &g)
        var known: [[Float]: [[Float]]] = [:]   // planes -> the (pi + [z]) rows they may carry
        for game in games {
            var p = ConnectFour()
            for (ply, m) in game.moves.enumerated() {
                for mirror in [false, true] where ply >= game.openingPlies {
                    var planes = [Float](repeating: 0, count: 126)
                    planes.withUnsafeMutableBufferPointer { (mirror ? p.mirrored : p).encode(into: $0.baseAddress!) }
                    let policy = game.policies[ply - game.openingPlies]
                    known[planes, default: []].append((mirror ? Array(policy.reversed()) : policy) + [game.z(ply: ply)])
                }
                p.play(m)
            }
        }
        for row in 0..<64 {
            let planes = Array(batch.x.data[(row * 126)..<((row + 1) * 126)])
            let target = Array(batch.pi.data[(row * 7)..<((row + 1) * 7)]) + [batch.z.data[row]]
            #expect(known[planes]?.contains(target) == true, "row \(row)")
        }
    }
}
