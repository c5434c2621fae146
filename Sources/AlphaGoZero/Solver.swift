// A perfect Connect Four solver: negamax with alpha-beta, a null-window search that narrows the
// score, move ordering (centre first, then by the threats a move makes), pruning of moves that
// lose at once, and a transposition table. It follows J. Pons's "Solving Connect 4" tutorial
// (blog.gamesolver.org): the score of a position is, for the player to move, 0 for a draw,
// (22 - stones the winner plays) for a win, and its negation for a loss, so a faster win scores higher.

/// Solves positions; the transposition table is kept between calls (an entry is a bound on a
/// position's score whatever the root), so solving many positions of one game is cheap.
public final class Solver {
    static let width = ConnectFour.width, height = ConnectFour.height
    static let cells = width * height
    static let minScore = -cells / 2 + 3, maxScore = (cells + 1) / 2 - 3
    static let columnOrder = (0..<width).map { width / 2 + (1 - 2 * ($0 % 2)) * ($0 + 1) / 2 }

    private var table: TranspositionTable
    /// Positions searched since the solver was made.
    public private(set) var nodes = 0

    /// `tableEntries`: a prime above 2^17 (the 49-bit key is told apart by its low 32 bits and its
    /// slot). The default 8,388,593 takes 40 MB.
    public init(tableEntries: Int = 8_388_593) {
        table = TranspositionTable(entries: tableEntries)
    }

    /// The exact score of `p` for the player to move (see the file comment); `weak` only tells a win
    /// (> 0), a draw (0) and a loss (< 0) apart, which is much faster.
    public func score(_ p: ConnectFour, weak: Bool = false) -> Int {
        precondition(!p.isOver, "Solver.score: the game is over")
        if p.canWinNext { return (Self.cells + 1 - p.movesPlayed) / 2 }
        var lower = -(Self.cells - p.movesPlayed) / 2, upper = (Self.cells + 1 - p.movesPlayed) / 2
        if weak { (lower, upper) = (-1, 1) }
        while lower < upper {
            var mid = lower + (upper - lower) / 2
            if mid <= 0 && lower / 2 < mid { mid = lower / 2 } else if mid >= 0 && upper / 2 > mid { mid = upper / 2 }
            let r = negamax(p, alpha: mid, beta: mid + 1)
            if r <= mid { upper = r } else { lower = r }
        }
        return lower
    }

    /// The result of each legal move for the player to move (nil for a full column).
    public func moveOutcomes(_ p: ConnectFour) -> [Outcome?] {
        (0..<Self.width).map { c -> Outcome? in
            guard p.isLegal(c) else { return nil }
            var child = p
            child.play(c)
            if let o = child.outcome { return o.flipped }
            let s = -score(child, weak: true)
            return s > 0 ? .win : s < 0 ? .loss : .draw
        }
    }

    private func negamax(_ p: ConnectFour, alpha: Int, beta: Int) -> Int {
        var alpha = alpha, beta = beta
        nodes += 1
        let next = nonLosingCells(p)
        if next == 0 { return -(Self.cells - p.movesPlayed) / 2 }
        if p.movesPlayed >= Self.cells - 2 { return 0 }
        let lower = -(Self.cells - 2 - p.movesPlayed) / 2
        if alpha < lower {
            alpha = lower
            if alpha >= beta { return alpha }
        }
        let upper = (Self.cells - 1 - p.movesPlayed) / 2
        if beta > upper {
            beta = upper
            if alpha >= beta { return beta }
        }
        let key = p.current &+ p.mask
        let stored = table.get(key)
        if stored > Self.maxScore - Self.minScore + 1 {
            let bound = stored + 2 * Self.minScore - Self.maxScore - 2
            if alpha < bound {
                alpha = bound
                if alpha >= beta { return alpha }
            }
        } else if stored != 0 {
            let bound = stored + Self.minScore - 1
            if beta > bound {
                beta = bound
                if alpha >= beta { return beta }
            }
        }
        var moves = MoveList()
        for i in stride(from: Self.width - 1, through: 0, by: -1) {
            let cell = next & ConnectFour.columnMask(Self.columnOrder[i])
            if cell != 0 {
                moves.add(cell, score: ConnectFour.winningCells(p.current | cell, mask: p.mask).nonzeroBitCount)
            }
        }
        while let cell = moves.next() {
            var child = p
            child.play(cell: cell)
            let score = -negamax(child, alpha: -beta, beta: -alpha)
            if score >= beta {
                table.put(key, score + Self.maxScore - 2 * Self.minScore + 2)
                return score
            }
            if score > alpha { alpha = score }
        }
        table.put(key, alpha - Self.minScore + 1)
        return alpha
    }

    /// Playable cells that do not hand the opponent an immediate win; 0 if every move loses.
    private func nonLosingCells(_ p: ConnectFour) -> UInt64 {
        var playable = p.playableCells
        let opponentWins = ConnectFour.winningCells(p.current ^ p.mask, mask: p.mask)
        let forced = playable & opponentWins
        if forced != 0 {
            if forced & (forced - 1) != 0 { return 0 }
            playable = forced
        }
        return playable & ~(opponentWins >> 1)
    }
}

/// Up to 7 cells sorted by score; `next` returns the best, the last added among equals (the
/// column order then puts the centre first).
struct MoveList {
    private var cells: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)
    private var scores: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
    private var count = 0

    mutating func add(_ cell: UInt64, score: Int) {
        withUnsafeMutableBytes(of: &cells) { cb in
            withUnsafeMutableBytes(of: &scores) { sb in
                let c = cb.bindMemory(to: UInt64.self), s = sb.bindMemory(to: Int.self)
                var i = count
                while i > 0 && s[i - 1] > score {
                    c[i] = c[i - 1]
                    s[i] = s[i - 1]
                    i -= 1
                }
                c[i] = cell
                s[i] = score
            }
        }
        count += 1
    }

    mutating func next() -> UInt64? {
        guard count > 0 else { return nil }
        count -= 1
        return withUnsafeBytes(of: cells) { $0.bindMemory(to: UInt64.self)[count] }
    }
}

/// Scores by position key: the low 32 bits of the key in a slot chosen by key mod a prime, and a
/// one-byte value (0 = empty).
struct TranspositionTable {
    private var keys: [UInt32]
    private var values: [UInt8]

    init(entries: Int) {
        keys = [UInt32](repeating: 0, count: entries)
        values = [UInt8](repeating: 0, count: entries)
    }

    @inline(__always) mutating func put(_ key: UInt64, _ value: Int) {
        let i = Int(key % UInt64(keys.count))
        keys[i] = UInt32(truncatingIfNeeded: key)
        values[i] = UInt8(value)
    }

    @inline(__always) func get(_ key: UInt64) -> Int {
        let i = Int(key % UInt64(keys.count))
        return keys[i] == UInt32(truncatingIfNeeded: key) ? Int(values[i]) : 0
    }
}
