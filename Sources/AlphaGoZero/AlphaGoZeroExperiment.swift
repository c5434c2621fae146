// `workbench run alphago-zero`: AlphaGo Zero's training pipeline (Silver et al. 2017, Methods) on
// Connect Four. Each epoch of the run is one generation: the best network plays itself (MCTS,
// root noise, temperature), its games join the replay window, the trained network takes SGD steps
// on window batches, then the evaluator plays trained against best and promotes the trained
// network if it scores 55 % (or always, AlphaZero-style). After every generation the run measures
// play against a random player and pure MCTS, and moves against the perfect solver.
import Foundation
import WorkbenchNN
import WorkbenchRun

public enum AlphaGoZeroExperiment: PaperExperiment {
    public static let id = "alphago-zero"
    public static let title = "AlphaGo Zero — Silver et al. 2017, Mastering the game of Go without human knowledge (Nature 550:354), on Connect Four"
    public static var presets: [(name: String, summary: String)] { AlphaGoZeroRecipe.all.map { ($0.name, $0.summary) } }
    public static let defaultPreset = "quick"
    public static let datasets: [String] = []

    public static func registerFixtures() { AlphaGoZeroFixtures.register() }

    /// `workbench import`: a PyTorch state dict of reference/model.py fills `net` (and `best`, a copy).
    public static func importModules(preset: String, model: FixtureConfig?) throws -> ImportedModules {
        var recipe = try AlphaGoZeroRecipe.named(preset, in: AlphaGoZeroRecipe.all, paper: id)
        if let model { recipe.model = try AlphaGoZeroConfig(model) }
        var g = Generator(seed: 0)
        let net = AlphaGoZeroNet(recipe.model, generator: &g), best = AlphaGoZeroNet(recipe.model, generator: &g)
        return ImportedModules(hyperparameters: recipe.hyperparameters, modules: ["net": net, "best": best],
                               primary: "net", optional: ["best"]) { held in
            if !held.contains("best") { try best.loadStateDict(Dictionary(uniqueKeysWithValues: net.stateDict())) }
        }
    }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        let recipe = try AlphaGoZeroRecipe.named(run.preset, in: AlphaGoZeroRecipe.all, paper: id)
        let generations = run.epochs ?? recipe.generations
        var hyper = recipe.hyperparameters
        hyper["generations"] = .int(generations)
        try run.writeConfig(hyper)
        let positions = try testPositions(recipe, dataDirectory: run.dataDirectory)

        var g = Generator(seed: run.seed)
        let net = AlphaGoZeroNet(recipe.model, generator: &g), best = AlphaGoZeroNet(recipe.model, generator: &g)
        try best.loadStateDict(Dictionary(uniqueKeysWithValues: net.stateDict()))
        let optimizer = SGD(net.parameters(), lr: recipe.learningRate, momentum: recipe.momentum, weightDecay: 2 * recipe.l2)
        var streams = ["self_play": Generator(seed: run.seed &+ 1), "train": Generator(seed: run.seed &+ 2),
                       "evaluation": Generator(seed: run.seed &+ 3)]
        var window = ReplayWindow(capacity: recipe.windowGames)
        var bestElo = 0.0
        print("AlphaGo Zero \(run.preset): \(net.parameterCount) parameters; \(generations) generations of \(recipe.gamesPerGeneration) games, \(recipe.simulations) simulations per move")

