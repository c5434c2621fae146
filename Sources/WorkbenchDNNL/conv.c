// The three passes of a convolution on oneDNN, with primitives cached by shape and pass.
//
// A pass is one oneDNN primitive with two input operands and one output operand (plus the bias
// of the forward pass). Operands arrive and leave in the plain layouts (NCHW data, OIHW weights);
// the primitive is created with "any" layouts so that oneDNN picks its fast blocked ones, and a
// reorder primitive converts each operand whose layout differs. Every primitive uses a scratchpad
// we pass in (dnnl_scratchpad_mode_user): oneDNN's own shared scratchpad would tie a primitive to
// the thread that created it, and ours are called from the main thread, the second core's worker
// and concurrent tests. Working buffers are per thread and grow to the largest call seen.
#include "WorkbenchDNNL.h"
#include <oneapi/dnnl/dnnl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum pass { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHTS };

typedef struct {
    dnnl_primitive_t primitive;
    dnnl_memory_desc_t scratchpad;
} runnable;

/// One operand: its plain layout, the layout the primitive wants, and the reorder between them
/// (NULL when they are the same).
typedef struct {
    int arg;
    dnnl_memory_desc_t plain, wanted;
    runnable reorder;
} operand;

typedef struct entry {
    wb_conv_shape shape;
    enum pass pass;
    int bias;
    const char *implementation;   // NULL: oneDNN could not create this pass
    runnable conv;
    operand in[2], out;
    dnnl_memory_desc_t bias_md;
    struct entry *next;
} entry;

static dnnl_engine_t engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static entry *cache;
static void (*set_omp_threads)(int);

static void make_engine(void) {
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
    // oneDNN runs on OpenMP (libgomp, loaded with it); one thread per call.
    set_omp_threads = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_num_threads");
}

/// The OpenMP thread count is per calling thread: set it on every call.
static void one_thread(void) {
    if (set_omp_threads) set_omp_threads(1);
}

static _Thread_local dnnl_stream_t thread_stream;
static _Thread_local void *buffers[6];
static _Thread_local size_t capacities[6];

/// Per-thread working buffer `slot` of at least `bytes`, 64-byte aligned.
static void *buffer(int slot, size_t bytes) {
    if (capacities[slot] < bytes) {
        free(buffers[slot]);
        size_t rounded = (bytes + 63) / 64 * 64;
        buffers[slot] = aligned_alloc(64, rounded);
        capacities[slot] = buffers[slot] ? rounded : 0;
    }
    return buffers[slot];
}

static dnnl_memory_desc_t plain_md(int d0, int d1, int d2, int d3) {
    dnnl_memory_desc_t md;
    dnnl_dims_t dims = {d0, d1, d2, d3};
    dnnl_memory_desc_init_by_tag(&md, 4, dims, dnnl_f32, dnnl_abcd);
    return md;
}

static dnnl_memory_desc_t any_md(const dnnl_memory_desc_t *plain) {
    dnnl_memory_desc_t md;
    dnnl_memory_desc_init_by_tag(&md, plain->ndims, plain->dims, dnnl_f32, dnnl_format_tag_any);
    return md;
}

static dnnl_primitive_attr_t user_scratchpad(void) {
    dnnl_primitive_attr_t attr;
    dnnl_primitive_attr_create(&attr);
    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    return attr;
}

static int make_runnable(dnnl_primitive_desc_t pd, runnable *r) {
    r->scratchpad = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    return dnnl_primitive_create(&r->primitive, pd) == dnnl_success;
}

/// The operand `arg` of `pd` with its plain layout; a reorder from plain (inputs) or to plain
/// (the output) when the primitive wants another layout.
static int make_operand(dnnl_primitive_desc_t pd, int arg, dnnl_memory_desc_t plain, int is_input, operand *op) {
    op->arg = arg;
    op->plain = plain;
    op->wanted = *dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
    op->reorder.primitive = NULL;
    if (dnnl_memory_desc_equal(&op->plain, &op->wanted)) return 1;
    dnnl_primitive_attr_t attr = user_scratchpad();
    dnnl_primitive_desc_t rpd;
    const dnnl_memory_desc_t *from = is_input ? &op->plain : &op->wanted, *to = is_input ? &op->wanted : &op->plain;
    int ok = dnnl_reorder_primitive_desc_create(&rpd, from, engine, to, engine, attr) == dnnl_success
             && make_runnable(rpd, &op->reorder);
    dnnl_primitive_attr_destroy(attr);
    return ok;
}

