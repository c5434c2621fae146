// Which kernels run a convolution: oneDNN's or im2col + sgemm.
import Glibc
import WorkbenchDNNL

/// The two convolution paths. oneDNN (the library behind PyTorch's CPU convolutions) runs a
/// convolution directly in blocked layouts with JIT code for the CPU's vector width, chosen when
/// the process starts: on AVX-512 its passes took 0.45 of the im2col path's time on DCGAN's
/// layers. im2col + sgemm stays for convolutions with few input channels, for what oneDNN has only
/// reference code for, and as the path to compare against.
public enum ConvBackend: String, Sendable {
    case onednn, im2col

    /// `WORKBENCH_CONV=onednn|im2col` forces a path for every convolution (the fixture matrix
    /// runs under both); unset, each convolution takes the path `ConvGeometry.usesDNNL` picks.
    /// Any other value ends the process (exit status 2) with a message naming the variable.
    public static let forced: ConvBackend? = {
        guard let raw = getenv("WORKBENCH_CONV").map({ String(cString: $0) }), !raw.isEmpty else { return nil }
        guard let backend = ConvBackend(rawValue: raw) else {
            let message = "Error: WORKBENCH_CONV=\(raw): expected onednn or im2col, or unset\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            exit(2)
        }
        return backend
    }()

    /// "oneDNN 2.6.3, ISA avx512_core_bf16", plus the forced path if any: with the OpenBLAS
    /// kernel, what decides a run's float rounding.
    public static var description: String {
        String(cString: wb_dnnl_description()) + (forced.map { " (WORKBENCH_CONV=\($0.rawValue))" } ?? "")
    }
}

extension ConvGeometry {
    /// oneDNN's blocked layouts pad channels to blocks of 16 (8 on AVX2): with fewer input channels
    /// most of its work is padding, and its input gradient ran 4-12x slower than im2col's
    /// (`workbench-bench convs`: LeNet's 1->6 and 6->16, DCGAN's 1->64; 4->16 was even). From 16
    /// input channels on it won at every batch size measured, 1 to 256 (2-4x on AlphaGo Zero's
    /// 64-channel 7x6 boards, 1.5x on DCGAN's 4x4 stride-2 layers).
    static let dnnlMinimumChannels = 16

    /// oneDNN's view of this convolution for `batch` samples and `o` output channels.
    func dnnlShape(batch: Int, outChannels o: Int) -> wb_conv_shape {
        wb_conv_shape(n: Int32(batch), c: Int32(channels), h: Int32(height), w: Int32(width), o: Int32(o),
                      oh: Int32(outH), ow: Int32(outW), kh: Int32(kernelH), kw: Int32(kernelW),
                      strideH: Int32(strideH), strideW: Int32(strideW), padH: Int32(padH), padW: Int32(padW),
                      dilationH: Int32(dilationH), dilationW: Int32(dilationW))
    }

    /// Whether oneDNN runs this convolution over `batch` samples: forced by WORKBENCH_CONV, or by
    /// default when it has 16 or more input channels and oneDNN has a JIT kernel for it (not "ref:",
    /// its reference loops, which run far slower than im2col). The choice depends on the shape alone.
    func usesDNNL(batch: Int, outChannels o: Int) -> Bool {
        switch ConvBackend.forced {
        case .im2col?: return false
        case .onednn?: break
        case nil: if channels < ConvGeometry.dnnlMinimumChannels { return false }
        }
        var shape = dnnlShape(batch: batch, outChannels: o)
        guard let implementation = wb_conv_implementation(&shape) else { return false }
        return ConvBackend.forced == .onednn || !String(cString: implementation).hasPrefix("ref")
    }
}

/// Stops the process when a oneDNN call fails: after `usesDNNL` accepted the shape, the only
/// failure left is running out of memory for its working buffers.
@inline(__always)
func checkDNNL(_ status: Int32, _ what: StaticString) {
    if status != 0 { fatalError("oneDNN \(what) failed with status \(status) (out of memory?)") }
}