        let loop = TrainingLoop(run, epochs: generations, modules: ["net": net, "best": best], optimizers: ["optimizer": optimizer],
                                generators: { streams }, metric: "optimal_moves_mcts")
        let windowPath = run.checkpointsDirectory + "/window.safetensors"
        loop.willCheckpoint = {
            var file = SafeTensorsFile()
            window.save(into: &file, prefix: "window.")
            try file.write(to: windowPath)
        }
        loop.extraState = { ["best_elo": bestElo] }
        loop.logEvery = 10
        loop.plots = [
            PlotSpec("play", title: "AlphaGo Zero on Connect Four (\(run.preset)): play", series: ["win_rate_vs_random", "network_win_rate_vs_random", "win_rate_vs_mcts", "score_vs_best"], yLabel: "share of games"),
            PlotSpec("solver", title: "Optimal moves on \(positions.count) solved positions", series: ["optimal_moves_network", "optimal_moves_mcts"], yLabel: "share of positions"),
            PlotSpec("elo", title: "Elo of the best network (generation 0 = 0)", series: ["elo"], yLabel: "Elo"),
        ]
        if let restored = try loop.restore() {
            streams.merge(restored) { $1 }
            bestElo = loop.restoredExtra["best_elo"] ?? 0
            let file = try SafeTensorsFile(contentsOf: windowPath)
            try window.restore(from: file, prefix: "window.", source: windowPath)
        }
        let selfPlay = SelfPlaySettings(search: SearchSettings(simulations: recipe.simulations, cPuct: recipe.cPuct,
                                                               dirichletAlpha: recipe.dirichletAlpha, noiseFraction: recipe.noiseFraction),
                                        temperatureMoves: recipe.temperatureMoves, randomOpeningPlies: recipe.randomOpeningPlies)
        var gamesPerSecond = 0.0
        try loop.fit(batches: { generation in
            let bar = run.progress("self-play \(generation + 1)/\(generations)", total: recipe.gamesPerGeneration)
            let start = ContinuousClock.now
            window.add(SelfPlay.play(games: recipe.gamesPerGeneration, settings: selfPlay, evaluate: networkEvaluator(best),
                                     generator: &streams["self_play"]!) { bar.update($0) })
            gamesPerSecond = Double(recipe.gamesPerGeneration) / (ContinuousClock.now - start).inSeconds
            bar.finish(info: String(format: "%.1f games/s, %d positions in the window", gamesPerSecond, window.positionCount))
            return 0..<recipe.stepsPerGeneration
        }, step: { _, ctx in
            optimizer.lr = recipe.learningRate * pow(0.1, Float(recipe.lrDropSteps.filter { ctx.step >= $0 }.count))
            let batch = window.batch(size: recipe.batchSize, generator: &streams["train"]!)
            net.train(true)
            optimizer.zeroGrad()
            let (logits, value) = net(batch.x)
            let loss = alphaGoZeroLoss(logits: logits, value: value, pi: batch.pi, z: batch.z)
            loss.loss.backward()
            optimizer.step()
            return StepStats(["loss": Double(loss.loss.item()), "value_loss": Double(loss.valueLoss.item()),
                              "policy_loss": Double(loss.policyLoss.item())], weight: Double(recipe.batchSize))
        }, evaluate: { _ in
            var m = try measure(recipe, net: net, best: best, positions: positions, generator: &streams["evaluation"]!)
            let candidateElo = bestElo + eloDifference(score: m["score_vs_best"]!, games: recipe.evaluationGames)
            let promoted = !recipe.gating || m["score_vs_best"]! >= recipe.gateThreshold
            if promoted {
                try best.loadStateDict(Dictionary(uniqueKeysWithValues: net.stateDict()))
                bestElo = candidateElo
            }
            m["promoted"] = promoted ? 1 : 0
            m["elo"] = bestElo
            m["self_play_games_per_second"] = gamesPerSecond
            m["window_positions"] = Double(window.positionCount)
            return m
        })
        var summary = loop.summary
        summary["parameters"] = Double(net.parameterCount)
        summary["elo"] = bestElo
        return summary
    }

    /// The evaluator's match (trained vs best) and the measurements of the trained network.
    static func measure(_ recipe: AlphaGoZeroRecipe, net: AlphaGoZeroNet, best: AlphaGoZeroNet, positions: [TestPosition],
                        generator g: inout Generator) throws -> [String: Double] {
        let agent = Player.search(simulations: recipe.evaluationSimulations, cPuct: recipe.cPuct, evaluate: networkEvaluator(net))
        let champion = Player.search(simulations: recipe.evaluationSimulations, cPuct: recipe.cPuct, evaluate: networkEvaluator(best))
        let score = Match.play(agent, champion, games: recipe.evaluationGames, openingMoves: recipe.openingMoves, generator: &g).score
        return measure(recipe, net: net, positions: positions, generator: &g).merging(["score_vs_best": score]) { $1 }
    }

    /// A network with the recipe's evaluation search: win rates against a random player (with and
    /// without search) and against pure MCTS, and its optimal moves on the solved positions.
    static func measure(_ recipe: AlphaGoZeroRecipe, net: AlphaGoZeroNet, positions: [TestPosition],
                        generator g: inout Generator) -> [String: Double] {
        var m: [String: Double] = [:]
        let agent = Player.search(simulations: recipe.evaluationSimulations, cPuct: recipe.cPuct, evaluate: networkEvaluator(net))
        m["win_rate_vs_random"] = Match.play(agent, .random, games: recipe.randomGames, openingMoves: 0, generator: &g).winRate
        m["network_win_rate_vs_random"] = Match.play(.policy(evaluate: networkEvaluator(net)), .random, games: recipe.randomGames,
                                                     openingMoves: 0, generator: &g).winRate
        if recipe.pureMCTSGames > 0 {
            let pure = Player.search(simulations: recipe.pureMCTSSimulations, cPuct: recipe.cPuct,
                                     evaluate: rolloutEvaluator(generator: Generator(seed: g.next())))
            // From the empty board, where the first player has a forced win: a loss as first is a
            // mistake. The rollouts make the games differ without random opening plies.
            let r = Match.play(agent, pure, games: recipe.pureMCTSGames, openingMoves: 0, generator: &g)
            m["win_rate_vs_mcts"] = r.winRate
            m["losses_as_first_vs_mcts"] = Double(r.lossesAsFirst)
        }
        let accuracy = TestPositions.accuracy(positions, net: net, simulations: recipe.evaluationSimulations, cPuct: recipe.cPuct, generator: &g)
        m["optimal_moves_network"] = accuracy.network
        m["optimal_moves_mcts"] = accuracy.search
        return m
    }

    /// `workbench eval alphago-zero RUN`: the checkpoint's network (`RunCheckpoint.rule`) measured as
    /// a run measures it after each generation, with `simulations` per move instead of the preset's
    /// evaluation search and `games` games against random and against pure MCTS each.
    public static func evaluate(checkpoint: String, simulations: Int?, games: Int?, seed: UInt64,
                                dataDirectory: String?) throws -> [String: Double] {
        let (path, net, trained) = try loadAgent(checkpoint)
        var recipe = trained
        if let simulations { recipe.evaluationSimulations = simulations }
        if let games {
            recipe.randomGames = games
            recipe.pureMCTSGames = games
        }
        let positions = try testPositions(recipe, dataDirectory: dataDirectory)
        print("\(path): \(recipe.evaluationSimulations) simulations per move, \(recipe.randomGames) games against random, "
              + "\(recipe.pureMCTSGames) against pure MCTS (\(recipe.pureMCTSSimulations) rollouts), \(positions.count) solved positions")
        var g = Generator(seed: seed)
        return measure(recipe, net: net, positions: positions, generator: &g)
    }

    /// 400 log10(s / (1 - s)): the Elo gap a match score implies, s kept within half a game of 0 and 1.
    static func eloDifference(score: Double, games: Int) -> Double {
        let half = 0.5 / Double(max(games, 1))
        let s = min(max(score, half), 1 - half)
        return 400 * log10(s / (1 - s))
    }

    /// The solver-labelled positions: `--data-dir DIR` reads DIR/connect4-positions.txt; otherwise
    /// the preset's count, built once per machine into the cache (`GeneratedData.root()`).
    static func testPositions(_ recipe: AlphaGoZeroRecipe, dataDirectory: String?) throws -> [TestPosition] {
        if let dataDirectory { return try TestPositions.load(dataDirectory + "/connect4-positions.txt") }
        return try TestPositions.cached(count: recipe.testPositions, seed: 0)
    }
}

