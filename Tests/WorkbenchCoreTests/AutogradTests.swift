// Autodiff semantics: accumulation into leaves, reuse, no-grad, detach, multi-path graphs.
import Foundation
import Testing
import WorkbenchTesting

@Suite struct AutogradTests {
    @Test func gradientOfTensorUsedTwiceAddsUp() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let y = (x * x + x * 3).sum()   // dy/dx = 2x + 3
        y.backward()
        #expect(x.grad!.data == [5, 7, 9])
    }

    @Test func backwardAccumulatesAcrossCalls() {
        let x = Tensor([1, -2], requiresGrad: true)
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        #expect(x.grad!.data == [5, 5])
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = withNoGrad { x * 2 }
        #expect(!y.requiresGrad)
        #expect(y.isLeaf)
        #expect(GradMode.isEnabled)
    }

    @Test func detachCutsTheGraph() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = (x.detach() * x).sum()   // only the second factor carries gradient
        y.backward()
        #expect(x.grad!.data == [1, 2])
    }

    @Test func diamondGraphSumsBothPaths() {
        let x = Tensor(shape: [2, 2], data: [1, 2, 3, 4], requiresGrad: true)
        let a = x.relu(), b = x.sigmoid()
        let loss = (a * b).sum()
        loss.backward()
        let s = x.data.map { 1 / (1 + Float(exp(-Double($0)))) }
        let expected = zip(x.data, s).map { v, sv in sv + v * sv * (1 - sv) }
        #expect(closeness(x.grad!.data, expected, atol: 1e-6, rtol: 1e-5).passed)
    }

    @Test func unusedOutputOfMultiOutputOpGetsZeroGradient() {
        let x = Tensor(shape: [2, 3], data: [1, 5, 2, 7, 0, 3], requiresGrad: true)
        let (values, indices) = x.max(dim: 1)
        #expect(indices.data == [1, 0])
        values.sum().backward()
        #expect(x.grad!.data == [0, 1, 0, 1, 0, 0])
    }

    // Deep graphs (a long unrolled RNN) must cost heap, not stack, to walk and to free: a debug
    // build overflowed the stack at 20,000 ops when the graph was released recursively.
    static let deepChainLength = 100_000

    /// `x * 1 * 1 ...`, `deepChainLength` ops deep: the first op's result (to watch through a weak
    /// reference whether the chain is freed) and the last.
    private static func deepChain(from x: Tensor) -> (first: Tensor, last: Tensor) {
        let first = x * 1.0
        var y = first
        for _ in 1..<deepChainLength { y = y * 1.0 }
        return (first, y)
    }

    @Test func deepChainDoesNotOverflowTheStack() {
        let x = Tensor([1], requiresGrad: true)
        let y = Self.deepChain(from: x).last
        y.sum().backward()
        #expect(x.grad!.data == [1])
        withExtendedLifetime(y) {}   // the walk alone: the chain is released after the checks
    }

    @Test func deepChainIsReleasedWithoutBackward() {
        let x = Tensor([1], requiresGrad: true)
        weak var first: Tensor?
        do {
            let chain = Self.deepChain(from: x)
            first = chain.first
        }
        #expect(first == nil)
        #expect(x.grad == nil)
    }

    @Test func deepChainIsReleasedAfterBackward() {
        let x = Tensor([1], requiresGrad: true)
        weak var first: Tensor?
        do {
            let chain = Self.deepChain(from: x)
            first = chain.first
            chain.last.sum().backward()
        }
        #expect(first == nil)
        #expect(x.grad!.data == [1])
    }

    @Test func onlyLeavesReceiveGrad() {
        let x = Tensor([1, 2], requiresGrad: true)
        let h = x * 2
        (h * h).sum().backward()
        #expect(h.grad == nil)
        #expect(x.grad!.data == [8, 16])
    }
}

