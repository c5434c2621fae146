// MinAtar Breakout, ported from minatar/environments/breakout.py (v1.0.15).

/// Paddle on the bottom row, ball moving diagonally, three rows of bricks (+1 each, refilled when
/// cleared); the episode ends when the ball reaches the bottom row past the paddle. No ramping.
public final class Breakout: MinAtarGame {
    public static let channelNames = ["paddle", "ball", "trail", "brick"]
    public static let minimalActionSet: [MinAtarAction] = [.noop, .left, .right]

    public let random: RandomDraws
    var ballX = 0, ballY = 3, ballDir = 0, pos = 4
    var lastX = 0, lastY = 3
    var strike = false
    var brickMap = [Bool](repeating: false, count: 100)   // [y * 10 + x]
    public private(set) var isTerminal = false

    public init(random: RandomDraws, ramping: Bool = true) {
        self.random = random
    }

    public func reset() {
        ballY = 3
        let start = random.integer(0, 2)
        (ballX, ballDir) = start == 0 ? (0, 2) : (9, 3)
        pos = 4
        for i in 0..<100 { brickMap[i] = i >= 10 && i < 40 }
        strike = false
        lastX = ballX
        lastY = ballY
        isTerminal = false
    }

    public func act(_ action: MinAtarAction) -> (reward: Double, terminal: Bool) {
        var r = 0.0
        if isTerminal { return (r, true) }
        if action == .left { pos = max(0, pos - 1) } else if action == .right { pos = min(9, pos + 1) }

        lastX = ballX
        lastY = ballY
        // dir 0: up-left, 1: up-right, 2: down-right, 3: down-left (y grows downward)
        var newX = ballX + (ballDir == 1 || ballDir == 2 ? 1 : -1)
        var newY = ballY + (ballDir >= 2 ? 1 : -1)
        var strikeToggle = false
        if newX < 0 || newX > 9 {
            newX = min(max(newX, 0), 9)
            ballDir = [1, 0, 3, 2][ballDir]
        }
        if newY < 0 {
            newY = 0
            ballDir = [3, 2, 1, 0][ballDir]
        } else if brickMap[newY * 10 + newX] {
            strikeToggle = true
            if !strike {
                r += 1
                strike = true
                brickMap[newY * 10 + newX] = false
                newY = lastY
                ballDir = [3, 2, 1, 0][ballDir]
            }
        } else if newY == 9 {
            if !brickMap.contains(true) {
                for i in 10..<40 { brickMap[i] = true }
            }
            if ballX == pos {
                ballDir = [3, 2, 1, 0][ballDir]
                newY = lastY
            } else if newX == pos {
                ballDir = [2, 3, 0, 1][ballDir]
                newY = lastY
            } else {
                isTerminal = true
            }
        }
        if !strikeToggle { strike = false }
        ballX = newX
        ballY = newY
        return (r, isTerminal)
    }

    public func writeState(into buffer: UnsafeMutablePointer<Float>) {
        buffer.update(repeating: 0, count: 400)
        setCell(buffer, 1, ballY, ballX)
        setCell(buffer, 0, 9, pos)
        setCell(buffer, 2, lastY, lastX)
        for i in 0..<100 where brickMap[i] { buffer[300 + i] = 1 }
    }
}
