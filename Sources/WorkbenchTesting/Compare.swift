// Tensor comparison for tests with the project's rule |a - b| <= atol + rtol * |b| (Closeness in
// WorkbenchCore), reporting what differs instead of a bare Bool.

/// nil when `actual` matches `expected` in shape and values, else one line naming `what`, the
/// errors and the worst element.
public func mismatch(_ what: String, _ actual: Tensor, _ expected: Tensor, atol: Float = 1e-5, rtol: Float = 1e-4) -> String? {
    guard actual.shape == expected.shape else { return "\(what): shape \(actual.shape), expected \(expected.shape)" }
    let c = closeness(actual.data, expected.data, atol: atol, rtol: rtol)
    if c.passed { return nil }
    return "\(what): \(c.description) (element \(c.worstIndex): \(actual.data[c.worstIndex]) vs \(expected.data[c.worstIndex]))"
}

/// Whether two tensors hold the same shape and bit-identical values (for "resumes identically").
public func identical(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape && zip(a.data, b.data).allSatisfy { $0.bitPattern == $1.bitPattern }
}
