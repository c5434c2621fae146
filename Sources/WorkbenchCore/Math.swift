// Scalar math from the C library, wrapped once so that kernels need no Foundation import.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

@inline(__always) func fexp(_ x: Float) -> Float { expf(x) }
@inline(__always) func flog(_ x: Float) -> Float { logf(x) }
@inline(__always) func fpow(_ x: Float, _ p: Float) -> Float { powf(x, p) }
@inline(__always) func ftanh(_ x: Float) -> Float { tanhf(x) }
@inline(__always) func flog1p(_ x: Float) -> Float { log1pf(x) }
@inline(__always) func dlog(_ x: Double) -> Double { log(x) }
@inline(__always) func dsin(_ x: Double) -> Double { sin(x) }
@inline(__always) func dcos(_ x: Double) -> Double { cos(x) }
