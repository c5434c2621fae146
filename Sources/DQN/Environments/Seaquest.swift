// MinAtar Seaquest, ported from minatar/environments/seaquest.py (v1.0.15), Python list semantics included.

/// The player's two-cell submarine shoots fish and enemy subs (+1 each), collects divers (up to 6)
/// and must surface with at least one diver before its oxygen runs out; each surfacing ramps the
/// difficulty. Surfacing with 6 divers pays the remaining oxygen in tenths and leaves the count at
/// −1 (an upstream quirk kept on purpose).
///
/// The original keeps entities in Python lists of lists, iterates them in reverse while removing
/// items, and removes by value (`list.remove` drops the first *equal* item). The port keeps those
/// semantics exactly: entities are reference objects (Python mutates the list object in place),
/// `removeFirstEqual` compares values, and `reversedVisit` follows CPython's reverse iterator.
public final class Seaquest: MinAtarGame {
    public static let channelNames = ["sub_front", "sub_back", "friendly_bullet", "trail", "enemy_bullet",
                                      "enemy_fish", "enemy_sub", "oxygen_guage", "diver_guage", "diver"]
    public static let minimalActionSet: [MinAtarAction] = MinAtarAction.allCases
    static let maxOxygen = 200, initSpawnSpeed = 20, diverSpawnSpeed = 30, initMoveInterval = 5
    static let shotCoolDown = 5, enemyShotInterval = 10, diverMoveInterval = 5

    /// One Python list `[x, y, right, timer, shotTimer]` (bullets use the first three fields).
    final class Item {
        var x: Int, y: Int, right: Bool, timer: Int, shot: Int
        init(_ x: Int, _ y: Int, _ right: Bool, _ timer: Int = 0, _ shot: Int = 0) {
            (self.x, self.y, self.right, self.timer, self.shot) = (x, y, right, timer, shot)
        }
        func sameValue(_ o: Item) -> Bool {
            x == o.x && y == o.y && right == o.right && timer == o.timer && shot == o.shot
        }
        func at(_ px: Int, _ py: Int) -> Bool { x == px && y == py }
    }

    public let random: RandomDraws
    let ramping: Bool
    var oxygen = 200, diverCount = 0, subX = 5, subY = 0, subRight = false
    var friendlyBullets: [Item] = [], enemyBullets: [Item] = [], fish: [Item] = [], subs: [Item] = [], divers: [Item] = []
    var enemySpawnSpeed = 20, enemySpawnTimer = 20, diverSpawnTimer = 30, moveSpeed = 5
    var rampIndex = 0, shotTimer = 0, surface = true
    public private(set) var isTerminal = false

    public init(random: RandomDraws, ramping: Bool = true) {
        self.random = random
        self.ramping = ramping
    }

    public func reset() {
        oxygen = Seaquest.maxOxygen
        diverCount = 0
        subX = 5
        subY = 0
        subRight = false
        friendlyBullets = []; enemyBullets = []; fish = []; subs = []; divers = []
        enemySpawnSpeed = Seaquest.initSpawnSpeed
        enemySpawnTimer = enemySpawnSpeed
        diverSpawnTimer = Seaquest.diverSpawnSpeed
        moveSpeed = Seaquest.initMoveInterval
        rampIndex = 0
        shotTimer = 0
        surface = true
        isTerminal = false
    }

    /// Python's `list.remove(item)`: drops the first element equal in value.
    static func removeFirstEqual(_ list: inout [Item], _ item: Item) {
        if let i = list.firstIndex(where: { $0.sameValue(item) }) { list.remove(at: i) }
    }

    /// `for item in reversed(list)` where the body may shrink the list: CPython's reverse iterator
    /// yields list[i] while 0 <= i < len(list), then decrements i.
    func reversedVisit(_ list: ReferenceWritableKeyPath<Seaquest, [Item]>, _ body: (Item) -> Void) {
        var i = self[keyPath: list].count - 1
        while i >= 0 && i < self[keyPath: list].count {
            let item = self[keyPath: list][i]
            i -= 1
            body(item)
        }
    }

