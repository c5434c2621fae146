// The games AlphaGo Zero's search and network play, behind one protocol, and Connect Four (7 columns x
// 6 rows, four in a row) as a bitboard. The paper plays Go (Silver et al. 2017); Connect Four is
// small enough to learn on two cores and solved, so play can be scored against perfect play
// (Solver.swift). Another board game (6x6 Othello, 7x7 Go) is one more conformance.
import WorkbenchNN

/// A two-player, zero-sum, perfect-information game with a fixed set of moves, seen from the player
/// to move.
public protocol BoardGame: Equatable, Sendable {
    /// Moves are 0..<actionCount.
    static var actionCount: Int { get }
    /// The network's input: [planes, rows, columns].
    static var inputShape: [Int] { get }
    /// The start position.
    init()
    /// Stones (moves) played so far.
    var movesPlayed: Int { get }
    func isLegal(_ move: Int) -> Bool
    /// Plays a legal move; the other player is then to move.
    mutating func play(_ move: Int)
    /// nil while the game goes on; otherwise the result for the player to move (who has just lost,
    /// or drawn).
    var outcome: Outcome? { get }
    /// The position as the network sees it, written to `planes` (inputShape's element count).
    func encode(into planes: UnsafeMutablePointer<Float>)
    /// The position reflected left-right, and the move that corresponds to `move` there.
    var mirrored: Self { get }
    static func mirror(move: Int) -> Int
}

public enum Outcome: Equatable, Sendable {
    case win, draw, loss

    /// +1, 0, -1: the value target z.
    public var value: Float { self == .win ? 1 : self == .loss ? -1 : 0 }
    public var flipped: Outcome { self == .win ? .loss : self == .loss ? .win : .draw }
}

extension BoardGame {
    public var legalMoves: [Int] { (0..<Self.actionCount).filter(isLegal) }
    public var isOver: Bool { outcome != nil }

    /// A uniformly random legal move (one draw of `g`).
    public func randomMove(_ g: inout Generator) -> Int {
        let moves = legalMoves
        return moves[g.integer(below: moves.count)]
    }

    /// Plays uniformly random moves until `plies` moves are on the board or the game is over;
    /// returns the moves played.
    @discardableResult
    public mutating func playRandomly(upTo plies: Int, generator g: inout Generator) -> [Int] {
        var played: [Int] = []
        while movesPlayed < plies && !isOver {
            played.append(randomMove(&g))
            play(played.last!)
        }
        return played
    }
}

/// Connect Four as two bitboards (J. Pons's layout): column c uses bits c*7 ..< c*7+6 from the
/// bottom up, bit c*7+6 is a sentinel, so a column's next free cell is `mask + bottom`.
/// `current` holds the stones of the player to move, `mask` all stones.
public struct ConnectFour: BoardGame, Hashable, CustomStringConvertible {
    public static let width = 7, height = 6
    public static let actionCount = width
    /// Planes: the stones of the player to move, the opponent's, and a constant plane that is 1 when
    /// the first player is to move (the paper's colour feature).
    public static let inputShape = [3, height, width]

    public private(set) var current: UInt64 = 0
    public private(set) var mask: UInt64 = 0
    public private(set) var movesPlayed = 0
    /// Whether the last move made four in a row.
    public private(set) var lastMoverWon = false

    public init() {}

    /// The position after `moves`, a string of columns 1-7 (the solver literature's notation,
    /// "4" is the centre). nil if a move is illegal or the game ended before the last one.
    public init?(moves: String) {
        self.init()
        for ch in moves {
            guard let d = ch.wholeNumberValue, (1...Self.width).contains(d), !isOver, isLegal(d - 1) else { return nil }
            play(d - 1)
        }
    }

    static let bottom: UInt64 = (0..<width).reduce(0) { $0 | (1 << UInt64($1 * (height + 1))) }
    static let board: UInt64 = bottom * ((1 << UInt64(height)) - 1)
    @inline(__always) static func columnMask(_ c: Int) -> UInt64 { ((1 << UInt64(height)) - 1) << UInt64(c * (height + 1)) }
    @inline(__always) static func topCell(_ c: Int) -> UInt64 { 1 << UInt64(height - 1 + c * (height + 1)) }
    @inline(__always) static func bottomCell(_ c: Int) -> UInt64 { 1 << UInt64(c * (height + 1)) }

    public func isLegal(_ move: Int) -> Bool {
        move >= 0 && move < Self.width && mask & Self.topCell(move) == 0
    }

    public mutating func play(_ move: Int) {
        precondition(isLegal(move) && !isOver, "ConnectFour.play: column \(move) is not playable in\n\(self)")
        play(cell: (mask + Self.bottomCell(move)) & Self.columnMask(move))
    }

