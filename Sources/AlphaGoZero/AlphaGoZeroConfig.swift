// AlphaGo Zero's network sizes, with Connect Four's board and widths scaled from the paper's Go net
// (256 filters, 19 or 39 blocks) as defaults. The snake_case names of `json` are used in run
// configs (config.json), in fixture configs and in reference/model.py's DEFAULTS.
import WorkbenchRun

public struct AlphaGoZeroConfig: ModelConfig, Equatable {
    /// Input planes, board rows and columns, and moves: Connect Four's by default.
    public var inChannels = ConnectFour.inputShape[0]
    public var rows = ConnectFour.height
    public var columns = ConnectFour.width
    public var actions = ConnectFour.actionCount
    /// Filters of every 3x3 convolution (paper: 256).
    public var channels = 64
    /// Residual blocks (paper: 19 or 39).
    public var blocks = 5
    /// Units of the value head's hidden layer (paper: 256).
    public var valueHidden = 64

    public init() {}

    public var json: [String: JSONValue] {
        ["in_channels": .int(inChannels), "rows": .int(rows), "columns": .int(columns), "actions": .int(actions),
         "channels": .int(channels), "blocks": .int(blocks), "value_hidden": .int(valueHidden)]
    }

    /// Reads a config; omitted fields keep their defaults, unknown fields are an error.
    public init(_ c: FixtureConfig) throws(FixtureError) {
        self.init()
        try c.expectOnly(Set(AlphaGoZeroConfig().json.keys))
        inChannels = try c.int("in_channels", default: inChannels)
        rows = try c.int("rows", default: rows)
        columns = try c.int("columns", default: columns)
        actions = try c.int("actions", default: actions)
        channels = try c.int("channels", default: channels)
        blocks = try c.int("blocks", default: blocks)
        valueHidden = try c.int("value_hidden", default: valueHidden)
        try require([inChannels, rows, columns, actions, channels, valueHidden].allSatisfy { $0 > 0 } && blocks >= 0,
                    "config: sizes must be positive (blocks may be 0)")
    }
}

/// How a preset trains: generations of self-play, training and evaluation (one epoch of the run
/// each). Its encoding is config.json's hyperparameters.
public struct AlphaGoZeroRecipe: Preset {
    public var name: String
    public var summary: String
    public var model = AlphaGoZeroConfig()
    /// Generations: self-play, then training steps, then the evaluator.
    public var generations = 40
    // Self-play (Methods, "Self-play"): simulations per move, c_puct, root noise, temperature.
    public var gamesPerGeneration = 100
    public var simulations = 100
    public var cPuct = 1.5
    /// Dirichlet alpha, scaled to the moves (AlphaZero: alpha ~ 10 / typical legal moves; 0.03 on
    /// Go's 361 points), and the noise weight eps = 0.25.
    public var dirichletAlpha = 1.0
    public var noiseFraction = 0.25
    public var temperatureMoves = 8
    /// Not in the paper: every second self-play game opens with 1...randomOpeningPlies uniformly
    /// random moves (0: none), so that the window also holds positions the agent's play avoids.
    public var randomOpeningPlies = 0
    /// Training examples come from the most recent games (paper: 500,000).
    public var windowGames = 2_000
    // Training (Methods, "Optimization"): SGD with momentum 0.9, L2 c = 1e-4, LR annealed by step.
    public var stepsPerGeneration = 200
    public var batchSize = 256
    public var learningRate: Float = 0.02
    /// Steps after which the learning rate is divided by 10.
    public var lrDropSteps: [Int] = [4_000, 6_000]
    public var momentum: Float = 0.9
    public var l2: Float = 1e-4
    /// The evaluator: the trained network becomes the best (self-play) network only if it scores
    /// at least `gateThreshold` in `evaluationGames` (AlphaGo Zero); `gating` false always
    /// promotes it (AlphaZero), the games still played for the Elo curve.
    public var gating = true
    public var gateThreshold = 0.55
    public var evaluationGames = 40
    public var evaluationSimulations = 50
    /// Uniformly random plies that open each evaluation and measurement game.
    public var openingMoves = 2
    // Measurements after every generation: matches against a uniformly random player and against
    // pure MCTS (random rollouts), and the share of optimal moves on solver-labelled positions.
    public var randomGames = 40
    public var pureMCTSGames = 20
    public var pureMCTSSimulations = 1_000
    public var testPositions = 1_000

    /// `workbench run alphago-zero --preset NAME`, in the order `workbench list` shows them.
    public static let all: [AlphaGoZeroRecipe] = {
        var quick = AlphaGoZeroRecipe(name: "quick", summary: "a 2-block, 32-filter network, 8 generations of 64 self-play games (25 simulations): about a minute; the network alone learns to beat a random player")
        quick.model.channels = 32
        quick.model.blocks = 2
        quick.model.valueHidden = 32
        quick.generations = 8
        quick.gamesPerGeneration = 64
        quick.simulations = 25
        quick.windowGames = 512
        quick.stepsPerGeneration = 40
        quick.batchSize = 128
        quick.lrDropSteps = []
        quick.evaluationGames = 20
        quick.evaluationSimulations = 25
        quick.randomGames = 40
        quick.pureMCTSGames = 0
        quick.testPositions = 100
        let paper = AlphaGoZeroRecipe(name: "paper", summary: "5 blocks of 64 filters, 100 simulations, evaluator at 55 %: hours, in the background; measured against the solver and pure MCTS")
        var broad = paper
        broad.name = "broad"
        broad.summary = "the paper preset with twice the games per generation, half of them opening with 1-12 random moves, and half the steps: 30 generations, hours"
        broad.generations = 30
        broad.gamesPerGeneration = 200
        broad.randomOpeningPlies = 12
        broad.stepsPerGeneration = 100
        broad.lrDropSteps = [1_500, 2_250]
        var deep = broad
        deep.name = "deep"
        deep.summary = "the broad preset with twice the residual blocks (10 of 64 filters): 30 generations, hours"
        deep.model.blocks = 10
        return [quick, paper, broad, deep]
    }()
}
