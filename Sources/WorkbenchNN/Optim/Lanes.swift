// Eight-lane loads and stores for the gradient-norm loops (clipGradNorm): the tail of a buffer is
// loaded zero-padded, so one vector formula covers every element.

typealias Lanes = SIMD8<Float>

/// Loads `n` (<= 8) floats from `p`; missing lanes are 0.
@inline(__always)
func loadLanes(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes {
    if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
    var v = Lanes()
    for k in 0..<n { v[k] = p[k] }
    return v
}

/// Stores the first `n` (<= 8) lanes of `v` at `p`.
@inline(__always)
func storeLanes(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self); return }
    for k in 0..<n { p[k] = v[k] }
}