    /// Plays the stone `cell` (one bit: a playable cell).
    @inline(__always) mutating func play(cell: UInt64) {
        current ^= mask
        mask |= cell
        movesPlayed += 1
        lastMoverWon = Self.hasFour(current ^ mask)
    }

    /// Takes back the top stone of `column`, which must be the last move played.
    public mutating func undo(_ column: Int) {
        let stones = mask & Self.columnMask(column)
        precondition(stones != 0 && movesPlayed > 0, "ConnectFour.undo: column \(column) is empty")
        mask ^= 1 << UInt64(63 - stones.leadingZeroBitCount)
        current ^= mask
        movesPlayed -= 1
        lastMoverWon = false
    }

    public var outcome: Outcome? {
        lastMoverWon ? .loss : movesPlayed == Self.width * Self.height ? .draw : nil
    }

    /// Whether `stones` contain four in a row: vertically (shift 1), horizontally (7) and on both
    /// diagonals (6, 8).
    @inline(__always) static func hasFour(_ stones: UInt64) -> Bool {
        @inline(__always) func line(_ shift: UInt64) -> Bool {
            let m = stones & (stones >> shift)
            return m & (m >> (2 * shift)) != 0
        }
        return line(1) || line(UInt64(height + 1)) || line(UInt64(height)) || line(UInt64(height + 2))
    }

    /// The empty cells where `stones` would complete four in a row (J. Pons's compute_winning_position).
    @inline(__always) static func winningCells(_ stones: UInt64, mask: UInt64) -> UInt64 {
        @inline(__always) func line(_ s: UInt64) -> UInt64 {
            var p = (stones << s) & (stones << (2 * s))
            var r = p & (stones << (3 * s))
            r |= p & (stones >> s)
            p = (stones >> s) & (stones >> (2 * s))
            r |= p & (stones << s)
            return r | p & (stones >> (3 * s))
        }
        let vertical = (stones << 1) & (stones << 2) & (stones << 3)
        let r = vertical | line(UInt64(height + 1)) | line(UInt64(height)) | line(UInt64(height + 2))
        return r & (board ^ mask)
    }

    /// One bit per playable cell.
    @inline(__always) var playableCells: UInt64 { (mask &+ Self.bottom) & Self.board }

    /// Whether the player to move can win at once.
    public var canWinNext: Bool { Self.winningCells(current, mask: mask) & playableCells != 0 }

    /// The moves that win at once.
    public func winningMoves() -> [Int] {
        let cells = Self.winningCells(current, mask: mask) & playableCells
        return (0..<Self.width).filter { cells & Self.columnMask($0) != 0 }
    }

    /// The owner of the cell at `row` (0 = bottom) and `column`: 1 the player to move, -1 the
    /// opponent, 0 empty.
    public func cell(row: Int, column: Int) -> Int {
        let bit: UInt64 = 1 << UInt64(column * (Self.height + 1) + row)
        return mask & bit == 0 ? 0 : current & bit != 0 ? 1 : -1
    }

    /// Planes [3, 6, 7], row 0 the top row as drawn.
    public func encode(into planes: UnsafeMutablePointer<Float>) {
        let area = Self.width * Self.height
        let firstToMove: Float = movesPlayed % 2 == 0 ? 1 : 0
        for r in 0..<Self.height {
            for c in 0..<Self.width {
                let i = r * Self.width + c, owner = cell(row: Self.height - 1 - r, column: c)
                planes[i] = owner == 1 ? 1 : 0
                planes[area + i] = owner == -1 ? 1 : 0
                planes[2 * area + i] = firstToMove
            }
        }
    }

    public var mirrored: ConnectFour {
        var m = self
        m.current = 0
        m.mask = 0
        for c in 0..<Self.width {
            let shift = UInt64(c * (Self.height + 1)), to = UInt64((Self.width - 1 - c) * (Self.height + 1))
            m.current |= ((current >> shift) & Self.columnMask(0)) << to
            m.mask |= ((mask >> shift) & Self.columnMask(0)) << to
        }
        return m
    }

    public static func mirror(move: Int) -> Int { width - 1 - move }

    /// The board as drawn for a person: X moved first, O second, columns numbered 1-7.
    public var description: String {
        let xToMove = movesPlayed % 2 == 0
        var lines: [String] = []
        for row in (0..<Self.height).reversed() {
            lines.append("|" + (0..<Self.width).map { c -> String in
                let owner = cell(row: row, column: c)
                return owner == 0 ? " ." : (owner == 1) == xToMove ? " X" : " O"
            }.joined() + " |")
        }
        lines.append("+" + String(repeating: "-", count: 2 * Self.width + 1) + "+")
        lines.append(" " + (1...Self.width).map { " \($0)" }.joined())
        return lines.joined(separator: "\n")
    }
}
