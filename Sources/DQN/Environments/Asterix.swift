// MinAtar Asterix, ported from minatar/environments/asterix.py (v1.0.15).

/// The player moves in four directions; enemies and gold spawn from the sides (+1 per gold,
/// contact with an enemy ends the episode). Ramping shortens the spawn and move intervals.
public final class Asterix: MinAtarGame {
    public static let channelNames = ["player", "enemy", "trail", "gold"]
    public static let minimalActionSet: [MinAtarAction] = [.noop, .left, .up, .right, .down]
    static let rampInterval = 100, initSpawnSpeed = 10, initMoveInterval = 5

    /// An entity: x, row y, moving right?, gold (else enemy).
    struct Entity { var x: Int; var y: Int; var right: Bool; var gold: Bool }

    public let random: RandomDraws
    let ramping: Bool
    var playerX = 5, playerY = 5
    var entities = [Entity?](repeating: nil, count: 8)
    var spawnSpeed = 10, spawnTimer = 10, moveSpeed = 5, moveTimer = 5
    var rampTimer = 100, rampIndex = 0
    public private(set) var isTerminal = false

    public init(random: RandomDraws, ramping: Bool = true) {
        self.random = random
        self.ramping = ramping
    }

    public func reset() {
        playerX = 5
        playerY = 5
        entities = [Entity?](repeating: nil, count: 8)
        spawnSpeed = Asterix.initSpawnSpeed
        spawnTimer = spawnSpeed
        moveSpeed = Asterix.initMoveInterval
        moveTimer = moveSpeed
        rampTimer = Asterix.rampInterval
        rampIndex = 0
        isTerminal = false
    }

    public func act(_ action: MinAtarAction) -> (reward: Double, terminal: Bool) {
        var r = 0.0
        if isTerminal { return (r, true) }
        if spawnTimer == 0 {
            spawnEntity()
            spawnTimer = spawnSpeed
        }
        switch action {
        case .left: playerX = max(0, playerX - 1)
        case .right: playerX = min(9, playerX + 1)
        case .up: playerY = max(1, playerY - 1)
        case .down: playerY = min(8, playerY + 1)
        default: break
        }
        for i in 0..<8 {
            if let e = entities[i], e.x == playerX && e.y == playerY {
                if e.gold {
                    entities[i] = nil
                    r += 1
                } else {
                    isTerminal = true
                }
            }
        }
        if moveTimer == 0 {
            moveTimer = moveSpeed
            for i in 0..<8 {
                guard var e = entities[i] else { continue }
                e.x += e.right ? 1 : -1
                if e.x < 0 || e.x > 9 {
                    entities[i] = nil   // off screen: cannot meet the player either
                    continue
                }
                entities[i] = e
                if e.x == playerX && e.y == playerY {
                    if e.gold {
                        entities[i] = nil
                        r += 1
                    } else {
                        isTerminal = true
                    }
                }
            }
        }
        spawnTimer -= 1
        moveTimer -= 1
        if ramping && (spawnSpeed > 1 || moveSpeed > 1) {
            if rampTimer >= 0 {
                rampTimer -= 1
            } else {
                if moveSpeed > 1 && rampIndex % 2 == 1 { moveSpeed -= 1 }
                if spawnSpeed > 1 { spawnSpeed -= 1 }
                rampIndex += 1
                rampTimer = Asterix.rampInterval
            }
        }
        return (r, isTerminal)
    }

    /// Draws side and kind first, then a free row (nothing happens if all rows are taken).
    func spawnEntity() {
        let right = random.uniform() < 1.0 / 2
        let gold = random.uniform() < 1.0 / 3
        let free = (0..<8).filter { entities[$0] == nil }
        if free.isEmpty { return }
        let slot = free[random.integer(0, free.count)]
        entities[slot] = Entity(x: right ? 0 : 9, y: slot + 1, right: right, gold: gold)
    }

    public func writeState(into buffer: UnsafeMutablePointer<Float>) {
        buffer.update(repeating: 0, count: 400)
        setCell(buffer, 0, playerY, playerX)
        for case let e? in entities {
            setCell(buffer, e.gold ? 3 : 1, e.y, e.x)
            let backX = e.right ? e.x - 1 : e.x + 1
            if backX >= 0 && backX <= 9 { setCell(buffer, 2, e.y, backX) }
        }
    }
}
