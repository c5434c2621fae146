// Reverse-mode automatic differentiation over coarse, fused ops.
//
// Every differentiable op records one `Node` holding its parents and a hand-written backward
// that maps the gradients of its outputs to the gradients of its parents in one call (no
// per-scalar nodes). `Tensor.backward()` walks the nodes in reverse topological order.

/// One recorded operation: its parents and the function that propagates gradients to them.
final class Node {
    let name: String
    private(set) var parents: [Tensor]
    /// Gradients of the outputs (nil where an output received none) -> gradients of the parents
    /// (nil where a parent needs none). It captures what it reads: parents, saved arrays.
    private(set) var backward: ([Tensor?]) -> [Tensor?]
    /// Output shapes, to materialise zero gradients for outputs that received none.
    let outputShapes: [[Int]]
    /// Gradients of the outputs accumulated during one backward pass.
    var outputGrads: [Tensor?]

    init(name: String, parents: [Tensor], outputShapes: [[Int]], backward: @escaping ([Tensor?]) -> [Tensor?]) {
        self.name = name
        self.parents = parents
        self.outputShapes = outputShapes
        self.backward = backward
        self.outputGrads = Array(repeating: nil, count: outputShapes.count)
    }

    /// Frees the graph above this node without recursion. Left to Swift, freeing a node frees its
    /// last parent, whose node frees its parents, and so on: stack frames in proportion to the
    /// depth, which overflows on a deep graph (an unrolled RNN; 20,000 ops in a debug build).
    /// Here the parents go into a worklist instead; a tensor held only by the worklist is cut from
    /// its node, whose parents join the worklist, so depth costs heap, not stack.
    deinit {
        var pending = releaseInputs()
        while var tensor = pending.popLast() {
            // A tensor referenced elsewhere stays alive, and so does its node.
            guard isKnownUniquelyReferenced(&tensor), var node = tensor.node else { continue }
            tensor.node = nil
            // A node shared with another live output (a multi-output op) stays alive too.
            if isKnownUniquelyReferenced(&node) { pending += node.releaseInputs() }
        }
    }

    /// Drops the backward closure, then hands over the parents, leaving this node holding nothing
    /// of the graph. The closure goes first: the tensors it captures must not count as references
    /// to the parents.
    private func releaseInputs() -> [Tensor] {
        backward = { _ in [] }
        defer { parents = [] }
        return parents
    }
}

/// Whether operations record the autodiff graph; see `withNoGrad`.
///
/// A task-local value, so that concurrent tasks (parallel tests, data loading) each have their
/// own mode; outside any task it behaves like a thread-local.
public enum GradMode {
    @TaskLocal static var enabled = true

    /// Whether operations currently record the autodiff graph.
    public static var isEnabled: Bool { enabled }
}

/// Runs `body` without recording the autodiff graph (`torch.no_grad()`).
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$enabled.withValue(false) { try body() }
}

extension Tensor {
    /// Whether a result computed from `inputs` must be recorded.
    @inline(__always)
    static func needsGrad(_ inputs: [Tensor]) -> Bool {
        GradMode.enabled && inputs.contains { $0.requiresGrad }
    }

    /// Wraps a computed result; records `backward` when any parent requires grad.
    /// `backward` receives the gradient of the output and returns one gradient per parent.
    static func result(_ name: String, shape: [Int], data: [Float], parents: [Tensor],
                       backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        let out = Tensor(shape: shape, data: data)
        if needsGrad(parents) {
            out.requiresGrad = true
            out.node = Node(name: name, parents: parents, outputShapes: [shape]) { grads in
                backward(grads[0]!)
            }
        }
        return out
    }

    /// Multi-output variant: all outputs share one node. Missing output gradients are zeros.
    static func results(_ name: String, outputs: [(shape: [Int], data: [Float])], parents: [Tensor],
                        backward: @escaping ([Tensor]) -> [Tensor?]) -> [Tensor] {
        let outs = outputs.map { Tensor(shape: $0.shape, data: $0.data) }
        if needsGrad(parents) {
            let node = Node(name: name, parents: parents, outputShapes: outputs.map(\.shape)) { grads in
                backward(zip(grads, outputs).map { $0 ?? Tensor.zeros($1.shape) })
            }
            for (i, o) in outs.enumerated() {
                o.requiresGrad = true
                o.node = node
                o.outputIndex = i
            }
        }
        return outs
    }

    /// Back-propagates from this tensor, accumulating into `.grad` of every leaf that requires
    /// grad. Without `gradient`, the tensor must hold one element and its gradient is 1.
    public func backward(_ gradient: Tensor? = nil) {
        precondition(requiresGrad, "backward() on a tensor that does not require grad")
        let seed = gradient ?? {
            precondition(count == 1, "backward() without a gradient needs a one-element tensor, got shape \(shape)")
            return Tensor.ones(shape)
        }()
        precondition(seed.shape == shape, "gradient shape \(seed.shape) does not match tensor shape \(shape)")
        guard let root = node else {
            accumulateLeafGrad(seed)
            return
        }
        root.outputGrads[outputIndex] = seed
        // Backward functions compute with ordinary ops; they must not record a graph themselves.
        withNoGrad { Tensor.propagate(from: root) }
    }

    private static func propagate(from root: Node) {
        for node in topologicalOrder(from: root).reversed() {
            let outGrads = node.outputGrads
            node.outputGrads = Array(repeating: nil, count: outGrads.count)
            if outGrads.allSatisfy({ $0 == nil }) { continue }
            let parentGrads = node.backward(outGrads)
            for (parent, g) in zip(node.parents, parentGrads) {
                guard parent.requiresGrad, let g else { continue }
                precondition(g.shape == parent.shape,
                             "\(node.name) backward gave gradient \(g.shape) for input \(parent.shape)")
                if let pn = parent.node {
                    // Taken out of its slot first, so that a gradient held nowhere else is seen
                    // as uniquely referenced and accumulated in place (see `sum`).
                    let slot = parent.outputIndex
                    let existing = pn.outputGrads[slot]
                    pn.outputGrads[slot] = nil
                    pn.outputGrads[slot] = sum(consume existing, g)
                } else {
                    parent.accumulateLeafGrad(g)
                }
            }
        }
    }

    private func accumulateLeafGrad(_ g: Tensor) {
        if let existing = grad {
            existing.addInPlace(g)
        } else {
            grad = Tensor(shape: shape, data: g.data)
        }
    }

    /// `a + b` for gradient accumulation, where `a` may be absent. `a` is updated in place when
    /// nothing else references it (a fresh gradient from one consumer, the common case of a
    /// tensor read by several ops), else copied: it may be shared with another slot or a leaf.
    private static func sum(_ a: consuming Tensor?, _ b: Tensor) -> Tensor {
        guard var a = consume a else { return b }
        if a !== b && isKnownUniquelyReferenced(&a) {
            a.addInPlace(b)
            return a
        }
        let r = Tensor(shape: a.shape, data: a.data)
        r.addInPlace(b)
        return r
    }

    /// Nodes reachable from `root`, parents before children (iterative DFS: graphs of unrolled
    /// recurrent nets are deep).
    private static func topologicalOrder(from root: Node) -> [Node] {
        var order: [Node] = []
        var visited = Set<ObjectIdentifier>([ObjectIdentifier(root)])
        var stack: [(Node, Int)] = [(root, 0)]
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                if let p = node.parents[next].node, visited.insert(ObjectIdentifier(p)).inserted {
                    stack.append((p, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }

    /// Sets `.grad` to nil (`zero_grad(set_to_none=True)`).
    public func zeroGrad() { grad = nil }
}
