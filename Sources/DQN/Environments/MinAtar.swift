// MinAtar (Young & Tian 2019): the game protocol and the environment wrapper with sticky actions.

/// MinAtar's full action set; every game accepts all six (unused ones act as no-op).
public enum MinAtarAction: Int, CaseIterable, Sendable {
    case noop = 0, left, up, right, down, fire
}

/// One MinAtar game's rules, ported line by line from `minatar/environments/<game>.py`.
/// A new game draws nothing until its first `reset()` (so a replayed trace starts at that reset).
public protocol MinAtarGame: AnyObject {
    /// Channel names in the original's index order.
    static var channelNames: [String] { get }
    /// The original's `minimal_action_set()`, as full-set indices.
    static var minimalActionSet: [MinAtarAction] { get }
    init(random: RandomDraws, ramping: Bool)
    /// The game's random source, shared with the wrapper's sticky-action draw (as in the original).
    var random: RandomDraws { get }
    var isTerminal: Bool { get }
    func reset()
    /// One frame with a full-set action; (reward, terminal). After terminal: (0, true), nothing changes.
    func act(_ action: MinAtarAction) -> (reward: Double, terminal: Bool)
    /// Writes the 0/1 state channel-first, [C, 10, 10], into `buffer` (it is zeroed first).
    func writeState(into buffer: UnsafeMutablePointer<Float>)
}

extension MinAtarGame {
    public static var channelCount: Int { channelNames.count }
}

/// The games by their MinAtar names.
public enum MinAtarGameID: String, CaseIterable, Sendable {
    case asterix, breakout, freeway, seaquest, spaceInvaders = "space_invaders"

    public var type: any MinAtarGame.Type {
        switch self {
        case .asterix: Asterix.self
        case .breakout: Breakout.self
        case .freeway: Freeway.self
        case .seaquest: Seaquest.self
        case .spaceInvaders: SpaceInvaders.self
        }
    }
}

/// `minatar.Environment` as a gymnasium-style environment: sticky actions (before each frame, with
/// probability `stickyActionProbability`, the previously executed action replaces the chosen one;
/// the draw happens every frame and `reset` keeps the last action, as in the original), difficulty
/// ramping, and either all 6 actions (the MinAtar paper's setting, gym `-v0`) or the game's minimal
/// set (gym `-v1`). MinAtar has no time limit of its own; `maxEpisodeSteps` adds one (0 = none).
public final class MinAtar: Environment {
    public let id: MinAtarGameID
    public let game: any MinAtarGame
    public let stickyActionProbability: Double
    public let actionSet: [MinAtarAction]
    public let maxEpisodeSteps: Int
    public private(set) var lastAction: MinAtarAction = .noop
    public private(set) var elapsedSteps = 0
    private var hasReset = false

    public var actionCount: Int { actionSet.count }
    public var observationShape: [Int] { [type(of: game).channelCount, 10, 10] }
    public var random: RandomDraws { game.random }
    public var inheritedState: Int {
        get { lastAction.rawValue }
        set { lastAction = MinAtarAction(rawValue: newValue) ?? .noop }
    }

    public init(_ id: MinAtarGameID, seed: UInt64 = 0, stickyActionProbability: Double = 0.1,
                ramping: Bool = true, minimalActions: Bool = false, maxEpisodeSteps: Int = 0,
                random: RandomDraws? = nil) {
        self.id = id
        game = id.type.init(random: random ?? GeneratorDraws(seed: seed), ramping: ramping)
        self.stickyActionProbability = stickyActionProbability
        actionSet = minimalActions ? id.type.minimalActionSet : MinAtarAction.allCases
        self.maxEpisodeSteps = maxEpisodeSteps
    }

    public func reset(seed: UInt64?) -> [Float] {
        if let seed { game.random.reseed(seed) }
        game.reset()
        hasReset = true
        elapsedSteps = 0
        return observation()
    }

    public func step(_ action: Int) -> StepResult {
        precondition(action >= 0 && action < actionSet.count, "MinAtar action \(action) outside 0..<\(actionSet.count)")
        let (reward, terminal) = act(actionSet[action])
        elapsedSteps += 1
        return StepResult(observation: observation(), reward: reward, terminated: terminal,
                          truncated: !terminal && maxEpisodeSteps > 0 && elapsedSteps >= maxEpisodeSteps)
    }

    /// The original wrapper's `act`: the sticky draw, then one game frame.
    public func act(_ chosen: MinAtarAction) -> (reward: Double, terminal: Bool) {
        precondition(hasReset, "MinAtar: call reset() before the first step")
        var a = chosen
        if game.random.uniform() < stickyActionProbability { a = lastAction }
        lastAction = a
        return game.act(a)
    }

    public func writeObservation(into buffer: UnsafeMutablePointer<Float>) {
        game.writeState(into: buffer)
    }

    /// The state as text: one character per cell, the highest-numbered set channel's letter.
    public func render() -> String {
        let names = type(of: game).channelNames
        let obs = observation()
        var lines: [String] = []
        for y in 0..<10 {
            var line = ""
            for x in 0..<10 {
                var ch: Character = "."
                for c in 0..<names.count where obs[c * 100 + y * 10 + x] != 0 {
                    ch = MinAtar.glyphs[c % MinAtar.glyphs.count]
                }
                line.append(ch)
                line.append(" ")
            }
            lines.append(line)
        }
        let legend = names.enumerated().map { "\(MinAtar.glyphs[$0.offset % MinAtar.glyphs.count])=\($0.element)" }
        return lines.joined(separator: "\n") + "\n" + legend.joined(separator: " ")
    }

    static let glyphs: [Character] = ["P", "B", "t", "#", "E", "F", "S", "o", "d", "D"]
}

/// Helpers the game ports share.
@inline(__always)
func setCell(_ buffer: UnsafeMutablePointer<Float>, _ channel: Int, _ y: Int, _ x: Int) {
    buffer[channel * 100 + y * 10 + x] = 1
}
