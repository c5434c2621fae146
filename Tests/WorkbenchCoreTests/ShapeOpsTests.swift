// Reshape, permute, slicing, indexing, cat/stack/split, gather and reductions.
import Testing
import WorkbenchTesting

@Suite struct ShapeOpsTests {
    let x = Tensor(shape: [2, 3, 4], data: (0..<24).map(Float.init))

    @Test func reshapeInfersOneDimension() {
        #expect(x.reshape([4, -1]).shape == [4, 6])
        #expect(x.flatten(startDim: 1).shape == [2, 12])
        #expect(x.unsqueeze(0).shape == [1, 2, 3, 4])
        #expect(x.unsqueeze(-1).shape == [2, 3, 4, 1])
    }

    @Test func permuteMatchesIndexArithmetic() {
        let p = x.permute([2, 0, 1])   // [4, 2, 3]
        #expect(p.shape == [4, 2, 3])
        for k in 0..<4 { for i in 0..<2 { for j in 0..<3 {
            #expect(p.data[(k * 2 + i) * 3 + j] == x.data[(i * 3 + j) * 4 + k])
        } } }
        #expect(x.transpose(0, 2).shape == [4, 3, 2])
        #expect(x.transpose(-1, -2).data[1] == 4)
    }

    @Test func narrowSelectAndIndexSelect() {
        #expect(x.narrow(1, start: 1, length: 2).data == [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        #expect(x.select(2, -1).data == [3, 7, 11, 15, 19, 23])
        let s = x.indexSelect(1, IndexTensor([2, 0, 2]))
        #expect(s.shape == [2, 3, 4])
        #expect(Array(s.data[0..<8]) == [8, 9, 10, 11, 0, 1, 2, 3])
    }

    @Test func catStackSplit() {
        let a = Tensor(shape: [2, 1], data: [1, 2]), b = Tensor(shape: [2, 2], data: [3, 4, 5, 6])
        #expect(Tensor.cat([a, b], dim: 1).data == [1, 3, 4, 2, 5, 6])
        #expect(Tensor.cat([a, a], dim: 0).data == [1, 2, 1, 2])
        let st = Tensor.stack([a, a], dim: 1)
        #expect(st.shape == [2, 2, 1])
        let parts = b.split([1, 1], dim: 1)
        #expect(parts[0].data == [3, 5] && parts[1].data == [4, 6])
    }

    @Test func gatherPicksAlongDim() {
        let m = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        // torch.gather(m, 1, [[2, 0], [1, 1]]) == [[3, 1], [5, 5]]
        #expect(m.gather(1, IndexTensor(shape: [2, 2], data: [2, 0, 1, 1])).data == [3, 1, 5, 5])
        // torch.gather(m, 0, [[1, 0, 1]]) == [[4, 2, 6]]
        #expect(m.gather(0, IndexTensor(shape: [1, 3], data: [1, 0, 1])).data == [4, 2, 6])
    }

    @Test func reductions() {
        #expect(x.sum().item() == 276)
        #expect(x.mean().item() == 11.5)
        #expect(x.sum(dim: 1).data == [12, 15, 18, 21, 48, 51, 54, 57])
        #expect(x.sum(dims: [0, 2], keepdim: true).shape == [1, 3, 1])
        #expect(x.sum(dims: [0, 2]).data == [60, 92, 124])
        #expect(x.mean(dim: -1).data == [1.5, 5.5, 9.5, 13.5, 17.5, 21.5])
        let (v, i) = x.max(dim: 1)
        #expect(v.data == [8, 9, 10, 11, 20, 21, 22, 23] && i.data == [2, 2, 2, 2, 2, 2, 2, 2])
        #expect(x.argmax(dim: 2).data == [3, 3, 3, 3, 3, 3])
        #expect(x.max().item() == 23)
    }

    @Test func gradientsOfShapeOps() {
        var g = Generator(seed: 3)
        let t = Tensor.normal([3, 4, 5], generator: &g).requiringGrad()
        let u = Tensor.normal([3, 2, 5], generator: &g).requiringGrad()
        let idx = IndexTensor(shape: [3, 4, 2], data: (0..<24).map { ($0 * 7) % 5 })
        let cases: [(String, ([Tensor]) -> Tensor)] = [
            ("permute", { $0[0].permute([2, 0, 1]) }),
            ("reshape", { $0[0].reshape([6, 10]) }),
            ("narrow", { $0[0].narrow(2, start: 1, length: 3) }),
            ("select", { $0[0].select(1, 2) }),
            ("indexSelect", { $0[0].indexSelect(1, IndexTensor([3, 0, 3])) }),
            ("gather", { $0[0].gather(2, idx) }),
            ("cat", { Tensor.cat([$0[0], $0[1]], dim: 1) }),
            ("stack", { Tensor.stack([$0[0].narrow(1, start: 0, length: 2), $0[1]], dim: 0) }),
            ("sum", { $0[0].sum(dims: [0, 2]) }),
            ("mean", { $0[0].mean(dim: 1, keepdim: true) }),
            ("max", { $0[0].max(dim: 2).values }),
        ]
        for (name, f) in cases {
            let failures = gradcheck([t, u]) { xs in weightedSum(f(xs)) }
            #expect(failures.isEmpty, "\(name): \(failures)")
        }
    }
}
