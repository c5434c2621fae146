// The Connect Four engine: moves, wins in every direction, draws, undo, the mirror and the planes.
import Testing
import AlphaGoZero
import WorkbenchNN

@Suite struct GameTests {
    @Test func startPosition() {
        let p = ConnectFour()
        #expect(p.legalMoves == Array(0..<7) && p.outcome == nil && p.movesPlayed == 0)
    }

    @Test func fullColumnIsIllegal() throws {
        let p = try #require(ConnectFour(moves: "444444"))
        #expect(!p.isLegal(3) && p.legalMoves == [0, 1, 2, 4, 5, 6])
        #expect(ConnectFour(moves: "4444444") == nil)
        #expect(ConnectFour(moves: "8") == nil && ConnectFour(moves: "0") == nil)
    }

    /// X plays the first stone of each pair; the last move of each line makes four for X.
    @Test(arguments: [("1212121", "vertical"), ("1122334", "horizontal"), ("65543656416", "rising diagonal"),
                      ("1131153232452", "falling diagonal")])
    func fourInARowWins(_ moves: String, _ direction: String) throws {
        let p = try #require(ConnectFour(moves: moves), "\(direction)")
        #expect(p.outcome == .loss, "\(direction): the player to move has lost\n\(p)")
        var before = ConnectFour(moves: String(moves.dropLast()))!
        #expect(before.outcome == nil && before.winningMoves().contains(Int(String(moves.last!))! - 1))
        before.play(Int(String(moves.last!))! - 1)
        #expect(before == p)
        #expect(ConnectFour(moves: moves + "1") == nil, "no move after the end")
    }

    /// In 300 random games, the bitboard's win test and its winning moves agree at every position
    /// with a scan of the cells for four in a row.
    @Test func bitboardAgreesWithACellScan() {
        func scanFinds(_ p: ConnectFour, owner: Int) -> Bool {
            for c in 0..<7 {
                for r in 0..<6 {
                    for (dc, dr) in [(1, 0), (0, 1), (1, 1), (1, -1)] where (0..<4).allSatisfy({ k in
                        (0..<7).contains(c + k * dc) && (0..<6).contains(r + k * dr) && p.cell(row: r + k * dr, column: c + k * dc) == owner
                    }) { return true }
                }
            }
            return false
        }
        var g = Generator(seed: 7)
        for _ in 0..<300 {
            var p = ConnectFour()
            while !p.isOver {
                let winning = p.legalMoves.filter { m in
                    var q = p
                    q.play(m)
                    return scanFinds(q, owner: -1)
                }
                #expect(p.winningMoves() == winning, "\(p)")
                let moves = p.legalMoves
                p.play(moves[g.integer(below: moves.count)])
                #expect((p.outcome == .loss) == scanFinds(p, owner: -1), "\(p)")
            }
        }
    }

    /// Three in a row with a gap, or split by the edge of the board, is not four.
    @Test func nearMissesAreNotWins() throws {
        #expect(try #require(ConnectFour(moves: "112233")).outcome == nil)
        #expect(try #require(ConnectFour(moves: "1627")).outcome == nil)
        #expect(try #require(ConnectFour(moves: "121212")).canWinNext)
        // The top of column 1 and the bottom of column 2 are not adjacent (the bitboard's sentinel row).
        #expect(try #require(ConnectFour(moves: "1111112222")).outcome == nil)
    }

    /// A full board without four in a row is a draw (a random game that found none).
    @Test func fullBoardIsADraw() throws {
        let p = try #require(ConnectFour(moves: "126613431456475467333341527215612225546777"))
        #expect(p.movesPlayed == 42 && p.outcome == .draw && p.legalMoves.isEmpty)
    }

    @Test func undoRestoresThePosition() throws {
        var p = try #require(ConnectFour(moves: "44455"))
        let before = p
        p.play(4)
        p.undo(4)
        #expect(p == before)
        var win = try #require(ConnectFour(moves: "121212"))
        win.play(0)
        win.undo(0)
        #expect(win == ConnectFour(moves: "121212")!)
    }

    @Test func mirrorReflectsColumns() throws {
        let p = try #require(ConnectFour(moves: "1123457"))
        let m = try #require(ConnectFour(moves: "7765431"))
        #expect(p.mirrored == m && m.mirrored == p)
        #expect(ConnectFour.mirror(move: 0) == 6 && ConnectFour.mirror(move: 3) == 3)
    }

    /// Planes: the mover's stones, the opponent's, and 1s when the first player is to move; row 0 is the top.
    @Test func encodingPlanes() throws {
        let p = try #require(ConnectFour(moves: "441"))  // X at d1, a1; O at d2; O to move
        var planes = [Float](repeating: -1, count: 3 * 42)
        planes.withUnsafeMutableBufferPointer { p.encode(into: $0.baseAddress!) }
        func at(_ plane: Int, _ row: Int, _ col: Int) -> Float { planes[plane * 42 + row * 7 + col] }
        #expect(at(0, 4, 3) == 1 && at(1, 5, 3) == 1 && at(1, 5, 0) == 1)
        #expect(planes[0..<42].reduce(0, +) == 1 && planes[42..<84].reduce(0, +) == 2)
        #expect(planes[84...].allSatisfy { $0 == 0 })
        var start = [Float](repeating: -1, count: 3 * 42)
        start.withUnsafeMutableBufferPointer { ConnectFour().encode(into: $0.baseAddress!) }
        #expect(start[0..<84].allSatisfy { $0 == 0 } && start[84...].allSatisfy { $0 == 1 })
    }
}
