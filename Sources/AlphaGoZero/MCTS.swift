// AlphaGo Zero's Monte Carlo tree search (Silver et al. 2017, Methods, "Search algorithm"). Every
// edge (s, a) keeps a visit count N, a total value W, its mean Q = W / N (0 while unvisited) and a
// prior P from the policy head. A simulation descends from the root by
//     a = argmax_a Q(s, a) + U(s, a),   U(s, a) = c_puct P(s, a) sqrt(N(s)) / (1 + N(s, a)),
// expands the leaf it reaches with the network's (p, v), with no rollout, and backs v up the path,
// negated at every level (each node's Q is from the view of the player to move there). A finished
// game's leaf is valued by its result. At the root the prior is mixed with Dirichlet noise,
// P = (1 - eps) p + eps eta, eta ~ Dir(alpha), over the legal moves.
//
// Searches of many games advance together, one simulation each per round, so that the network
// evaluates all their leaves as one batch (the paper's batched evaluation; no virtual loss needed).
// N(s) is the node's own visit count, its expansion included (the AlphaZero pseudocode's
// parent.visit_count): with the paper's sum of the children's visits, U is 0 for every move at a
// node's first selection and the tie decides.
import WorkbenchNN

/// The network's answer for one position: priors over all moves (renormalised over the legal ones
/// by the search) and the value for the player to move, in [-1, 1].
public struct Evaluation: Sendable {
    public var priors: [Double]
    public var value: Double

    public init(priors: [Double], value: Double) {
        self.priors = priors
        self.value = value
    }
}

/// Evaluates a batch of positions.
public typealias Evaluate<G: BoardGame> = ([G]) -> [Evaluation]

public struct SearchSettings: Sendable, Equatable {
    public var simulations: Int
    public var cPuct: Double
    /// Root Dirichlet noise: concentration alpha and weight eps (0 turns it off: evaluation play).
    public var dirichletAlpha: Double
    public var noiseFraction: Double

    public init(simulations: Int, cPuct: Double, dirichletAlpha: Double = 1, noiseFraction: Double = 0) {
        self.simulations = simulations
        self.cPuct = cPuct
        self.dirichletAlpha = dirichletAlpha
        self.noiseFraction = noiseFraction
    }
}

/// One search tree: nodes in flat arrays, edges at node * actionCount + move.
public final class SearchTree<G: BoardGame> {
    static var moves: Int { G.actionCount }
    private(set) var positions: [G] = []
    private var expanded: [Bool] = []
    private var nodeVisits: [Int] = []
    private var edgeVisits: [Int] = []
    private var edgeValue: [Double] = []
    private var prior: [Double] = []
    private var child: [Int] = []
    /// The path of the simulation in flight: (node, move) pairs, then its leaf.
    private var path: [(node: Int, move: Int)] = []
    private var leaf = 0

    /// A tree whose root is `position` (a game still in progress).
    public init(root position: G) {
        precondition(!position.isOver, "SearchTree: the game is over")
        addNode(position)
    }

    public var root: G { positions[0] }

    /// The root's visit count per move.
    public var visitCounts: [Int] { Array(edgeVisits[0..<Self.moves]) }

    /// The mean value of the root's simulations for the player to move there (the network's value
    /// of the root counted once).
    public var rootValue: Double {
        (edgeValue[0..<Self.moves].reduce(0, +) + rootEvaluation) / Double(nodeVisits[0])
    }
    private var rootEvaluation = 0.0

    /// Mean action value Q(root, a) per move (0 while unvisited).
    public var rootQ: [Double] {
        (0..<Self.moves).map { edgeVisits[$0] > 0 ? edgeValue[$0] / Double(edgeVisits[$0]) : 0 }
    }

    private func addNode(_ position: G) {
        positions.append(position)
        expanded.append(false)
        nodeVisits.append(0)
        edgeVisits.append(contentsOf: repeatElement(0, count: Self.moves))
        edgeValue.append(contentsOf: repeatElement(0, count: Self.moves))
        prior.append(contentsOf: repeatElement(0, count: Self.moves))
        child.append(contentsOf: repeatElement(-1, count: Self.moves))
    }

    /// Descends to the next leaf; returns its position when it needs the network, nil when it was a
    /// finished game (already backed up).
    func selectLeaf(cPuct: Double) -> G? {
        path.removeAll(keepingCapacity: true)
        var node = 0
        while expanded[node] {
            let move = bestMove(node, cPuct: cPuct)
            path.append((node, move))
            let e = node * Self.moves + move
            if child[e] < 0 {
                var next = positions[node]
                next.play(move)
                child[e] = positions.count
                addNode(next)
            }
            node = child[e]
        }
        leaf = node
        if let outcome = positions[node].outcome {
            backup(Double(outcome.value))
            return nil
        }
        return positions[node]
    }

