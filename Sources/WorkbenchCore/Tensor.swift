// Tensor: a contiguous, row-major Float32 array with a shape and, when it takes part in
// differentiation, a node on the autodiff graph (see Autograd.swift).

/// A dense Float32 tensor in row-major (C) order, PyTorch-style.
///
/// Storage is a Swift array, so a `reshape` shares its buffer copy-on-write and never aliases
/// a later in-place change. Every tensor is contiguous: `permute`/`transpose` materialise.
public final class Tensor: CustomStringConvertible {
    /// The sizes of each dimension; `[]` for a 0-d scalar.
    public internal(set) var shape: [Int]
    /// Elements in row-major order; `data.count == shape.product`.
    public var data: [Float]
    /// Whether gradients flow into this tensor. Leaves that require grad receive `.grad`.
    public var requiresGrad: Bool
    /// Accumulated gradient of a leaf after `backward()`; same shape as the tensor.
    public var grad: Tensor?
    /// The operation that produced this tensor (nil for leaves and for no-grad results).
    var node: Node?
    /// Which output of `node` this tensor is.
    var outputIndex: Int = 0

    public init(shape: [Int], data: [Float], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative size in shape \(shape)")
        precondition(shape.product == data.count,
                     "shape \(shape) holds \(shape.product) elements, data has \(data.count)")
        self.shape = shape
        self.data = data
        self.requiresGrad = requiresGrad
    }

    /// A 0-d tensor holding `value`.
    public convenience init(_ value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], data: [value], requiresGrad: requiresGrad)
    }

    /// A 1-d tensor of the given values.
    public convenience init(_ values: [Float], requiresGrad: Bool = false) {
        self.init(shape: [values.count], data: values, requiresGrad: requiresGrad)
    }

    /// A tensor whose elements are written by `body` (uninitialised memory, must be filled).
    public convenience init(shape: [Int], filling body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let n = shape.product
        let data = [Float](unsafeUninitializedCapacity: n) { buf, count in
            body(buf)
            count = n
        }
        self.init(shape: shape, data: data)
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, data: [Float](repeating: 0, count: shape.product), requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, requiresGrad: requiresGrad)
    }

    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, data: [Float](repeating: value, count: shape.product), requiresGrad: requiresGrad)
    }

    /// `[0, 1, ..., n-1]` as Float32.
    public static func arange(_ n: Int) -> Tensor {
        Tensor(shape: [n], data: (0..<n).map { Float($0) })
    }

    public var rank: Int { shape.count }
    public var count: Int { data.count }

    /// The size of dimension `dim` (negative counts from the end).
    public func size(_ dim: Int) -> Int { shape[normalizeDim(dim, rank)] }

    /// The value of a one-element tensor.
    public func item() -> Float {
        precondition(count == 1, "item() needs a one-element tensor, got shape \(shape)")
        return data[0]
    }

    /// Whether this tensor is a leaf of the autodiff graph (created by the user, not by an op).
    public var isLeaf: Bool { node == nil }

    /// A new tensor sharing the values but cut from the autodiff graph (`torch.Tensor.detach`).
    public func detach() -> Tensor { Tensor(shape: shape, data: data) }

    /// Makes this tensor a leaf that requires grad; returns self for chaining.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// An independent copy (no graph).
    public func clone() -> Tensor { Tensor(shape: shape, data: data) }

    public var description: String {
        let shown = data.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}

/// Integer tensor for class labels, token ids, actions and indices (PyTorch's int64).
public struct IndexTensor: Equatable, Sendable, CustomStringConvertible {
    public var shape: [Int]
    public var data: [Int]

    public init(shape: [Int], data: [Int]) {
        precondition(shape.product == data.count,
                     "shape \(shape) holds \(shape.product) elements, data has \(data.count)")
        self.shape = shape
        self.data = data
    }

    public init(_ values: [Int]) { self.init(shape: [values.count], data: values) }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    public func reshaped(_ newShape: [Int]) -> IndexTensor {
        IndexTensor(shape: inferShape(newShape, count: count), data: data)
    }

    public var description: String { "IndexTensor(shape: \(shape), \(data.prefix(8)))" }
}

extension Array where Element == Int {
    /// Product of the elements (1 for an empty shape).
    @inlinable public var product: Int { reduce(1, *) }
}

/// Maps a possibly negative dimension into `0..<rank`, trapping with a clear message otherwise.
@inlinable
public func normalizeDim(_ dim: Int, _ rank: Int) -> Int {
    let d = dim < 0 ? dim + rank : dim
    precondition(d >= 0 && d < Swift.max(rank, 1), "dimension \(dim) out of range for rank \(rank)")
    return d
}

/// Resolves one `-1` entry of a requested shape against an element count.
public func inferShape(_ shape: [Int], count: Int) -> [Int] {
    var result = shape
    let unknown = shape.indices.filter { shape[$0] == -1 }
    precondition(unknown.count <= 1, "only one dimension can be -1 in \(shape)")
    if let u = unknown.first {
        let known = shape.enumerated().filter { $0.offset != u }.map(\.element).product
        precondition(known > 0 && count % known == 0, "cannot reshape \(count) elements into \(shape)")
        result[u] = count / known
    }
    precondition(result.product == count, "cannot reshape tensor of \(count) elements into shape \(shape)")
    return result
}
