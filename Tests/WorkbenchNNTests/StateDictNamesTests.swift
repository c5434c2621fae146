// Each module's state_dict names, order and shapes equal PyTorch's for the same constructor.
// The expected lists are literals printed by torch 2.15 (dev-time run of
// `[(k, list(v.shape)) for k, v in module.state_dict().items()]` with the constructor in each comment).
import Testing
import WorkbenchNN
import WorkbenchTesting

@Suite struct StateDictNamesTests {
    func layout(_ m: Module) -> [String] {
        m.stateDict().map { "\($0.0) \($0.1.shape)" }
    }

    @Test func linear() {
        var g = Generator(seed: 1)
        // nn.Linear(3, 4)
        #expect(layout(Linear(3, 4, generator: &g)) == ["weight [4, 3]", "bias [4]"])
        // nn.Linear(3, 4, bias=False)
        #expect(layout(Linear(3, 4, bias: false, generator: &g)) == ["weight [4, 3]"])
    }

    @Test func convolutions() {
        var g = Generator(seed: 1)
        // nn.Conv2d(3, 4, (3, 2))
        #expect(layout(Conv2d(3, 4, kernelSize: (3, 2), generator: &g)) == ["weight [4, 3, 3, 2]", "bias [4]"])
        // nn.ConvTranspose2d(3, 4, (3, 2)): weight is [in, out, kh, kw]
        #expect(layout(ConvTranspose2d(3, 4, kernelSize: (3, 2), generator: &g)) == ["weight [3, 4, 3, 2]", "bias [4]"])
    }

    @Test func batchNorm() {
        // nn.BatchNorm1d(3)
        #expect(layout(BatchNorm1d(3)) == ["weight [3]", "bias [3]", "running_mean [3]", "running_var [3]",
                                           "num_batches_tracked []"])
        // nn.BatchNorm2d(5, affine=False)
        #expect(layout(BatchNorm2d(5, affine: false)) == ["running_mean [5]", "running_var [5]", "num_batches_tracked []"])
        #expect(BatchNorm2d(5).namedParameters().map(\.0) == ["weight", "bias"])
        #expect(BatchNorm2d(5).namedBuffers().map(\.0) == ["running_mean", "running_var", "num_batches_tracked"])
    }

    @Test func embedding() {
        var g = Generator(seed: 1)
        // nn.Embedding(5, 3)
        #expect(layout(Embedding(5, 3, generator: &g)) == ["weight [5, 3]"])
    }

    @Test func recurrent() {
        var g = Generator(seed: 1)
        // nn.LSTM(3, 4, num_layers=2, bidirectional=True)
        #expect(layout(LSTM(3, 4, numLayers: 2, bidirectional: true, generator: &g)) == [
            "weight_ih_l0 [16, 3]", "weight_hh_l0 [16, 4]", "bias_ih_l0 [16]", "bias_hh_l0 [16]",
            "weight_ih_l0_reverse [16, 3]", "weight_hh_l0_reverse [16, 4]", "bias_ih_l0_reverse [16]", "bias_hh_l0_reverse [16]",
            "weight_ih_l1 [16, 8]", "weight_hh_l1 [16, 4]", "bias_ih_l1 [16]", "bias_hh_l1 [16]",
            "weight_ih_l1_reverse [16, 8]", "weight_hh_l1_reverse [16, 4]", "bias_ih_l1_reverse [16]", "bias_hh_l1_reverse [16]",
        ])
        // nn.GRU(3, 4, num_layers=2)
        #expect(layout(GRU(3, 4, numLayers: 2, generator: &g)) == [
            "weight_ih_l0 [12, 3]", "weight_hh_l0 [12, 4]", "bias_ih_l0 [12]", "bias_hh_l0 [12]",
            "weight_ih_l1 [12, 4]", "weight_hh_l1 [12, 4]", "bias_ih_l1 [12]", "bias_hh_l1 [12]",
        ])
        // nn.GRU(3, 4, bias=False)
        #expect(layout(GRU(3, 4, bias: false, generator: &g)) == ["weight_ih_l0 [12, 3]", "weight_hh_l0 [12, 4]"])
        // nn.LSTMCell(3, 4)
        #expect(layout(LSTMCell(3, 4, generator: &g)) == ["weight_ih [16, 3]", "weight_hh [16, 4]", "bias_ih [16]", "bias_hh [16]"])
    }

    @Test func recurrentFromGivenWeights() {
        var g = Generator(seed: 1)
        // A paper's own init: the given tensors are the parameters, under the same names.
        let lstm = LSTM(3, 4, numLayers: 2, bidirectional: true, generator: &g)
        let given = LSTM(3, 4, numLayers: 2, bidirectional: true, layers: lstm.layers)
        #expect(layout(given) == layout(lstm))
        #expect(zip(given.stateDict(), lstm.stateDict()).allSatisfy { $0.1 === $1.1 && $0.1.requiresGrad })
        let cell = LSTMCell(3, 4, generator: &g)
        let givenCell = LSTMCell(weights: cell.weights)
        #expect(layout(givenCell) == layout(cell) && zip(givenCell.parameters(), cell.parameters()).allSatisfy { $0 === $1 })
    }

    @Test func sequentialOfMixedLayers() {
        var g = Generator(seed: 1)
        // nn.Sequential(nn.Conv2d(3, 5, 3), nn.BatchNorm2d(5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        //               nn.Linear(5, 4), nn.Dropout(), nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6)))
        let model = Sequential(
            Conv2d(3, 5, kernelSize: 3, generator: &g), BatchNorm2d(5), ReLU(), MaxPool2d(2), Flatten(),
            Linear(5, 4, generator: &g), Dropout(random: RandomSource(seed: 1)),
            Sequential(Linear(4, 6, generator: &g), BatchNorm1d(6)))
        #expect(layout(model) == [
            "0.weight [5, 3, 3, 3]", "0.bias [5]", "1.weight [5]", "1.bias [5]", "1.running_mean [5]", "1.running_var [5]",
            "1.num_batches_tracked []", "5.weight [4, 5]", "5.bias [4]", "7.0.weight [6, 4]", "7.0.bias [6]", "7.1.weight [6]",
            "7.1.bias [6]", "7.1.running_mean [6]", "7.1.running_var [6]", "7.1.num_batches_tracked []",
        ])
        // named_parameters() skips buffers but keeps the same dotted names and order.
        #expect(model.namedParameters().map(\.0) == ["0.weight", "0.bias", "1.weight", "1.bias", "5.weight", "5.bias",
                                                      "7.0.weight", "7.0.bias", "7.1.weight", "7.1.bias"])
        #expect(model.namedBuffers().map(\.0) == ["1.running_mean", "1.running_var", "1.num_batches_tracked",
                                                   "7.1.running_mean", "7.1.running_var", "7.1.num_batches_tracked"])
        #expect(model.parameterCount == 5 * 27 + 5 + 5 + 5 + 20 + 4 + 24 + 6 + 6 + 6)
    }
}
