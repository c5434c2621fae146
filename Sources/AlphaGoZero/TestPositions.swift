// Connect Four positions labelled by the perfect solver: every legal move scored win, draw or loss.
// A run measures the share of them where the network's move (its policy's argmax) and its
// search's move are optimal, i.e. keep the best result the position allows.
import Foundation
import WorkbenchData
import WorkbenchNN
import WorkbenchRun

public struct TestPosition: Sendable, Equatable {
    /// Columns 1-7 from the start position.
    public var moves: String
    /// Per column: the result of playing there, nil for a full column.
    public var outcomes: [Outcome?]

    public var position: ConnectFour { ConnectFour(moves: moves)! }

    /// Whether `move` keeps the best result among the legal moves.
    public func isOptimal(_ move: Int) -> Bool {
        func rank(_ o: Outcome?) -> Int { o == .win ? 2 : o == .draw ? 1 : o == .loss ? 0 : -1 }
        return rank(outcomes[move]) >= 0 && rank(outcomes[move]) == outcomes.map(rank).max()
    }

    /// "4453 LLDWDL-": moves, then W/D/L per column ('-' full).
    public var line: String {
        (moves.isEmpty ? "-" : moves) + " " + String(outcomes.map { o -> Character in
            o == .win ? "W" : o == .draw ? "D" : o == .loss ? "L" : "-"
        })
    }

    init(moves: String, outcomes: [Outcome?]) {
        self.moves = moves
        self.outcomes = outcomes
    }

    init?(line: String) {
        let parts = line.split(separator: " ")
        guard parts.count == 2, parts[1].count == ConnectFour.width else { return nil }
        moves = parts[0] == "-" ? "" : String(parts[0])
        outcomes = parts[1].map { $0 == "W" ? .win : $0 == "D" ? .draw : $0 == "L" ? .loss : nil }
        guard let p = ConnectFour(moves: moves), !p.isOver,
              (0..<ConnectFour.width).allSatisfy({ p.isLegal($0) == (outcomes[$0] != nil) }) else { return nil }
    }
}

public enum TestPositions {
    /// `count` positions, half from uniformly random play and half from games where both sides play
    /// a solver-optimal move except for one random move in four (the kind of play a trained agent
    /// shows), `minStones`...36 stones deep; only positions where some legal move is not optimal
    /// (otherwise every move passes). The solver needs seconds for the earliest positions.
    public static func build(count: Int, seed: UInt64, minStones: Int = 12, progress: (Int) -> Void = { _ in }) -> [TestPosition] {
        let solver = Solver()
        var g = Generator(seed: seed)
        var out: [TestPosition] = []
        while out.count < count {
            let strong = out.count % 2 == 1
            let depth = minStones + g.integer(below: 37 - minStones)
            var p = ConnectFour(), moves = ""
            while !p.isOver && p.movesPlayed < depth {
                var move = p.randomMove(&g)
                if strong && g.integer(below: 4) != 0 && p.movesPlayed >= minStones {
                    let outcomes = solver.moveOutcomes(p)
                    let best = TestPosition(moves: moves, outcomes: outcomes)
                    let optimal = (0..<ConnectFour.width).filter(best.isOptimal)
                    move = optimal[g.integer(below: optimal.count)]
                }
                p.play(move)
                moves += String(move + 1)
            }
            guard !p.isOver else { continue }
            let labelled = TestPosition(moves: moves, outcomes: solver.moveOutcomes(p))
            guard (0..<ConnectFour.width).contains(where: { p.isLegal($0) && !labelled.isOptimal($0) }) else { continue }
            out.append(labelled)
            progress(out.count)
        }
        return out
    }

    /// The cached set `connect4-positions-seed<seed>-n<count>.txt` under `root`
    /// (`GeneratedData.root()/alphago-zero`), built and written atomically when missing.
    public static func cached(root: String = GeneratedData.root() + "/alphago-zero", count: Int, seed: UInt64) throws -> [TestPosition] {
        let path = "\(root)/connect4-positions-seed\(seed)-n\(count).txt"
        if FileManager.default.fileExists(atPath: path) { return try load(path) }
        print("Solving \(count) test positions for \(path) (once per machine)")
        let bar = Progress(label: "solving", total: count)
        let positions = build(count: count, seed: seed) { bar.update($0) }
        bar.finish()
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try writeFileAtomically(path, Array((positions.map(\.line).joined(separator: "\n") + "\n").utf8))
        } catch {
            throw RunError.invalid("cannot write the test positions to \(path): \(error)")
        }
        return positions
    }

    /// Reads a file of `TestPosition` lines; a malformed line is an error naming it.
    public static func load(_ path: String) throws -> [TestPosition] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RunError.invalid("cannot read test positions \(path): \(error.localizedDescription)")
        }
        return try text.split(separator: "\n").enumerated().map { i, line in
            guard let p = TestPosition(line: String(line)) else {
                throw RunError.invalid("\(path):\(i + 1): not a test position (moves, then W/D/L/- per column): \(line)")
            }
            return p
        }
    }

    /// The share of `positions` where the policy head's most likely legal move is optimal, and
    /// where the move of a search with `simulations` is.
    public static func accuracy(_ positions: [TestPosition], net: AlphaGoZeroNet, simulations: Int, cPuct: Double,
                                generator g: inout Generator) -> (network: Double, search: Double) {
        let boards = positions.map(\.position)
        let evaluate = networkEvaluator(net)
        let alone = Player.policy(evaluate: evaluate).choose(boards, &g)
        let searched = Player.search(simulations: simulations, cPuct: cPuct, evaluate: evaluate).choose(boards, &g)
        let network = zip(positions, alone).filter { $0.isOptimal($1) }.count
        let search = zip(positions, searched).filter { $0.isOptimal($1) }.count
        return (Double(network) / Double(positions.count), Double(search) / Double(positions.count))
    }
}
