// The perfect solver against a search without pruning, and against Connect Four's known results.
import AlphaGoZero
import Foundation
import Testing
import WorkbenchNN

@Suite struct SolverTests {
    /// Plain negamax over the whole game tree, with the solver's score (22 minus the stones the winner
    /// played; 0 for a draw): affordable within the last 9 moves.
    static func bruteForce(_ p: ConnectFour) -> Int {
        let winning = p.winningMoves()
        if !winning.isEmpty { return (43 - p.movesPlayed) / 2 }
        if p.movesPlayed == 42 { return 0 }
        return p.legalMoves.map { m in
            var child = p
            child.play(m)
            return child.movesPlayed == 42 ? 0 : -bruteForce(child)
        }.max()!
    }

    /// Random positions 33-38 stones deep: the exact score, the weak score's sign and every move's
    /// result equal plain negamax's.
    @Test func matchesPlainNegamaxNearTheEnd() {
        let solver = Solver(tableEntries: 131_101)
        var g = Generator(seed: 11)
        var checked = 0
        while checked < 60 {
            var p = ConnectFour()
            let depth = 33 + g.integer(below: 6)
            while !p.isOver && p.movesPlayed < depth {
                let moves = p.legalMoves
                p.play(moves[g.integer(below: moves.count)])
            }
            guard !p.isOver else { continue }
            let exact = Self.bruteForce(p)
            #expect(solver.score(p) == exact, "\(p)")
            #expect(solver.score(p, weak: true).signum() == exact.signum(), "\(p)")
            let outcomes = solver.moveOutcomes(p)
            for m in 0..<7 {
                guard p.isLegal(m) else {
                    #expect(outcomes[m] == nil)
                    continue
                }
                var child = p
                child.play(m)
                let value = child.outcome.map { $0 == .loss ? 1 : 0 } ?? -Self.bruteForce(child).signum()
                #expect(outcomes[m] == (value > 0 ? .win : value < 0 ? .loss : .draw), "move \(m + 1) in\n\(p)")
            }
            checked += 1
        }
    }

    /// Hand-checked: an immediate win scores 22 minus the winner's stones; two open threats of the
    /// opponent lose; blocking the only threat is forced.
    @Test func handCheckedPositions() throws {
        let solver = Solver(tableEntries: 131_101)
        // X has a1 a2 a3 and is to move: wins with its 4th stone, score 22 - 4 = 18.
        #expect(solver.score(try #require(ConnectFour(moves: "121212"))) == 18)
        // O to move; X (c1 d1 e1) threatens both b1 and f1: O loses, X wins with its 4th stone.
        let twoThreats = try #require(ConnectFour(moves: "37475"))
        #expect(solver.score(twoThreats) == -(22 - 4))
        #expect(solver.moveOutcomes(twoThreats).compactMap { $0 }.allSatisfy { $0 == .loss })
        // 22 stones in, the player to move must block the opponent's only threat, in column 5.
        let block = try #require(ConnectFour(moves: "3177736561733566374374"))
        let outcomes = solver.moveOutcomes(block)
        #expect(outcomes[4] != .loss && outcomes.indices.allSatisfy { $0 == 4 || outcomes[$0] ?? .loss == .loss })
    }
}