/// Creates the primitive of one pass and the reorders of its operands (under cache_lock).
static void create(entry *e) {
    const wb_conv_shape *s = &e->shape;
    dnnl_memory_desc_t src = plain_md(s->n, s->c, s->h, s->w), dst = plain_md(s->n, s->o, s->oh, s->ow),
                       wei = plain_md(s->o, s->c, s->kh, s->kw);
    dnnl_memory_desc_t src_any = any_md(&src), dst_any = any_md(&dst), wei_any = any_md(&wei);
    dnnl_dims_t bias_dims = {s->o};
    dnnl_memory_desc_init_by_tag(&e->bias_md, 1, bias_dims, dnnl_f32, dnnl_a);
    dnnl_dims_t strides = {s->strideH, s->strideW}, dilates = {s->dilationH - 1, s->dilationW - 1},
                pad_l = {s->padH, s->padW},
                pad_r = {(s->oh - 1) * s->strideH + (s->kh - 1) * s->dilationH + 1 - s->h - s->padH,
                         (s->ow - 1) * s->strideW + (s->kw - 1) * s->dilationW + 1 - s->w - s->padW};
    e->implementation = NULL;
    e->conv.primitive = NULL;
    one_thread();

    // The forward descriptor: the primitive itself, or the hint the backward passes need.
    dnnl_convolution_desc_t fd, d;
    dnnl_primitive_desc_t hint = NULL, pd = NULL;
    dnnl_primitive_attr_t attr = user_scratchpad();
    if (dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &src_any, &wei_any,
                                                   e->bias ? &e->bias_md : NULL, &dst_any, strides, dilates, pad_l, pad_r) != dnnl_success
        || dnnl_primitive_desc_create(&hint, &fd, attr, engine, NULL) != dnnl_success) {
        dnnl_primitive_attr_destroy(attr);
        return;
    }
    int ok = 1;
    switch (e->pass) {
    case FORWARD:
        pd = hint;
        hint = NULL;
        ok = make_operand(pd, DNNL_ARG_SRC, src, 1, &e->in[0]) && make_operand(pd, DNNL_ARG_WEIGHTS, wei, 1, &e->in[1])
             && make_operand(pd, DNNL_ARG_DST, dst, 0, &e->out);
        break;
    case BACKWARD_DATA:
        ok = dnnl_dilated_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &src_any, &wei_any, &dst_any,
                                                              strides, dilates, pad_l, pad_r) == dnnl_success
             && dnnl_primitive_desc_create(&pd, &d, attr, engine, hint) == dnnl_success
             && make_operand(pd, DNNL_ARG_DIFF_DST, dst, 1, &e->in[0]) && make_operand(pd, DNNL_ARG_WEIGHTS, wei, 1, &e->in[1])
             && make_operand(pd, DNNL_ARG_DIFF_SRC, src, 0, &e->out);
        break;
    case BACKWARD_WEIGHTS:
        ok = dnnl_dilated_convolution_backward_weights_desc_init(&d, dnnl_convolution_direct, &src_any, &wei_any, NULL, &dst_any,
                                                                 strides, dilates, pad_l, pad_r) == dnnl_success
             && dnnl_primitive_desc_create(&pd, &d, attr, engine, hint) == dnnl_success
             && make_operand(pd, DNNL_ARG_SRC, src, 1, &e->in[0]) && make_operand(pd, DNNL_ARG_DIFF_DST, dst, 1, &e->in[1])
             && make_operand(pd, DNNL_ARG_DIFF_WEIGHTS, wei, 0, &e->out);
        break;
    }
    dnnl_primitive_attr_destroy(attr);
    if (hint) dnnl_primitive_desc_destroy(hint);
    if (ok && pd && make_runnable(pd, &e->conv)) {
        const char *info = NULL;
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &info);
        e->implementation = info ? strdup(info) : NULL;
    }
    // Primitives keep what they need of their descriptors; the memory descriptors were copied.
    if (pd) dnnl_primitive_desc_destroy(pd);
}

/// The cached entry of one pass of one shape, created on first use. Entries live as long as the
/// process (one per distinct convolution a process runs).
static entry *lookup(const wb_conv_shape *shape, enum pass pass, int bias) {
    pthread_once(&engine_once, make_engine);
    if (!engine) return NULL;
    pthread_mutex_lock(&cache_lock);
    entry *e = cache;
    while (e && !(e->pass == pass && e->bias == bias && memcmp(&e->shape, shape, sizeof *shape) == 0)) e = e->next;
    if (!e && (e = calloc(1, sizeof *e))) {
        e->shape = *shape;
        e->pass = pass;
        e->bias = bias;
        create(e);
        e->next = cache;
        cache = e;
    }
    pthread_mutex_unlock(&cache_lock);
    return e;
}

static dnnl_stream_t stream(void) {
    if (!thread_stream && dnnl_stream_create(&thread_stream, engine, dnnl_stream_default_flags) != dnnl_success) thread_stream = NULL;
    return thread_stream;
}

static dnnl_memory_t memory(const dnnl_memory_desc_t *md, void *data) {
    dnnl_memory_t m = NULL;
    if (dnnl_memory_create(&m, md, engine, data) != dnnl_success) return NULL;
    return m;
}

/// Runs `r` with `args` plus its scratchpad (buffer slot `slot`).
static dnnl_status_t execute(const runnable *r, dnnl_stream_t s, int count, dnnl_exec_arg_t *args, int slot) {
    size_t bytes = dnnl_memory_desc_get_size(&r->scratchpad);
    dnnl_memory_t pad = NULL;
    if (bytes > 0) {
        void *data = buffer(slot, bytes);
        if (!data || !(pad = memory(&r->scratchpad, data))) return dnnl_out_of_memory;
        args[count++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, pad};
    }
    dnnl_status_t status = dnnl_primitive_execute(r->primitive, s, count, args);
    if (pad) dnnl_memory_destroy(pad);
    return status;
}

