// Eight-lane loads and stores for vectorised loops over Float buffers (gate maths, cross-entropy,
// gradient norms): the tail of a buffer is loaded zero-padded, so one vector formula covers every element.

public typealias Lanes = SIMD8<Float>

/// Loads `n` (<= 8) floats from `p`; missing lanes are 0.
@inlinable @inline(__always)
public func loadLanes(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes {
    if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
    var v = Lanes()
    for k in 0..<n { v[k] = p[k] }
    return v
}

/// Stores the first `n` (<= 8) lanes of `v` at `p`.
@inlinable @inline(__always)
public func storeLanes(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self); return }
    for k in 0..<n { p[k] = v[k] }
}

/// Calls `body(start, count)` over `range` eight lanes at a time: count is 8 except for one
/// shorter last chunk, and a constant in the main loop, so `loadLanes`/`storeLanes` become plain
/// vector moves there.
@inlinable @inline(__always)
public func forEachLaneChunk(_ range: Range<Int>, _ body: (_ start: Int, _ count: Int) -> Void) {
    var j = range.lowerBound
    while j + 8 <= range.upperBound { body(j, 8); j += 8 }
    if j < range.upperBound { body(j, range.upperBound - j) }
}