    public func act(_ action: MinAtarAction) -> (reward: Double, terminal: Bool) {
        var r = 0
        if isTerminal { return (0, true) }
        if enemySpawnTimer == 0 {
            spawnEnemy()
            enemySpawnTimer = enemySpawnSpeed
        }
        if diverSpawnTimer == 0 {
            spawnDiver()
            diverSpawnTimer = Seaquest.diverSpawnSpeed
        }
        switch action {
        case .fire where shotTimer == 0:
            friendlyBullets.append(Item(subX, subY, subRight))
            shotTimer = Seaquest.shotCoolDown
        case .left: subX = max(0, subX - 1); subRight = false
        case .right: subX = min(9, subX + 1); subRight = true
        case .up: subY = max(0, subY - 1)
        case .down: subY = min(8, subY + 1)
        default: break
        }

        reversedVisit(\.friendlyBullets) { bullet in
            bullet.x += bullet.right ? 1 : -1
            if bullet.x < 0 || bullet.x > 9 {
                Seaquest.removeFirstEqual(&friendlyBullets, bullet)
                return
            }
            if let f = fish.first(where: { $0.at(bullet.x, bullet.y) }) {
                Seaquest.removeFirstEqual(&fish, f)
                Seaquest.removeFirstEqual(&friendlyBullets, bullet)
                r += 1
            } else if let s = subs.first(where: { $0.at(bullet.x, bullet.y) }) {
                Seaquest.removeFirstEqual(&subs, s)
                Seaquest.removeFirstEqual(&friendlyBullets, bullet)
                r += 1
            }
        }

        reversedVisit(\.divers) { diver in
            if diver.at(subX, subY) && diverCount < 6 {
                Seaquest.removeFirstEqual(&divers, diver)
                diverCount += 1
            } else if diver.timer == 0 {
                diver.timer = Seaquest.diverMoveInterval
                diver.x += diver.right ? 1 : -1
                if diver.x < 0 || diver.x > 9 {
                    Seaquest.removeFirstEqual(&divers, diver)
                } else if diver.at(subX, subY) && diverCount < 6 {
                    Seaquest.removeFirstEqual(&divers, diver)
                    diverCount += 1
                }
            } else {
                diver.timer -= 1
            }
        }

        reversedVisit(\.subs) { sub in
            if sub.at(subX, subY) { isTerminal = true }
            if sub.timer == 0 {
                sub.timer = moveSpeed
                sub.x += sub.right ? 1 : -1
                if sub.x < 0 || sub.x > 9 {
                    Seaquest.removeFirstEqual(&subs, sub)
                } else if sub.at(subX, subY) {
                    isTerminal = true
                } else if let b = friendlyBullets.first(where: { $0.at(sub.x, sub.y) }) {
                    Seaquest.removeFirstEqual(&subs, sub)
                    Seaquest.removeFirstEqual(&friendlyBullets, b)
                    r += 1
                }
            } else {
                sub.timer -= 1
            }
            // A sub removed above still fires this frame, as in the original.
            if sub.shot == 0 {
                sub.shot = Seaquest.enemyShotInterval
                enemyBullets.append(Item(sub.x, sub.y, sub.right))
            } else {
                sub.shot -= 1
            }
        }

        reversedVisit(\.enemyBullets) { bullet in
            if bullet.at(subX, subY) { isTerminal = true }
            bullet.x += bullet.right ? 1 : -1
            if bullet.x < 0 || bullet.x > 9 {
                Seaquest.removeFirstEqual(&enemyBullets, bullet)
            } else if bullet.at(subX, subY) {
                isTerminal = true
            }
        }

        reversedVisit(\.fish) { f in
            if f.at(subX, subY) { isTerminal = true }
            if f.timer == 0 {
                f.timer = moveSpeed
                f.x += f.right ? 1 : -1
                if f.x < 0 || f.x > 9 {
                    Seaquest.removeFirstEqual(&fish, f)
                } else if f.at(subX, subY) {
                    isTerminal = true
                } else if let b = friendlyBullets.first(where: { $0.at(f.x, f.y) }) {
                    Seaquest.removeFirstEqual(&fish, f)
                    Seaquest.removeFirstEqual(&friendlyBullets, b)
                    r += 1
                }
            } else {
                f.timer -= 1
            }
        }

        if enemySpawnTimer > 0 { enemySpawnTimer -= 1 }
        if diverSpawnTimer > 0 { diverSpawnTimer -= 1 }
        if shotTimer > 0 { shotTimer -= 1 }
        if oxygen <= 0 { isTerminal = true }
        if subY > 0 {
            oxygen -= 1
            surface = false
        } else if !surface {
            if diverCount == 0 { isTerminal = true } else { r += surfaceSub() }
        }
        return (Double(r), isTerminal)
    }

    func surfaceSub() -> Int {
        surface = true
        var r = 0
        if diverCount == 6 {
            diverCount = 0
            r = oxygen * 10 / Seaquest.maxOxygen
        }
        oxygen = Seaquest.maxOxygen
        diverCount -= 1
        if ramping && (enemySpawnSpeed > 1 || moveSpeed > 2) {
            if moveSpeed > 2 && rampIndex % 2 == 1 { moveSpeed -= 1 }
            if enemySpawnSpeed > 1 { enemySpawnSpeed -= 1 }
            rampIndex += 1
        }
        return r
    }

    /// Side, kind, then row; no spawn if an enemy already moves the other way in that row.
    func spawnEnemy() {
        let right = random.uniform() < 1.0 / 2
        let isSub = random.uniform() < 1.0 / 3
        let x = right ? 0 : 9
        let y = random.integer(1, 9)
        if (subs + fish).contains(where: { $0.y == y && $0.right != right }) { return }
        if isSub { subs.append(Item(x, y, right, moveSpeed, Seaquest.enemyShotInterval)) }
        else { fish.append(Item(x, y, right, moveSpeed)) }
    }

    func spawnDiver() {
        let right = random.uniform() < 1.0 / 2
        let y = random.integer(1, 9)
        divers.append(Item(right ? 0 : 9, y, right, Seaquest.diverMoveInterval))
    }

    public func writeState(into buffer: UnsafeMutablePointer<Float>) {
        buffer.update(repeating: 0, count: 1000)
        setCell(buffer, 0, subY, subX)
        setCell(buffer, 1, subY, subRight ? subX - 1 : subX + 1)
        let oxygenCells = max(0, oxygen) * 10 / Seaquest.maxOxygen
        for x in 0..<min(oxygenCells, 10) { setCell(buffer, 7, 9, x) }
        for x in stride(from: max(0, 9 - diverCount), to: 9, by: 1) { setCell(buffer, 8, 9, x) }   // none for a count of 0 or −1
        for b in friendlyBullets { setCell(buffer, 2, b.y, b.x) }
        for b in enemyBullets { setCell(buffer, 4, b.y, b.x) }
        func trail(_ e: Item) {
            let backX = e.right ? e.x - 1 : e.x + 1
            if backX >= 0 && backX <= 9 { setCell(buffer, 3, e.y, backX) }
        }
        for f in fish { setCell(buffer, 5, f.y, f.x); trail(f) }
        for s in subs { setCell(buffer, 6, s.y, s.x); trail(s) }
        for d in divers { setCell(buffer, 9, d.y, d.x); trail(d) }
    }
}
