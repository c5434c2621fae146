// Games: self-play into training examples (Silver et al. 2017, Methods, "Self-play"), and matches
// between players for the evaluator and the measurements. Many games advance in lockstep so that
// every search round evaluates one batch of leaves.
import WorkbenchNN

/// The network as the search's evaluator: positions encoded into one batch, eval mode, no graph;
/// priors are the softmax of the logits, the value the tanh head.
public func networkEvaluator(_ net: AlphaGoZeroNet) -> Evaluate<ConnectFour> {
    { positions in
        let size = ConnectFour.inputShape.reduce(1, *)
        let x = Tensor(shape: [positions.count] + ConnectFour.inputShape) { buffer in
            for (i, p) in positions.enumerated() { p.encode(into: buffer.baseAddress! + i * size) }
        }
        let wasTraining = net.training
        net.train(false)
        defer { net.train(wasTraining) }
        let (logits, value) = withNoGrad { net(x) }
        let p = F.softmax(logits, dim: 1).data, v = value.data, a = ConnectFour.actionCount
        return (0..<positions.count).map { i in
            Evaluation(priors: (0..<a).map { Double(p[i * a + $0]) }, value: Double(v[i]))
        }
    }
}

/// A pure Monte Carlo evaluator (the measurement's baseline): uniform priors, and as value the
/// result of one game played on by uniformly random moves, for the player to move at the leaf.
public func rolloutEvaluator(generator: Generator) -> Evaluate<ConnectFour> {
    var g = generator
    return { positions in
        positions.map { start in
            var p = start
            var sign = 1.0
            while !p.isOver {
                p.play(p.randomMove(&g))
                sign = -sign
            }
            return Evaluation(priors: [Double](repeating: 1, count: ConnectFour.actionCount),
                              value: sign * Double(p.outcome!.value))
        }
    }
}

/// Chooses moves for a batch of positions.
public struct Player {
    let choose: ([ConnectFour], inout Generator) -> [Int]

    /// Uniformly random legal moves.
    public static var random: Player {
        Player { positions, g in positions.map { $0.randomMove(&g) } }
    }

    /// The policy head's most likely legal move, no search: what the network alone has learnt.
    public static func policy(evaluate: @escaping Evaluate<ConnectFour>) -> Player {
        Player { positions, _ in
            zip(positions, evaluate(positions)).map { p, e in p.legalMoves.max { e.priors[$0] < e.priors[$1] }! }
        }
    }

    /// The most visited move of a search with `evaluate` (no root noise).
    public static func search(simulations: Int, cPuct: Double, evaluate: @escaping Evaluate<ConnectFour>) -> Player {
        Player { positions, g in
            let trees = positions.map { SearchTree(root: $0) }
            MCTS.search(trees, settings: SearchSettings(simulations: simulations, cPuct: cPuct), evaluate: evaluate, generator: &g)
            return trees.map { MCTS.chooseMove(visits: $0.visitCounts, temperature: 0, generator: &g) }
        }
    }
}

/// The result of a match, counted for the first-named player.
public struct MatchResult: Sendable, Equatable {
    public var wins = 0, draws = 0, losses = 0
    /// Of the games it moved first in.
    public var lossesAsFirst = 0

    public var games: Int { wins + draws + losses }
    /// Wins plus half the draws, per game (the evaluator's 55 % threshold is on this).
    public var score: Double { (Double(wins) + 0.5 * Double(draws)) / Double(max(games, 1)) }
    public var winRate: Double { Double(wins) / Double(max(games, 1)) }
}