    /// argmax over legal moves of Q + U; the first in move order among equals.
    private func bestMove(_ node: Int, cPuct: Double) -> Int {
        let base = node * Self.moves, scale = cPuct * Double(nodeVisits[node]).squareRoot()
        var best = -1, bestScore = -Double.infinity
        for a in 0..<Self.moves where positions[node].isLegal(a) {
            let n = edgeVisits[base + a]
            let q = n > 0 ? edgeValue[base + a] / Double(n) : 0
            let score = q + scale * prior[base + a] / Double(1 + n)
            if score > bestScore {
                best = a
                bestScore = score
            }
        }
        return best
    }

    /// Expands the pending leaf with the network's evaluation and backs its value up.
    func expandLeaf(_ evaluation: Evaluation) {
        let base = leaf * Self.moves, position = positions[leaf]
        var total = 0.0
        for a in 0..<Self.moves where position.isLegal(a) { total += evaluation.priors[a] }
        for a in 0..<Self.moves where position.isLegal(a) {
            prior[base + a] = total > 0 ? evaluation.priors[a] / total : 1 / Double(position.legalMoves.count)
        }
        expanded[leaf] = true
        if leaf == 0 { rootEvaluation = evaluation.value }
        backup(evaluation.value)
    }

    /// Mixes `noise` (one weight per legal move, in move order) into the root's priors.
    func addRootNoise(_ noise: [Double], fraction: Double) {
        let legal = root.legalMoves
        precondition(expanded[0] && noise.count == legal.count, "addRootNoise: \(noise.count) weights for \(legal.count) legal moves")
        for (i, a) in legal.enumerated() { prior[a] = (1 - fraction) * prior[a] + fraction * noise[i] }
    }

    private func backup(_ value: Double) {
        var v = value
        nodeVisits[leaf] += 1
        for (node, move) in path.reversed() {
            v = -v
            edgeValue[node * Self.moves + move] += v
            edgeVisits[node * Self.moves + move] += 1
            nodeVisits[node] += 1
        }
    }
}

public enum MCTS {
    /// Searches every tree: expands the roots (one batch), adds root noise drawn from `generator`
    /// when the settings ask for it, then runs `simulations` rounds, each one simulation per tree
    /// with the leaves evaluated in one batch. `noise`, when given, replaces the drawn noise (one
    /// array per tree; the trace tests use it).
    public static func search<G: BoardGame>(_ trees: [SearchTree<G>], settings: SearchSettings, evaluate: Evaluate<G>,
                                            generator: inout Generator, noise: [[Double]]? = nil) {
        let roots = trees.filter { !$0.isRootExpanded }
        if !roots.isEmpty {
            let positions = roots.map { $0.selectLeaf(cPuct: settings.cPuct)! }  // an unexpanded root is its own leaf
            for (tree, e) in zip(roots, evaluate(positions)) { tree.expandLeaf(e) }
        }
        if settings.noiseFraction > 0 {
            for (i, tree) in trees.enumerated() {
                let eta = noise?[i] ?? Dirichlet.sample(alpha: settings.dirichletAlpha, count: tree.root.legalMoves.count, generator: &generator)
                tree.addRootNoise(eta, fraction: settings.noiseFraction)
            }
        }
        for _ in 0..<settings.simulations {
            var pending: [SearchTree<G>] = [], leaves: [G] = []
            for tree in trees {
                if let leaf = tree.selectLeaf(cPuct: settings.cPuct) {
                    pending.append(tree)
                    leaves.append(leaf)
                }
            }
            if leaves.isEmpty { continue }
            for (tree, e) in zip(pending, evaluate(leaves)) { tree.expandLeaf(e) }
        }
    }

    /// The move to play from visit counts: sampled in proportion to them (temperature 1) or the
    /// most visited (temperature 0; the first in move order among equals).
    public static func chooseMove(visits: [Int], temperature: Double, generator: inout Generator) -> Int {
        let total = visits.reduce(0, +)
        precondition(total > 0, "chooseMove: no visits")
        guard temperature > 0 else { return visits.indices.max { visits[$0] < visits[$1] }! }
        precondition(temperature == 1, "chooseMove: temperature 0 or 1")
        var r = generator.integer(below: total)
        for (a, n) in visits.enumerated() {
            if r < n { return a }
            r -= n
        }
        return visits.count - 1
    }
}

extension SearchTree {
    var isRootExpanded: Bool { expanded[0] }
}
