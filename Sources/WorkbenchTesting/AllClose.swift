// Element-wise closeness with the project's rule: |a - b| <= atol + rtol * |b|.
@_exported import WorkbenchCore

/// The worst element of a comparison of `actual` against `expected`.
public struct Closeness: CustomStringConvertible, Sendable {
    public var passed: Bool
    public var maxAbsError: Float
    public var maxRelError: Float
    public var worstIndex: Int

    public var description: String {
        "max abs \(maxAbsError), max rel \(maxRelError) at element \(worstIndex)"
    }
}

/// Compares two equally sized value arrays; NaN matches only NaN.
public func closeness(_ actual: [Float], _ expected: [Float], atol: Float, rtol: Float) -> Closeness {
    precondition(actual.count == expected.count, "closeness: \(actual.count) vs \(expected.count) elements")
    var result = Closeness(passed: true, maxAbsError: 0, maxRelError: 0, worstIndex: 0)
    var worstExcess: Float = -.infinity
    for i in 0..<actual.count {
        let a = actual[i], b = expected[i]
        if a.isNaN || b.isNaN {
            if a.isNaN != b.isNaN { result.passed = false; result.maxAbsError = .nan; result.worstIndex = i; worstExcess = .infinity }
            continue
        }
        let err = a == b ? 0 : abs(a - b)
        let excess = err - (atol + rtol * abs(b))
        if excess > 0 { result.passed = false }
        result.maxAbsError = max(result.maxAbsError, err)
        if b != 0 { result.maxRelError = max(result.maxRelError, err / abs(b)) }
        if excess > worstExcess { worstExcess = excess; result.worstIndex = i }
    }
    return result
}

/// Whether `actual` matches `expected` in shape and values.
public func allClose(_ actual: Tensor, _ expected: Tensor, atol: Float = 1e-5, rtol: Float = 1e-4) -> Bool {
    actual.shape == expected.shape && closeness(actual.data, expected.data, atol: atol, rtol: rtol).passed
}
