// Convolutions on oneDNN: the three passes of one 2-D convolution (groups = 1) on plain NCHW
// buffers. oneDNN runs them in its blocked layouts (nChw16c on AVX-512, nChw8c on AVX2), so each
// call reorders its inputs into those layouts and its result back. Every call runs on the calling
// thread alone (OpenMP team of one): the callers split the batch over the cores themselves.
#ifndef WORKBENCH_DNNL_H
#define WORKBENCH_DNNL_H

/// One convolution's geometry: src [n, c, h, w] -> dst [n, o, oh, ow] with weight [o, c, kh, kw].
/// Padding on the far side is whatever makes oh/ow come out (transposed convolutions with an
/// output padding need more there than on the near side).
typedef struct {
    int n, c, h, w, o, oh, ow, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW;
} wb_conv_shape;

/// The implementation oneDNN picks for this shape's forward pass, e.g. "jit:avx512_core", or NULL
/// when it has none. Callers use the im2col path when it is a reference ("ref:...") kernel.
const char *wb_conv_implementation(const wb_conv_shape *shape);

/// dst = conv(src, weight) + bias (bias may be NULL). Returns 0, or a oneDNN status on failure.
int wb_conv_forward(const wb_conv_shape *shape, const float *src, const float *weight, const float *bias, float *dst);

/// diff_src = the input gradient of the convolution for diff_dst (overwritten).
int wb_conv_backward_data(const wb_conv_shape *shape, const float *diff_dst, const float *weight, float *diff_src);

/// diff_weight = Σ over the batch of diff_dst ⋆ src (overwritten).
int wb_conv_backward_weights(const wb_conv_shape *shape, const float *src, const float *diff_dst, float *diff_weight);

/// "oneDNN 2.6.3, ISA avx512_core_bf16": the library version and the widest instruction set its JIT
/// code uses on this CPU (ONEDNN_MAX_CPU_ISA lowers it). Its float rounding depends on both.
const char *wb_dnnl_description(void);

#endif