extension AlphaGoZeroExperiment {
    /// `workbench play alphago-zero RUN`: a game against the run's network (`RunCheckpoint.rule`)
    /// in the terminal. The board is drawn before every move; the person types a column (1-7),
    /// the agent answers with the most visited move of `simulations` and shows its value estimate
    /// and its visits per column. Returns the result for the person, or nil when they type q; the
    /// input ending mid-game is an error.
    public static func play(checkpoint: String, humanFirst: Bool, simulations: Int, seed: UInt64,
                            readLine: () -> String? = { Swift.readLine() }) throws -> Outcome? {
        let (_, net, recipe) = try loadAgent(checkpoint)
        var stream = Generator(seed: seed)
        var p = ConnectFour()
        print("You are \(humanFirst ? "X (first)" : "O (second)"). Type a column 1-7, or q to stop.")
        while !p.isOver {
            print("\n\(p)")
            if (p.movesPlayed % 2 == 0) == humanFirst {
                print("your move: ", terminator: "")
                guard let line = readLine()?.trimmingCharacters(in: .whitespaces) else {
                    print()
                    throw RunError.invalid("the input ended after \(p.movesPlayed) moves, before the game did")
                }
                if line == "q" {
                    print("Stopped after \(p.movesPlayed) moves.")
                    return nil
                }
                guard let column = Int(line), (1...ConnectFour.width).contains(column), p.isLegal(column - 1) else {
                    print("'\(line)' is not a playable column: type one of \(p.legalMoves.map { String($0 + 1) }.joined(separator: " "))")
                    continue
                }
                p.play(column - 1)
            } else {
                let tree = SearchTree(root: p)
                MCTS.search([tree], settings: SearchSettings(simulations: simulations, cPuct: recipe.cPuct),
                            evaluate: networkEvaluator(net), generator: &stream)
                let move = MCTS.chooseMove(visits: tree.visitCounts, temperature: 0, generator: &stream)
                print("agent plays \(move + 1)   value \(String(format: "%+.2f", tree.rootValue))   visits "
                      + tree.visitCounts.enumerated().map { "\($0.offset + 1):\($0.element)" }.joined(separator: " "))
                p.play(move)
            }
        }
        print("\n\(p)")
        let humanToMove = (p.movesPlayed % 2 == 0) == humanFirst
        let result = p.outcome == .draw ? Outcome.draw : humanToMove ? .loss : .win
        print(result == .draw ? "Draw." : result == .win ? "You win." : "The agent wins.")
        return result
    }

