// One DCGAN training iteration in pytorch/examples' order: D on real, D on the detached fake, step
// D; then G against the updated D with "real" labels (the non-saturating loss), step G.
import Foundation
import WorkbenchNN
import WorkbenchRun

/// What one iteration measured, with pytorch/examples' names: Loss_D, Loss_G, D(x), D(G(z)) before
/// and after D's update.
public struct GANStepStats: Sendable, Equatable {
    public var lossD: Float
    public var lossG: Float
    public var dReal: Float
    public var dFakeBefore: Float
    public var dFakeAfter: Float

    /// The statistics under their metrics.jsonl names.
    public var values: [String: Double] {
        ["loss_d": Double(lossD), "loss_g": Double(lossG), "d_x": Double(dReal), "d_g_z1": Double(dFakeBefore),
         "d_g_z2": Double(dFakeAfter)]
    }
}

/// Runs one iteration. `netD` returns logits [N] (BCE-with-logits replaces Sigmoid + BCELoss; the
/// D(·) statistics apply the sigmoid). Gradients are cleared (set to nil) before each backward pass;
/// afterwards D's gradients are those of its own step (the G pass leaves them alone).
/// `times` receives the forward, backward and optimizer seconds.
public func ganStep(real: Tensor, noise: Tensor,
                    netG: (Tensor) throws -> Tensor, netD: (Tensor) throws -> Tensor,
                    optimizerG: Optimizer, optimizerD: Optimizer, times: PhaseTimes = PhaseTimes()) rethrows -> GANStepStats {
    let n = real.shape[0]
    let ones = Tensor.ones([n]), zeros = Tensor.zeros([n])
    // (1) maximise log D(x) + log(1 - D(G(z))), real and fake batches through D separately (so
    // BatchNorm sees one kind of batch at a time, as in the reference).
    times.measure("optimizer") { optimizerD.zeroGrad() }
    let outReal = try times.measure("forward") { try netD(real) }
    let errDReal = times.measure("forward") { F.binaryCrossEntropyWithLogits(outReal, target: ones) }
    times.measure("backward") { errDReal.backward() }
    let fake = try times.measure("forward") { try netG(noise) }
    let outFake = try times.measure("forward") { try netD(fake.detach()) }
    let errDFake = times.measure("forward") { F.binaryCrossEntropyWithLogits(outFake, target: zeros) }
    times.measure("backward") { errDFake.backward() }
    times.measure("optimizer") { optimizerD.step() }
    // (2) maximise log D(G(z)): the same fake batch, through the updated D, labelled real. D's
    // parameters are frozen for this pass (pytorch-CycleGAN-and-pix2pix's set_requires_grad(netD,
    // False)): their gradients would only be cleared before D's next step, and skipping them saves
    // D's weight-gradient products and column matrices. G's gradients are the same.
    let dParameters = optimizerD.parameters.filter(\.requiresGrad)
    for p in dParameters { p.requiresGrad = false }
    defer { for p in dParameters { p.requiresGrad = true } }
    times.measure("optimizer") { optimizerG.zeroGrad() }
    let out = try times.measure("forward") { try netD(fake) }
    let errG = times.measure("forward") { F.binaryCrossEntropyWithLogits(out, target: ones) }
    times.measure("backward") { errG.backward() }
    times.measure("optimizer") { optimizerG.step() }
    return GANStepStats(lossD: errDReal.item() + errDFake.item(), lossG: errG.item(),
                        dReal: meanSigmoid(outReal), dFakeBefore: meanSigmoid(outFake), dFakeAfter: meanSigmoid(out))
}

/// mean(sigmoid(logits)), the reference's `output.mean()` after its Sigmoid.
func meanSigmoid(_ logits: Tensor) -> Float {
    var s: Double = 0
    for v in logits.data { s += 1 / (1 + exp(-Double(v))) }
    return Float(s / Double(max(logits.count, 1)))
}

/// The two Adam optimizers of the paper: lr 2e-4, β = (0.5, 0.999).
public func dcganOptimizers(generator: Module, discriminator: Module, lr: Float = 2e-4,
                            betas: (Float, Float) = (0.5, 0.999)) -> (g: Adam, d: Adam) {
    (Adam(generator.parameters(), lr: lr, betas: betas), Adam(discriminator.parameters(), lr: lr, betas: betas))
}