public enum Match {
    /// `games` games of `a` against `b`, `a` moving first in the even-numbered ones. The first
    /// `openingMoves` plies of each game are uniformly random, so that deterministic players do not
    /// repeat one game.
    public static func play(_ a: Player, _ b: Player, games: Int, openingMoves: Int, generator g: inout Generator) -> MatchResult {
        var positions = [ConnectFour](repeating: ConnectFour(), count: games)
        for i in 0..<games { positions[i].playRandomly(upTo: openingMoves, generator: &g) }
        // Game i: `a` is to move when (movesPlayed + i) is even.
        while true {
            let live = positions.indices.filter { !positions[$0].isOver }
            if live.isEmpty { break }
            for (player, parity) in [(a, 0), (b, 1)] {
                let turn = live.filter { !positions[$0].isOver && (positions[$0].movesPlayed + $0) % 2 == parity }
                if turn.isEmpty { continue }
                for (i, move) in zip(turn, player.choose(turn.map { positions[$0] }, &g)) { positions[i].play(move) }
            }
        }
        var result = MatchResult()
        for (i, p) in positions.enumerated() {
            // The player to move at the end has lost (or drawn); it is `a` when (movesPlayed + i) is even.
            let aToMove = (p.movesPlayed + i) % 2 == 0
            switch p.outcome! {
            case .draw: result.draws += 1
            case .loss where aToMove:
                result.losses += 1
                if i % 2 == 0 { result.lossesAsFirst += 1 }
            default: result.wins += 1
            }
        }
        return result
    }
}

/// One self-play game: its moves, the search's visit distribution at each position, and the result
/// for the first player.
public struct SelfPlayGame: Sendable, Equatable {
    public var moves: [Int] = []
    /// The first moves, uniformly random (`SelfPlaySettings.randomOpeningPlies`): no search, so
    /// the positions before them are not training examples.
    public var openingPlies = 0
    /// One per position before each move after the opening, actionCount entries summing to 1.
    public var policies: [[Float]] = []
    public var result: Outcome = .draw

    /// The value target z of the position before move `ply`: the result for its player to move.
    public func z(ply: Int) -> Float { ply % 2 == 0 ? result.value : result.flipped.value }
}

public struct SelfPlaySettings: Sendable, Equatable {
    public var search: SearchSettings
    /// Moves sampled in proportion to the visit counts (temperature 1); greedy after.
    public var temperatureMoves: Int
    /// When positive, every second game (the odd-numbered ones) opens with 1...randomOpeningPlies
    /// uniformly random moves, so that the network also learns positions its own play avoids.
    public var randomOpeningPlies: Int

    public init(search: SearchSettings, temperatureMoves: Int, randomOpeningPlies: Int = 0) {
        self.search = search
        self.temperatureMoves = temperatureMoves
        self.randomOpeningPlies = randomOpeningPlies
    }
}

public enum SelfPlay {
    /// Plays `games` games of the network against itself, all at once; `progress` gets the number
    /// of finished games after every move.
    public static func play(games: Int, settings: SelfPlaySettings, evaluate: Evaluate<ConnectFour>,
                            generator g: inout Generator, progress: (Int) -> Void = { _ in }) -> [SelfPlayGame] {
        var positions = [ConnectFour](repeating: ConnectFour(), count: games)
        var records = [SelfPlayGame](repeating: SelfPlayGame(), count: games)
        if settings.randomOpeningPlies > 0 {
            for i in stride(from: 1, to: games, by: 2) {
                let plies = 1 + g.integer(below: settings.randomOpeningPlies)
                repeat {    // again from the empty board if the random moves end the game
                    positions[i] = ConnectFour()
                    records[i].moves = positions[i].playRandomly(upTo: plies, generator: &g)
                } while positions[i].isOver
                records[i].openingPlies = plies
            }
        }
        while true {
            let live = positions.indices.filter { !positions[$0].isOver }
            if live.isEmpty { break }
            let trees = live.map { SearchTree(root: positions[$0]) }
            MCTS.search(trees, settings: settings.search, evaluate: evaluate, generator: &g)
            for (i, tree) in zip(live, trees) {
                let visits = tree.visitCounts, total = Float(visits.reduce(0, +))
                records[i].policies.append(visits.map { Float($0) / total })
                let temperature: Double = positions[i].movesPlayed < settings.temperatureMoves ? 1 : 0
                let move = MCTS.chooseMove(visits: visits, temperature: temperature, generator: &g)
                records[i].moves.append(move)
                positions[i].play(move)
            }
            progress(positions.filter(\.isOver).count)
        }
        for i in 0..<games {
            // The player to move at the end has lost or drawn; flip to the first player's view.
            let last = positions[i].outcome!
            records[i].result = positions[i].movesPlayed % 2 == 0 ? last : last.flipped
        }
        return records
    }
}
