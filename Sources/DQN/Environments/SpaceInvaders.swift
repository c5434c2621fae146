// MinAtar Space Invaders, ported from minatar/environments/space_invaders.py (v1.0.15).

/// A cannon shoots at a 4x6 block of aliens that sweeps sideways and steps down at the edges;
/// +1 per alien; an alien or enemy bullet reaching the cannon ends the episode. Each cleared wave
/// respawns faster (move interval 12 → 6 with ramping). Uses no randomness.
public final class SpaceInvaders: MinAtarGame {
    public static let channelNames = ["cannon", "alien", "alien_left", "alien_right", "friendly_bullet", "enemy_bullet"]
    public static let minimalActionSet: [MinAtarAction] = [.noop, .left, .right, .fire]
    static let shotCoolDown = 5, enemyMoveInterval = 12, enemyShotInterval = 10

    public let random: RandomDraws
    let ramping: Bool
    var pos = 5
    var friendlyBullets = [Bool](repeating: false, count: 100)   // [y * 10 + x]
    var enemyBullets = [Bool](repeating: false, count: 100)
    var aliens = [Bool](repeating: false, count: 100)
    var alienDir = -1, moveInterval = 12, alienMoveTimer = 12, alienShotTimer = 10
    var rampIndex = 0, shotTimer = 0
    public private(set) var isTerminal = false

    public init(random: RandomDraws, ramping: Bool = true) {
        self.random = random
        self.ramping = ramping
    }

    public func reset() {
        pos = 5
        friendlyBullets = [Bool](repeating: false, count: 100)
        enemyBullets = [Bool](repeating: false, count: 100)
        aliens = [Bool](repeating: false, count: 100)
        fillWave()
        alienDir = -1
        moveInterval = SpaceInvaders.enemyMoveInterval
        alienMoveTimer = moveInterval
        alienShotTimer = SpaceInvaders.enemyShotInterval
        rampIndex = 0
        shotTimer = 0
        isTerminal = false
    }

    func fillWave() {
        for y in 0..<4 { for x in 2..<8 { aliens[y * 10 + x] = true } }
    }

    /// np.roll over rows (axis 0) by `shift`, with wraparound.
    static func rollRows(_ m: [Bool], _ shift: Int) -> [Bool] {
        var out = m
        for y in 0..<10 { for x in 0..<10 { out[((y + shift + 10) % 10) * 10 + x] = m[y * 10 + x] } }
        return out
    }

    /// np.roll over columns (axis 1) by `shift`, with wraparound.
    static func rollColumns(_ m: [Bool], _ shift: Int) -> [Bool] {
        var out = m
        for y in 0..<10 { for x in 0..<10 { out[y * 10 + (x + shift + 10) % 10] = m[y * 10 + x] } }
        return out
    }

    func columnHasAlien(_ x: Int) -> Bool { (0..<10).contains { aliens[$0 * 10 + x] } }

    public func act(_ action: MinAtarAction) -> (reward: Double, terminal: Bool) {
        var r = 0.0
        if isTerminal { return (r, true) }
        if action == .fire && shotTimer == 0 {
            friendlyBullets[90 + pos] = true
            shotTimer = SpaceInvaders.shotCoolDown
        } else if action == .left {
            pos = max(0, pos - 1)
        } else if action == .right {
            pos = min(9, pos + 1)
        }
        friendlyBullets = SpaceInvaders.rollRows(friendlyBullets, -1)
        for x in 0..<10 { friendlyBullets[90 + x] = false }
        enemyBullets = SpaceInvaders.rollRows(enemyBullets, 1)
        for x in 0..<10 { enemyBullets[x] = false }
        if enemyBullets[90 + pos] { isTerminal = true }

        if aliens[90 + pos] { isTerminal = true }
        if alienMoveTimer == 0 {
            alienMoveTimer = min(aliens.count { $0 }, moveInterval)
            if (columnHasAlien(0) && alienDir < 0) || (columnHasAlien(9) && alienDir > 0) {
                alienDir = -alienDir
                if (0..<10).contains(where: { aliens[90 + $0] }) { isTerminal = true }
                aliens = SpaceInvaders.rollRows(aliens, 1)
            } else {
                aliens = SpaceInvaders.rollColumns(aliens, alienDir)
            }
            if aliens[90 + pos] { isTerminal = true }
        }
        if alienShotTimer == 0 {
            alienShotTimer = SpaceInvaders.enemyShotInterval
            if let (y, x) = nearestAlien() { enemyBullets[y * 10 + x] = true }
        }
        for i in 0..<100 where aliens[i] && friendlyBullets[i] {
            r += 1
            aliens[i] = false
            friendlyBullets[i] = false
        }
        if shotTimer > 0 { shotTimer -= 1 }
        alienMoveTimer -= 1
        alienShotTimer -= 1
        if !aliens.contains(true) {
            if moveInterval > 6 && ramping {
                moveInterval -= 1
                rampIndex += 1
            }
            fillWave()
        }
        return (r, isTerminal)
    }

    /// The lowest alien of the column nearest the cannon (ties: the lower column index first, as
    /// Python's stable sort orders them).
    func nearestAlien() -> (Int, Int)? {
        let order = (0..<10).sorted { abs($0 - pos) < abs($1 - pos) || (abs($0 - pos) == abs($1 - pos) && $0 < $1) }
        for x in order {
            for y in stride(from: 9, through: 0, by: -1) where aliens[y * 10 + x] { return (y, x) }
        }
        return nil
    }

    public func writeState(into buffer: UnsafeMutablePointer<Float>) {
        buffer.update(repeating: 0, count: 600)
        setCell(buffer, 0, 9, pos)
        let dirChannel = alienDir < 0 ? 2 : 3
        for i in 0..<100 {
            if aliens[i] { buffer[100 + i] = 1; buffer[dirChannel * 100 + i] = 1 }
            if friendlyBullets[i] { buffer[400 + i] = 1 }
            if enemyBullets[i] { buffer[500 + i] = 1 }
        }
    }
}
