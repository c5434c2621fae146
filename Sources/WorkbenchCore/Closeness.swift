// Element-wise closeness with the project's rule: |a - b| <= atol + rtol * |b|.

/// The outcome of comparing `actual` with `expected` element by element.
public struct Closeness: CustomStringConvertible, Sendable {
    public var passed: Bool
    public var maxAbsError: Float
    public var maxRelError: Float
    /// Largest |a - b| / (atol + rtol * |b|): at most 1 when the comparison passes.
    public var worstRatio: Float
    public var worstIndex: Int

    public var description: String {
        "max abs \(maxAbsError), max rel \(maxRelError)"
    }
}

/// Compares two equally sized value arrays; NaN matches only NaN, infinities only themselves.
public func closeness(_ actual: [Float], _ expected: [Float], atol: Float, rtol: Float) -> Closeness {
    precondition(actual.count == expected.count, "closeness: \(actual.count) vs \(expected.count) elements")
    var result = Closeness(passed: true, maxAbsError: 0, maxRelError: 0, worstRatio: 0, worstIndex: 0)
    for i in 0..<actual.count {
        let a = actual[i], b = expected[i]
        var ratio: Float
        if a == b || (a.isNaN && b.isNaN) {
            continue
        } else if a.isNaN || b.isNaN || a.isInfinite || b.isInfinite {
            result.maxAbsError = .infinity
            ratio = .infinity
        } else {
            let err = abs(a - b)
            result.maxAbsError = max(result.maxAbsError, err)
            if b != 0 { result.maxRelError = max(result.maxRelError, err / abs(b)) }
            ratio = err / (atol + rtol * abs(b))
        }
        if ratio > result.worstRatio { result.worstRatio = ratio; result.worstIndex = i }
    }
    result.passed = result.worstRatio <= 1
    return result
}

/// Whether `actual` matches `expected` in shape and values.
public func allClose(_ actual: Tensor, _ expected: Tensor, atol: Float = 1e-5, rtol: Float = 1e-4) -> Bool {
    actual.shape == expected.shape && closeness(actual.data, expected.data, atol: atol, rtol: rtol).passed
}
