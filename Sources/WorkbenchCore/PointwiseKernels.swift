// Branch-free SIMD kernels for the pointwise activations and their backward passes. ReLU-style
// conditions are ~50 % taken on real activations, so a compare-and-branch per element
// mispredicts; masked selects over 8 lanes run at memory speed instead.

/// Applies `body(offset)` to the 8-lane blocks of `0..<n` and `tail(i)` to the rest.
@inline(__always)
private func lanes8(_ n: Int, _ body: (Int) -> Void, tail: (Int) -> Void) {
    var i = 0
    while i + 8 <= n { body(i); i += 8 }
    while i < n { tail(i); i += 1 }
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// dst = x > 0 ? x : slope * x; dst may be x. Slope 0 (ReLU) selects a true 0, so that -inf
/// and NaN give 0 rather than 0 * x.
func leakyReluKernel(_ x: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count n: Int, slope: Float) {
    if slope == 0 {
        lanes8(n, { i in
            let v = load8(x + i)
            store8(SIMD8(repeating: 0).replacing(with: v, where: v .> 0), dst + i)
        }, tail: { i in dst[i] = x[i] > 0 ? x[i] : 0 })
        return
    }
    lanes8(n, { i in
        let v = load8(x + i)
        store8((v * slope).replacing(with: v, where: v .> 0), dst + i)
    }, tail: { i in dst[i] = x[i] > 0 ? x[i] : slope * x[i] })
}

/// dst = mask > 0 ? g : slope * g, the backward pass of (leaky) ReLU; `mask` is the input, or
/// for ReLU (slope 0) equally its output (positive exactly where the input is). dst may be g.
func leakyReluBackwardKernel(mask: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                             count n: Int, slope: Float) {
    if slope == 0 {
        lanes8(n, { i in
            let m = load8(mask + i), v = load8(g + i)
            store8(SIMD8(repeating: 0).replacing(with: v, where: m .> 0), dst + i)
        }, tail: { i in dst[i] = mask[i] > 0 ? g[i] : 0 })
        return
    }
    lanes8(n, { i in
        let m = load8(mask + i), v = load8(g + i)
        store8((v * slope).replacing(with: v, where: m .> 0), dst + i)
    }, tail: { i in dst[i] = mask[i] > 0 ? g[i] : slope * g[i] })
}
