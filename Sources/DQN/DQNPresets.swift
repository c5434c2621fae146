// The reference-experiment presets: which environment, agent hyperparameters and frame budget.
import WorkbenchRun

/// Which environment a preset trains on; encoded as its `name`.
public enum EnvironmentSpec: Codable, Sendable, Equatable {
    case cartPole
    case minAtar(MinAtarGameID)

    /// A new environment; `maxEpisodeSteps` caps MinAtar episodes (it has no limit of its own).
    public func make(seed: UInt64, maxEpisodeSteps: Int = 0) -> any Environment {
        switch self {
        case .cartPole: CartPole(seed: seed)
        case .minAtar(let id): MinAtar(id, seed: seed, maxEpisodeSteps: maxEpisodeSteps)
        }
    }

    public var name: String {
        switch self {
        case .cartPole: "CartPole-v1"
        case .minAtar(let id): "MinAtar/\(id.rawValue)"
        }
    }

    var binaryObservations: Bool { if case .minAtar = self { true } else { false } }

    public init(from decoder: Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        let game = name.hasPrefix("MinAtar/") ? MinAtarGameID(rawValue: String(name.dropFirst("MinAtar/".count))) : nil
        switch (name, game) {
        case ("CartPole-v1", _): self = .cartPole
        case (_, let id?): self = .minAtar(id)
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown environment '\(name)' (CartPole-v1 or MinAtar/<game>)"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}

/// A reference experiment; its encoding is config.json's hyperparameters.
public struct DQNPreset: Preset {
    public var name: String
    public var summary: String
    public var environment: EnvironmentSpec
    public var agent: DQNConfig
    public var totalFrames: Int
    /// Frames per epoch: evaluation, logging and checkpoint after each.
    public var framesPerEpoch: Int
    public var evalEpisodes: Int
    /// Stop once the evaluation mean reaches this (CartPole: 475 over 100 episodes).
    public var solvedAt: Double?
    /// Cap on evaluation episode length for games without a time limit.
    public var evalMaxSteps: Int

    public var epochs: Int { (totalFrames + framesPerEpoch - 1) / framesPerEpoch }

    /// MinAtar's examples/dqn.py recipe (Young & Tian 2019): all 6 actions, batch 32, replay
    /// 100,000, 5,000 random frames, one update per frame, target copied every 1,000 updates, ε 1 →
    /// 0.1 over the 100,000 frames after replay start, centered RMSprop (lr 0.00025, α 0.95, eps
    /// 0.01), γ 0.99, no reward clipping, 5M frames.
    public static func minAtar(_ id: MinAtarGameID) -> DQNPreset {
        var a = DQNConfig(network: .minAtar(channels: id.type.channelCount, actions: 6))
        a.evalEpsilon = 0.05
        let name = "minatar-" + id.rawValue.replacingOccurrences(of: "_", with: "-")
        return DQNPreset(name: name, summary: "MinAtar \(id.rawValue), the MinAtar paper's DQN recipe (5M frames)",
                         environment: .minAtar(id), agent: a, totalFrames: 5_000_000, framesPerEpoch: 50_000,
                         evalEpisodes: 10, solvedAt: nil, evalMaxSteps: 10_000)
    }

    /// CartPole-v1 with the Nature recipe's pieces (replay, target network, Huber loss, ε-greedy)
    /// at CartPole scale: MLP 120-84 (CleanRL's), Adam lr 5e-4, batch 64, replay 50,000, 1,000
    /// random frames, target copied every 500 updates, ε 1 → 0.05 over 25,000 frames.
    public static func cartPole(name: String, summary: String, totalFrames: Int, evalEpisodes: Int, solvedAt: Double?) -> DQNPreset {
        var a = DQNConfig(network: .mlp(features: 4, actions: 2))
        a.batchSize = 64
        a.replayCapacity = 50_000
        a.replayStart = 1_000
        a.targetUpdateInterval = 500
        a.exploration = LinearSchedule(start: 1, end: 0.05, begin: 1_000, duration: 25_000)
        a.optimizer = .adam(lr: 5e-4, eps: 1e-8)
        a.evalEpsilon = 0.05
        return DQNPreset(name: name, summary: summary, environment: .cartPole, agent: a, totalFrames: totalFrames,
                         framesPerEpoch: 5_000, evalEpisodes: evalEpisodes, solvedAt: solvedAt, evalMaxSteps: 500)
    }

    public static let all: [DQNPreset] = [
        cartPole(name: "cartpole", summary: "CartPole-v1 until solved (mean ≥ 475 over 100 evaluation episodes), at most 300k frames",
                 totalFrames: 300_000, evalEpisodes: 100, solvedAt: 475),
        cartPole(name: "quick", summary: "CartPole-v1 for 30k frames (seconds): shows learning",
                 totalFrames: 30_000, evalEpisodes: 20, solvedAt: nil),
        minAtar(.breakout), minAtar(.asterix), minAtar(.freeway), minAtar(.seaquest), minAtar(.spaceInvaders),
    ]

    public static func preset(_ name: String) throws -> DQNPreset { try named(name, in: all, paper: DQNExperiment.id) }
}
