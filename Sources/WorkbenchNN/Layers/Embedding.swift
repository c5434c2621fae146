// nn.Embedding.

/// A lookup table [numEmbeddings, embeddingDim], initialised N(0, 1) with the padding row zeroed.
public final class Embedding: Module {
    public let weight: Tensor
    public let paddingIdx: Int?

    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIdx: Int? = nil, generator g: inout Generator) {
        let w = Init.normal([numEmbeddings, embeddingDim], std: 1, generator: &g)
        if let p = paddingIdx {
            let row = p < 0 ? p + numEmbeddings : p
            for j in 0..<embeddingDim { w.data[row * embeddingDim + j] = 0 }
        }
        weight = w.requiringGrad()
        self.paddingIdx = paddingIdx
    }

    /// A table holding the given tensor [numEmbeddings, embeddingDim] (a paper's own init).
    public init(weight: Tensor, paddingIdx: Int? = nil) {
        precondition(weight.rank == 2, "Embedding(weight:) got weight \(weight.shape)")
        self.weight = weight.requiringGrad()
        self.paddingIdx = paddingIdx
    }

    override public var namedLocalParameters: [(String, Tensor)] { [("weight", weight)] }

    /// [*] token ids -> [*, embeddingDim]
    public func forward(_ indices: IndexTensor) -> Tensor { F.embedding(indices, weight: weight, paddingIdx: paddingIdx) }
    public func callAsFunction(_ indices: IndexTensor) -> Tensor { forward(indices) }
}
