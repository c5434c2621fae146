// MinAtar Freeway, ported from minatar/environments/freeway.py (v1.0.15).

/// The chicken crosses eight lanes of cars (+1 per crossing, after which car speeds are re-drawn);
/// a car hit sends it back to the bottom. The episode ends after 2500 frames (2501 steps, as in
/// the original). No ramping.
public final class Freeway: MinAtarGame {
    public static let channelNames = ["chicken", "car", "speed1", "speed2", "speed3", "speed4", "speed5"]
    public static let minimalActionSet: [MinAtarAction] = [.noop, .up, .down]
    static let playerSpeed = 3, timeLimit = 2500

    /// A car: x, lane y, countdown to its next move, signed speed (sign = direction).
    struct Car { var x: Int; var y: Int; var timer: Int; var speed: Int }

    public let random: RandomDraws
    var cars: [Car] = []
    var pos = 9, moveTimer = 3, terminateTimer = 2500
    public private(set) var isTerminal = false

    public init(random: RandomDraws, ramping: Bool = true) {
        self.random = random
    }

    public func reset() {
        randomizeCars(initialize: true)
        pos = 9
        moveTimer = Freeway.playerSpeed
        terminateTimer = Freeway.timeLimit
        isTerminal = false
    }

    /// numpy draws all 8 speeds (randint(1, 6, 8)) before all 8 directions (sign(rand(8) − 0.5)).
    func randomizeCars(initialize: Bool) {
        var speeds = (0..<8).map { _ in random.integer(1, 6) }
        for i in 0..<8 {
            let u = random.uniform() - 0.5
            speeds[i] *= u > 0 ? 1 : (u < 0 ? -1 : 0)
        }
        if initialize {
            cars = (0..<8).map { Car(x: 0, y: $0 + 1, timer: abs(speeds[$0]), speed: speeds[$0]) }
        } else {
            for i in 0..<8 {
                cars[i].timer = abs(speeds[i])
                cars[i].speed = speeds[i]
            }
        }
    }

    public func act(_ action: MinAtarAction) -> (reward: Double, terminal: Bool) {
        var r = 0.0
        if isTerminal { return (r, true) }
        if action == .up && moveTimer == 0 {
            moveTimer = Freeway.playerSpeed
            pos = max(0, pos - 1)
        } else if action == .down && moveTimer == 0 {
            moveTimer = Freeway.playerSpeed
            pos = min(9, pos + 1)
        }
        if pos == 0 {
            r += 1
            randomizeCars(initialize: false)
            pos = 9
        }
        for i in cars.indices {
            if cars[i].x == 4 && cars[i].y == pos { pos = 9 }
            if cars[i].timer == 0 {
                cars[i].timer = abs(cars[i].speed)
                cars[i].x += cars[i].speed > 0 ? 1 : -1
                if cars[i].x < 0 { cars[i].x = 9 } else if cars[i].x > 9 { cars[i].x = 0 }
                if cars[i].x == 4 && cars[i].y == pos { pos = 9 }
            } else {
                cars[i].timer -= 1
            }
        }
        if moveTimer > 0 { moveTimer -= 1 }
        terminateTimer -= 1
        if terminateTimer < 0 { isTerminal = true }
        return (r, isTerminal)
    }

    public func writeState(into buffer: UnsafeMutablePointer<Float>) {
        buffer.update(repeating: 0, count: 700)
        setCell(buffer, 0, pos, 4)
        for car in cars {
            setCell(buffer, 1, car.y, car.x)
            var backX = car.speed > 0 ? car.x - 1 : car.x + 1
            if backX < 0 { backX = 9 } else if backX > 9 { backX = 0 }
            let speed = abs(car.speed)
            // A speed of 0 (sign(0) in the original) sets no trail channel there either.
            if speed >= 1 && speed <= 5 { setCell(buffer, 1 + speed, car.y, backX) }
        }
    }
}
