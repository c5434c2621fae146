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

/// Keeps freed tensor buffers (up to 32 MiB each) in the heap instead of returning them to the
/// system: glibc otherwise maps and unmaps large buffers on every op, and the page faults of the
/// fresh pages cost more than some kernels. Executables call this once at start-up.
public func configureAllocatorForTensors() {
    #if canImport(Glibc)
    _ = glibcMallopt(-3, 32 << 20)    // M_MMAP_THRESHOLD
    _ = glibcMallopt(-1, 512 << 20)   // M_TRIM_THRESHOLD
    #endif
}

#if canImport(Glibc)
/// glibc's `mallopt` (declared in malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt")
func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