    /// A checkpoint's file (`RunCheckpoint.rule`), its network and the recipe of the preset it was
    /// trained with (the first preset's for a file without one).
    static func loadAgent(_ checkpoint: String) throws -> (path: String, net: AlphaGoZeroNet, recipe: AlphaGoZeroRecipe) {
        let path = try RunCheckpoint(checkpoint, paper: id).path
        let presetName = try SafeTensorsFile(contentsOf: path).metadata["preset"] ?? ""
        let recipe = (try? AlphaGoZeroRecipe.named(presetName, in: AlphaGoZeroRecipe.all, paper: id)) ?? AlphaGoZeroRecipe.all[0]
        return (path, try loadNetwork(path), recipe)
    }

    /// The trained network (`net.*`) of a checkpoint, its sizes read off the weight shapes.
    public static func loadNetwork(_ path: String) throws -> AlphaGoZeroNet {
        let file = try SafeTensorsFile(contentsOf: path)
        guard let stem = file["net.conv.weight"], stem.shape.count == 4, let valueFC = file["net.value_fc1.weight"], valueFC.shape.count == 2 else {
            throw RunError.invalid("\(path) holds no AlphaGo Zero network (net.conv.weight, net.value_fc1.weight)")
        }
        var config = AlphaGoZeroConfig()
        config.channels = stem.shape[0]
        config.inChannels = stem.shape[1]
        config.valueHidden = valueFC.shape[0]
        config.blocks = Set(file.names.compactMap { name -> Int? in
            let parts = name.split(separator: ".")
            return parts.count > 3 && parts[1] == "blocks" ? Int(parts[2]) : nil
        }).count
        var g = Generator(seed: 0)
        let net = AlphaGoZeroNet(config, generator: &g)
        _ = try Checkpoint.load(from: path, modules: ["net": net])
        return net
    }
}
