// Finite-difference gradient checks for tests.
@_exported import WorkbenchCore

/// Compares the autodiff gradient of a scalar function with central differences.
///
/// `f` maps the inputs to a scalar (0-d or one element). Each input that requires grad is
/// perturbed at up to `maxChecks` evenly spread elements by ±`eps`. In Float32 the default
/// `eps` 1e-2 with tolerance 1e-2 abs + 2e-2 rel still catches a wrong sign, a missing term or a
/// transposed index, which change gradients by O(1).
/// Returns one line per mismatch (empty when the check passes).
public func gradcheck(_ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 1e-2, rtol: Float = 2e-2,
                      maxChecks: Int = 48, _ f: ([Tensor]) -> Tensor) -> [String] {
    for x in inputs { x.grad = nil }
    let y = f(inputs)
    precondition(y.count == 1, "gradcheck: f must return one element, got shape \(y.shape)")
    y.backward()
    var failures: [String] = []
    for (which, x) in inputs.enumerated() where x.requiresGrad {
        let analytic = x.grad?.data ?? [Float](repeating: 0, count: x.count)
        let step = Swift.max(1, x.count / maxChecks)
        for i in stride(from: 0, to: x.count, by: step) {
            let saved = x.data[i]
            x.data[i] = saved + eps
            let plus = withNoGrad { f(inputs).item() }
            x.data[i] = saved - eps
            let minus = withNoGrad { f(inputs).item() }
            x.data[i] = saved
            let numeric = (plus - minus) / (2 * eps)
            if abs(numeric - analytic[i]) > atol + rtol * abs(numeric) {
                failures.append("input \(which) \(x.shape) element \(i): analytic \(analytic[i]), numeric \(numeric)")
            }
        }
    }
    return failures
}

/// A fixed pseudo-random weighting that turns any tensor into a scalar whose gradient with
/// respect to every element differs (so a permuted gradient cannot pass).
public func weightedSum(_ t: Tensor, seed: UInt64 = 7) -> Tensor {
    var g = Generator(seed: seed)
    return (t * Tensor.uniform(t.shape, low: -1, high: 1, generator: &g)).sum()
}
