// The training data: positions of the most recent self-play games (Silver et al. 2017, Methods:
// "the most recent 500,000 games"), sampled uniformly, each mirrored left-right with probability
// 1/2 (Connect Four's one symmetry; the paper's 8 board symmetries of Go).
import WorkbenchNN
import WorkbenchRun

public struct ReplayWindow: Equatable {
    /// Games kept.
    public let capacity: Int
    public private(set) var games: [SelfPlayGame] = []
    /// offsets[i] = training positions (those after the opening) in games[0..<i]; offsets.last = all.
    private var offsets: [Int] = [0]

    public init(capacity: Int) {
        precondition(capacity > 0, "ReplayWindow: capacity \(capacity)")
        self.capacity = capacity
    }

    public var positionCount: Int { offsets.last! }

    /// Adds games, dropping the oldest beyond the capacity.
    public mutating func add(_ new: [SelfPlayGame]) {
        games += new
        if games.count > capacity { games.removeFirst(games.count - capacity) }
        offsets = games.reduce(into: [0]) { $0.append($0.last! + $1.policies.count) }
    }

    /// A minibatch: planes x [B, 3, 6, 7], search policies pi [B, 7], outcomes z [B].
    public func batch(size: Int, generator g: inout Generator) -> (x: Tensor, pi: Tensor, z: Tensor) {
        precondition(positionCount > 0, "ReplayWindow.batch: no positions")
        let planes = ConnectFour.inputShape.reduce(1, *), a = ConnectFour.actionCount
        var pi = [Float](repeating: 0, count: size * a), z = [Float](repeating: 0, count: size)
        let x = Tensor(shape: [size] + ConnectFour.inputShape) { buffer in
            for row in 0..<size {
                let r = g.integer(below: positionCount)
                var lo = 0, hi = games.count - 1    // the game holding position r: offsets[lo] <= r < offsets[lo + 1]
                while lo < hi {
                    let mid = (lo + hi + 1) / 2
                    if offsets[mid] <= r { lo = mid } else { hi = mid - 1 }
                }
                let game = games[lo], k = r - offsets[lo], ply = game.openingPlies + k
                var p = ConnectFour()
                for m in game.moves[..<ply] { p.play(m) }
                let mirror = g.integer(below: 2) == 1
                (mirror ? p.mirrored : p).encode(into: buffer.baseAddress! + row * planes)
                for m in 0..<a { pi[row * a + (mirror ? ConnectFour.mirror(move: m) : m)] = game.policies[k][m] }
                z[row] = game.z(ply: ply)
            }
        }
        return (x, Tensor(shape: [size, a], data: pi), Tensor(shape: [size], data: z))
    }

    /// Writes the games under `prefix`: moves (flat), lengths, opening plies, policies
    /// [positions, actions] and results (+1, 0, -1 for the first player).
    public func save(into file: inout SafeTensorsFile, prefix: String) {
        file.set(prefix + "moves", IndexTensor(games.flatMap(\.moves)))
        file.set(prefix + "lengths", IndexTensor(games.map(\.moves.count)))
        file.set(prefix + "openings", IndexTensor(games.map(\.openingPlies)))
        file.set(prefix + "policies", Tensor(shape: [positionCount, ConnectFour.actionCount], data: games.flatMap { $0.policies.flatMap { $0 } }))
        file.set(prefix + "results", IndexTensor(games.map { Int($0.result.value) }))
    }

    /// Replaces the games by those `save` wrote (windows saved before random openings existed have
    /// no `openings`: none); a file that does not describe legal games is an error.
    public mutating func restore(from file: SafeTensorsFile, prefix: String, source: String) throws {
        let moves = try file.indexTensor(prefix + "moves").data, lengths = try file.indexTensor(prefix + "lengths").data
        let policies = try file.tensor(prefix + "policies").data, results = try file.indexTensor(prefix + "results").data
        let openings = file[prefix + "openings"] == nil ? [Int](repeating: 0, count: lengths.count)
            : try file.indexTensor(prefix + "openings").data
        let a = ConnectFour.actionCount
        let positions = zip(lengths, openings).map { $0 - $1 }.reduce(0, +)
        guard lengths.count == results.count, openings.count == lengths.count, zip(lengths, openings).allSatisfy({ 0 <= $1 && $1 <= $0 }),
              lengths.reduce(0, +) == moves.count, policies.count == positions * a else {
            throw RunError.invalid("\(source): the replay window's moves, lengths, openings, policies and results do not fit together")
        }
        var restored: [SelfPlayGame] = [], start = 0, row = 0
        for ((length, opening), result) in zip(zip(lengths, openings), results) {
            var game = SelfPlayGame()
            game.openingPlies = opening
            var p = ConnectFour()
            for (k, m) in moves[start..<(start + length)].enumerated() {
                guard !p.isOver, p.isLegal(m) else { throw RunError.invalid("\(source): the replay window holds an illegal game") }
                p.play(m)
                game.moves.append(m)
                if k >= opening {
                    game.policies.append(Array(policies[(row * a)..<((row + 1) * a)]))
                    row += 1
                }
            }
            guard result >= -1 && result <= 1 else { throw RunError.invalid("\(source): game result \(result) is not -1, 0 or 1") }
            game.result = result == 1 ? .win : result == -1 ? .loss : .draw
            restored.append(game)
            start += length
        }
        games = []
        add(restored)
    }
}