/// Runs the pass of `e` on plain buffers: inputs in0, in1 (and bias), output out.
static int run(const entry *e, const float *in0, const float *in1, const float *bias, float *out) {
    if (!e || !e->implementation) return dnnl_unimplemented;
    one_thread();
    dnnl_stream_t s = stream();
    if (!s) return dnnl_out_of_memory;
    const void *inputs[2] = {in0, in1};
    dnnl_memory_t made[8] = {0};
    int count = 0, made_count = 0;
    dnnl_exec_arg_t args[5], reorder_args[3];
    dnnl_status_t status = dnnl_success;
    for (int i = 0; i < 2 && status == dnnl_success; i++) {
        const operand *op = &e->in[i];
        dnnl_memory_t user = made[made_count++] = memory(&op->plain, (void *)inputs[i]);
        if (!user) { status = dnnl_out_of_memory; break; }
        dnnl_memory_t used = user;
        if (op->reorder.primitive) {
            void *data = buffer(i, dnnl_memory_desc_get_size(&op->wanted));
            used = made[made_count++] = data ? memory(&op->wanted, data) : NULL;
            if (!used) { status = dnnl_out_of_memory; break; }
            reorder_args[0] = (dnnl_exec_arg_t){DNNL_ARG_FROM, user};
            reorder_args[1] = (dnnl_exec_arg_t){DNNL_ARG_TO, used};
            status = execute(&op->reorder, s, 2, reorder_args, 4);
        }
        args[count++] = (dnnl_exec_arg_t){op->arg, used};
    }
    dnnl_memory_t user_out = NULL, result = NULL;
    if (status == dnnl_success) {
        user_out = made[made_count++] = memory(&e->out.plain, out);
        result = user_out;
        if (user_out && e->out.reorder.primitive) {
            void *data = buffer(2, dnnl_memory_desc_get_size(&e->out.wanted));
            result = made[made_count++] = data ? memory(&e->out.wanted, data) : NULL;
        }
        if (!user_out || !result) status = dnnl_out_of_memory;
    }
    if (status == dnnl_success) {
        args[count++] = (dnnl_exec_arg_t){e->out.arg, result};
        if (bias) {
            dnnl_memory_t b = made[made_count++] = memory(&e->bias_md, (void *)bias);
            if (!b) status = dnnl_out_of_memory;
            else args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, b};
        }
    }
    if (status == dnnl_success) status = execute(&e->conv, s, count, args, 3);
    if (status == dnnl_success && result != user_out) {
        reorder_args[0] = (dnnl_exec_arg_t){DNNL_ARG_FROM, result};
        reorder_args[1] = (dnnl_exec_arg_t){DNNL_ARG_TO, user_out};
        status = execute(&e->out.reorder, s, 2, reorder_args, 4);
    }
    if (status == dnnl_success) status = dnnl_stream_wait(s);
    for (int i = 0; i < made_count; i++) if (made[i]) dnnl_memory_destroy(made[i]);
    return status;
}

const char *wb_conv_implementation(const wb_conv_shape *shape) {
    const entry *e = lookup(shape, FORWARD, 0);
    return e ? e->implementation : NULL;
}

int wb_conv_forward(const wb_conv_shape *shape, const float *src, const float *weight, const float *bias, float *dst) {
    return run(lookup(shape, FORWARD, bias != NULL), src, weight, bias, dst);
}

int wb_conv_backward_data(const wb_conv_shape *shape, const float *diff_dst, const float *weight, float *diff_src) {
    return run(lookup(shape, BACKWARD_DATA, 0), diff_dst, weight, NULL, diff_src);
}

int wb_conv_backward_weights(const wb_conv_shape *shape, const float *src, const float *diff_dst, float *diff_weight) {
    return run(lookup(shape, BACKWARD_WEIGHTS, 0), src, diff_dst, NULL, diff_weight);
}

static char description[96];

static void describe(void) {
    const dnnl_version_t *v = dnnl_version();
    const char *isa = "unknown";
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: isa = "sse41"; break;
    case dnnl_cpu_isa_avx: isa = "avx"; break;
    case dnnl_cpu_isa_avx2: isa = "avx2"; break;
    case dnnl_cpu_isa_avx2_vnni: isa = "avx2_vnni"; break;
    case dnnl_cpu_isa_avx512_core: isa = "avx512_core"; break;
    case dnnl_cpu_isa_avx512_core_vnni: isa = "avx512_core_vnni"; break;
    case dnnl_cpu_isa_avx512_core_bf16: isa = "avx512_core_bf16"; break;
    case dnnl_cpu_isa_avx512_core_amx: isa = "avx512_core_amx"; break;
    default: break;
    }
    snprintf(description, sizeof description, "oneDNN %d.%d.%d, ISA %s", v->major, v->minor, v->patch, isa);
}

const char *wb_dnnl_description(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, describe);
    return description;
}
