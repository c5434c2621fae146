// Which OpenBLAS build and CPU kernel this process runs on. A DYNAMIC_ARCH OpenBLAS picks its
// kernel for the CPU at load time (or as OPENBLAS_CORETYPE forces), and kernels for different
// vector widths round float sums differently: the same seed gives bit-identical results only
// under the same kernel, so run configs and benchmark tables record it.
import CBLAS

public enum BLASKernel {
    /// The kernel OpenBLAS chose, e.g. `Haswell` (AVX2) or `SkylakeX` (AVX-512).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// The build configuration, e.g. `OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`
    /// (some versions end it with a space, which is dropped).
    public static var config: String {
        String(cString: openblas_get_config()).split(separator: " ").joined(separator: " ")
    }
}
