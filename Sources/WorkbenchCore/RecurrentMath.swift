// Vectorised gate activations (exp, sigmoid, tanh on 8 lanes) for the recurrent kernels.
//
// glibc's tanhf goes through expm1f one element at a time and took a fifth of an LSTM step;
// these 8-lane versions (Cephes' single-precision polynomials, max error ~2 ulp near the
// result's magnitude) keep the gate math a small fraction of the step's sgemm time.

/// e^x, Cephes expf: x = n ln2 + r with |r| <= ln2 / 2, a degree-6 polynomial for e^r, 2^n
/// built in the exponent bits. The input is clamped so that 2^n stays a normal finite float
/// (NaN passes through). Rounding and the float-to-int step use the 1.5 * 2^23 trick: adding it
/// leaves round(t) in the low mantissa bits, with no conversion instruction the stdlib's generic
/// SIMD conversions would turn into a per-lane call.
@inline(__always)
func gateExp(_ x: Lanes) -> Lanes {
    let lo = Lanes(repeating: -87.3), hi = Lanes(repeating: 88.0)
    let x = x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
    let magic: Float = 0x1.8p23
    let shifted = x * 1.44269504088896341 + magic
    let n = shifted - magic
    let r = x - n * 0.693359375 + n * 2.12194440e-4
    var p = r * 1.9875691500e-4 + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * (r * r) + r + 1
    let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
    return y * unsafeBitCast((bits &+ 127) &<< 23, to: Lanes.self)
}

/// σ(x) = 1 / (1 + e^-x).
@inline(__always)
func gateSigmoid(_ x: Lanes) -> Lanes { 1 / (1 + gateExp(-x)) }

/// tanh, Cephes tanhf: an odd polynomial below |x| = 0.625 (where 1 - 2/(e^2x + 1) would cancel),
/// 1 - 2/(e^2|x| + 1) above, with the sign of x.
@inline(__always)
func gateTanh(_ x: Lanes) -> Lanes {
    let a = x.replacing(with: -x, where: x .< 0)
    let large = 1 - 2 / (gateExp(a + a) + 1)
    let z = x * x
    var p = z * -5.70498872745e-3 + 2.06390887954e-2
    p = p * z - 5.37397155531e-2
    p = p * z + 1.33314422036e-1
    p = p * z - 3.33332819422e-1
    let small = p * z * a + a
    let t = large.replacing(with: small, where: a .< 0.625)
    return t.replacing(with: -t, where: x .< 0)
}
