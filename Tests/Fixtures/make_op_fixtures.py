# Writes the op, unseen-op and optimizer reference fixtures (format workbench-fixture/1) with PyTorch.
"""Reference fixtures for Workbench's ops, written by PyTorch.

Run from anywhere (the Makefile runs it as `make fixtures`):
    .venv/bin/python Tests/Fixtures/make_op_fixtures.py

Writes one safetensors file per configuration into
    Tests/Fixtures/ops/      configurations the unit tests use
    Tests/Fixtures/unseen/   configurations no unit test uses (for `workbench verify`)
    Tests/Fixtures/optim/    op fixtures with several optimizer steps
in the format of docs/FIXTURES.md, through fixturelib.py, which keeps only seeds whose numbers
do not hang on rounding (float32 against float64, and 1-ulp nudges of every stored tensor).

Deterministic: fixed per-fixture seeds (CRC-32 of the id), one thread, deterministic algorithms
and sorted keys, so two runs give byte-identical files for the same torch version (which the
`generator` metadata records).
"""

import copy
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import torch
from torch import nn

import fixturelib

ROOT = Path(__file__).resolve().parent
SCRIPT = "Tests/Fixtures/make_op_fixtures.py"

# Tolerances (strings in the file). The default suits ops whose outputs are short sums.
DEFAULT_TOL = ("1e-5", "1e-4", "1e-3")  # atol, rtol, grad_rtol
# Long reductions (convolutions summing up to 125 products, batch-norm statistics over a whole
# batch, LSTM/GRU recurrences that feed rounding errors through several steps, multi-step
# optimizers) accumulate float32 rounding that depends on the summation order, which differs
# between PyTorch's kernels and an sgemm-based implementation: they get atol 1e-4.
LONG_TOL = ("1e-4", "1e-4", "1e-3")

MAX_FILE_BYTES = 100_000


# ---------------------------------------------------------------------------------------------
# Fixture specifications


@dataclass
class Spec:
    group: str  # ops | unseen | optim
    fid: str  # file name without extension
    name: str  # op id
    config: dict  # PyTorch constructor arguments (loss arguments for loss ops)
    make: Optional[Callable]  # config -> nn.Module, or None for functional ops (cat, dropout)
    inputs: Callable  # () -> dict name -> tensor, called after the module is initialised
    forward: Callable  # (module, inputs, config) -> dict of outputs, or the loss for loss ops
    mode: str = "train"
    tol: tuple = DEFAULT_TOL
    loss: str = "upstream"  # or "self" for loss ops
    optimizer: Optional[dict] = None
    nonfinite: tuple = ()  # expect.* keys allowed to hold NaN (fixturelib refuses them otherwise)


SPECS: list = []


def single(m, inp, cfg):
    return {"y": m(inp["x"])}


def add(group, fid, name, config, make, inputs, forward=single, **kw):
    SPECS.append(Spec(group, fid, name, config, make, inputs, forward, **kw))


def module(cls):
    return lambda cfg: cls(**cfg)


def randn(*shape):
    return torch.randn(*shape)


def away_from_zero(*shape, margin=0.05):
    """Normal values pushed at least `margin` from 0, so ReLU-like kinks are never hit."""
    x = torch.randn(*shape)
    return x + torch.sign(x) * margin


def distinct(*shape):
    """Normal values with no ties, so max pooling has a unique argmax in every window."""
    x = torch.randn(*shape)
    assert torch.unique(x).numel() == x.numel(), "tie in a max-pool input"
    return x


def perturb_batch_norm(m: nn.Module) -> None:
    """Moves BatchNorm's weight/bias and running stats away from 1/0 so a missed term shows."""
    with torch.no_grad():
        for sub in m.modules():
            if isinstance(sub, nn.modules.batchnorm._BatchNorm):
                if sub.affine:
                    sub.weight.copy_(1 + 0.3 * torch.randn_like(sub.weight))
                    sub.bias.copy_(0.2 * torch.randn_like(sub.bias))
                sub.running_mean.copy_(0.3 * torch.randn_like(sub.running_mean))
                sub.running_var.copy_(0.5 + torch.rand_like(sub.running_var))


# ---- linear -----------------------------------------------------------------------------------
LIN = {"in_features": 6, "out_features": 5}
add("ops", "linear_2d", "linear", LIN, module(nn.Linear), lambda: {"x": randn(3, 6)})
add("ops", "linear_3d", "linear", LIN, module(nn.Linear), lambda: {"x": randn(3, 4, 6)})
add("ops", "linear_nobias", "linear", {**LIN, "bias": False}, module(nn.Linear), lambda: {"x": randn(3, 6)})

# ---- conv2d (input [3, 5, 7, 9]) -------------------------------------------------------------
C = {"in_channels": 5, "out_channels": 4}
X = lambda: {"x": randn(3, 5, 7, 9)}  # noqa: E731
conv = module(nn.Conv2d)
add("ops", "conv2d_k3_p1", "conv2d", {**C, "kernel_size": 3, "padding": 1}, conv, X, tol=LONG_TOL)
add("ops", "conv2d_k3x2_s2x1_p1x0", "conv2d",
    {**C, "kernel_size": [3, 2], "stride": [2, 1], "padding": [1, 0]}, conv, X, tol=LONG_TOL)
add("ops", "conv2d_k3_d2", "conv2d", {**C, "kernel_size": 3, "dilation": 2}, conv, X, tol=LONG_TOL)
add("ops", "conv2d_k1", "conv2d", {**C, "kernel_size": 1}, conv, X, tol=LONG_TOL)
add("ops", "conv2d_k3_nobias", "conv2d", {**C, "kernel_size": 3, "bias": False}, conv, X, tol=LONG_TOL)
add("ops", "conv2d_k5_s2_p2", "conv2d", {**C, "kernel_size": 5, "stride": 2, "padding": 2}, conv, X,
    tol=LONG_TOL)
add("ops", "conv2d_k4_s2_p1", "conv2d", {**C, "kernel_size": 4, "stride": 2, "padding": 1}, conv, X,
    tol=LONG_TOL)
# Batch 1 (the one-sample gemm path) with a dilation along the width only.
add("ops", "conv2d_k3x2_s2x1_p1_d1x2_batch1", "conv2d",
    {"in_channels": 2, "out_channels": 3, "kernel_size": [3, 2], "stride": [2, 1], "padding": 1, "dilation": [1, 2]},
    conv, lambda: {"x": randn(1, 2, 5, 4)}, tol=LONG_TOL)

# ---- conv_transpose2d ------------------------------------------------------------------------
CT = {"in_channels": 5, "out_channels": 3}
convt = module(nn.ConvTranspose2d)
add("ops", "conv_transpose2d_k4_s2_p1", "conv_transpose2d",
    {**CT, "kernel_size": 4, "stride": 2, "padding": 1}, convt, X, tol=LONG_TOL)
add("ops", "conv_transpose2d_k4_s1_p0_from1x1", "conv_transpose2d",
    {"in_channels": 5, "out_channels": 6, "kernel_size": 4, "stride": 1, "padding": 0}, convt,
    lambda: {"x": randn(3, 5, 1, 1)}, tol=LONG_TOL)
add("ops", "conv_transpose2d_k3x2_s2x3_p1x0_op1x2", "conv_transpose2d",
    {**CT, "kernel_size": [3, 2], "stride": [2, 3], "padding": [1, 0], "output_padding": [1, 2]},
    convt, X, tol=LONG_TOL)
add("ops", "conv_transpose2d_k4_s2_p1_nobias", "conv_transpose2d",
    {**CT, "kernel_size": 4, "stride": 2, "padding": 1, "bias": False}, convt, X, tol=LONG_TOL)
add("ops", "conv_transpose2d_k3_s2_p1_op1_batch1", "conv_transpose2d",
    {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}, convt,
    lambda: {"x": randn(1, 2, 3, 3)}, tol=LONG_TOL)

# ---- pooling ----------------------------------------------------------------------------------
# ceil_mode only matters when (size + 2 * padding - kernel) is not a multiple of the stride:
# the ceil_mode cases use 8x10 inputs so it matters in both directions.
X8 = lambda: {"x": distinct(3, 5, 8, 10)}  # noqa: E731
XD = lambda: {"x": distinct(3, 5, 7, 9)}  # noqa: E731
maxp = module(nn.MaxPool2d)
add("ops", "max_pool2d_k3_s2_ceil", "max_pool2d", {"kernel_size": 3, "stride": 2, "ceil_mode": True}, maxp, X8)
add("ops", "max_pool2d_k3_s1_p1", "max_pool2d", {"kernel_size": 3, "stride": 1, "padding": 1}, maxp, XD)
add("ops", "max_pool2d_k2", "max_pool2d", {"kernel_size": 2}, maxp, XD)
add("ops", "max_pool2d_k3x2_s2x1_p1", "max_pool2d",
    {"kernel_size": [3, 2], "stride": [2, 1], "padding": 1, "ceil_mode": False}, maxp, XD)
# 5x6 inputs: ceil mode adds a window along the width only (k3 s2 p1) or the height only (k2x3
# s2x3); with k3 s3 p1 the ceil window is kept along the width and dropped along the height, where
# it would start in the bottom padding.
X56 = lambda: {"x": distinct(2, 3, 5, 6)}  # noqa: E731
add("ops", "max_pool2d_k3_s2_p1_ceil", "max_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    maxp, X56)
add("ops", "max_pool2d_k2x3_s1x2_d2x1", "max_pool2d", {"kernel_size": [2, 3], "stride": [1, 2], "dilation": [2, 1]},
    maxp, X56)
add("ops", "max_pool2d_k2x3_s2x3_ceil", "max_pool2d", {"kernel_size": [2, 3], "stride": [2, 3], "ceil_mode": True},
    maxp, X56)  # strides above 2 take the general lane path
add("ops", "max_pool2d_k3_s3_p1_ceil", "max_pool2d", {"kernel_size": 3, "stride": 3, "padding": 1, "ceil_mode": True},
    maxp, X56)


def with_nan():
    """Distinct values with one NaN in each of four 2x2 windows (two of them side by side): the
    output is NaN there and the whole gradient of the window goes to the NaN."""
    x = distinct(2, 3, 4, 6)
    for i in [(0, 0, 0, 1), (0, 0, 0, 3), (0, 1, 2, 0), (1, 2, 3, 4)]:
        x[i] = float("nan")
    return {"x": x}


add("ops", "max_pool2d_k2_nan", "max_pool2d", {"kernel_size": 2}, maxp, with_nan,
    nonfinite=("expect.output.y", "expect.loss"))

avgp = module(nn.AvgPool2d)
add("ops", "avg_pool2d_k3_s2_ceil", "avg_pool2d", {"kernel_size": 3, "stride": 2, "ceil_mode": True}, avgp,
    lambda: {"x": randn(3, 5, 8, 10)})
add("ops", "avg_pool2d_k2", "avg_pool2d", {"kernel_size": 2}, avgp, X)
add("ops", "avg_pool2d_k3_s1_p1", "avg_pool2d", {"kernel_size": 3, "stride": 1, "padding": 1}, avgp, X)
add("ops", "avg_pool2d_k3_s2_p1_nopadcount", "avg_pool2d",
    {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}, avgp, X)
# 5x6 inputs, as the max-pool cases above.
XR56 = lambda: {"x": randn(2, 3, 5, 6)}  # noqa: E731
add("ops", "avg_pool2d_k3_s2_p1_ceil_5x6", "avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    avgp, XR56)
add("ops", "avg_pool2d_k3_s2_p1_ceil_nopadcount", "avg_pool2d",
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}, avgp, XR56)
add("ops", "avg_pool2d_k2_ceil", "avg_pool2d", {"kernel_size": 2, "ceil_mode": True}, avgp, XR56)
add("ops", "avg_pool2d_k3_s2_p1_divisor2", "avg_pool2d",
    {"kernel_size": 3, "stride": 2, "padding": 1, "divisor_override": 2}, avgp, XR56)

adap = module(nn.AdaptiveAvgPool2d)
add("ops", "adaptive_avg_pool2d_1", "adaptive_avg_pool2d", {"output_size": 1}, adap, X)
add("ops", "adaptive_avg_pool2d_1x1", "adaptive_avg_pool2d", {"output_size": [1, 1]}, adap, X)
add("ops", "adaptive_avg_pool2d_3x4", "adaptive_avg_pool2d", {"output_size": [3, 4]}, adap, X)

# ---- batch norm (weight, bias and running stats perturbed after construction) -----------------
bn2 = module(nn.BatchNorm2d)
bn1 = module(nn.BatchNorm1d)
add("ops", "batch_norm2d_train", "batch_norm2d", {"num_features": 5}, bn2, X, tol=LONG_TOL)
add("ops", "batch_norm2d_eval", "batch_norm2d", {"num_features": 5}, bn2, X, mode="eval", tol=LONG_TOL)
add("ops", "batch_norm2d_train_noaffine", "batch_norm2d", {"num_features": 5, "affine": False}, bn2, X,
    tol=LONG_TOL)
add("ops", "batch_norm2d_train_noaffine_momentum0.3", "batch_norm2d",
    {"num_features": 5, "affine": False, "momentum": 0.3}, bn2, X, tol=LONG_TOL)
add("ops", "batch_norm1d_nc_train", "batch_norm1d", {"num_features": 5}, bn1, lambda: {"x": randn(7, 5)},
    tol=LONG_TOL)
add("ops", "batch_norm1d_nc_eval", "batch_norm1d", {"num_features": 5}, bn1, lambda: {"x": randn(7, 5)},
    mode="eval", tol=LONG_TOL)
add("ops", "batch_norm1d_ncl_train", "batch_norm1d", {"num_features": 5}, bn1, lambda: {"x": randn(3, 5, 9)},
    tol=LONG_TOL)

# ---- local response norm (7 channels so size 5 windows are clipped at both ends) ---------------
lrn = module(nn.LocalResponseNorm)
X7 = lambda: {"x": randn(3, 7, 5, 9)}  # noqa: E731
add("ops", "local_response_norm_s5", "local_response_norm", {"size": 5}, lrn, X7)
add("ops", "local_response_norm_s3_a0.1", "local_response_norm", {"size": 3, "alpha": 0.1}, lrn, X7)
# Rank-3 input, even and odd sizes (an even window reaches one channel further back than forward),
# alpha 0.5 so that the cross-channel term is as large as the direct one.
for size in (2, 3, 4):
    add("ops", f"local_response_norm_s{size}_a0.5_ncl", "local_response_norm",
        {"size": size, "alpha": 0.5, "beta": 0.75, "k": 1.0}, lrn, lambda: {"x": randn(2, 5, 6)})

# ---- activations and softmax ------------------------------------------------------------------
XA = lambda: {"x": away_from_zero(3, 5, 4)}  # noqa: E731
add("ops", "relu", "relu", {}, module(nn.ReLU), XA)
add("ops", "leaky_relu", "leaky_relu", {}, module(nn.LeakyReLU), XA)
add("ops", "leaky_relu_0.2", "leaky_relu", {"negative_slope": 0.2}, module(nn.LeakyReLU), XA)
X3 = lambda: {"x": 2 * randn(3, 5, 4)}  # noqa: E731
add("ops", "tanh", "tanh", {}, module(nn.Tanh), X3)
add("ops", "sigmoid", "sigmoid", {}, module(nn.Sigmoid), X3)
add("ops", "softmax_dim1", "softmax", {"dim": 1}, module(nn.Softmax), X3)
add("ops", "softmax_dim-1", "softmax", {"dim": -1}, module(nn.Softmax), X3)
add("ops", "log_softmax_dim1", "log_softmax", {"dim": 1}, module(nn.LogSoftmax), X3)
add("ops", "log_softmax_dim-1", "log_softmax", {"dim": -1}, module(nn.LogSoftmax), X3)

# ---- embedding --------------------------------------------------------------------------------
IDX = torch.tensor([[1, 4, 0, 4], [7, 10, 1, 0], [3, 4, 9, 1]], dtype=torch.int64)  # repeats and 0s
emb = lambda cfg: nn.Embedding(**cfg)  # noqa: E731
embed = lambda m, inp, cfg: {"y": m(inp["indices"])}  # noqa: E731
add("ops", "embedding", "embedding", {"num_embeddings": 11, "embedding_dim": 6}, emb,
    lambda: {"indices": IDX.clone()}, embed)
add("ops", "embedding_padding_idx0", "embedding", {"num_embeddings": 11, "embedding_dim": 6, "padding_idx": 0},
    emb, lambda: {"indices": IDX.clone()}, embed)


# ---- dropout: the random mask is an input; y = x * (mask / (1 - p)), as nn.Dropout computes it --
def dropout_forward(m, inp, cfg):
    return {"y": inp["x"] * (inp["mask"] / (1 - cfg["p"]))}


def dropout_inputs(p):
    def make():
        x = randn(5, 8)
        keep = torch.bernoulli(torch.full((5, 8), 1 - p))  # 1 = kept, dropped with probability p
        return {"x": x, "mask": keep}
    return make


add("ops", "dropout_p0.3", "dropout", {"p": 0.3}, None, dropout_inputs(0.3), dropout_forward)


# ---- recurrent --------------------------------------------------------------------------------
def lstm_forward(m, inp, cfg):
    state = (inp["h0"], inp["c0"]) if "h0" in inp else None
    y, (h, c) = m(inp["x"], state)
    return {"y": y, "h_n": h, "c_n": c}


def gru_forward(m, inp, cfg):
    y, h = m(inp["x"], inp.get("h0"))
    return {"y": y, "h_n": h}


def cell_forward(m, inp, cfg):
    h, c = m(inp["x"], (inp["h0"], inp["c0"]))
    return {"h": h, "c": c}


def gru_cell_forward(m, inp, cfg):
    return {"h": m(inp["x"], inp["h0"])}


def rnn_inputs(layers, dirs=1, batch_first=True, state=("h0", "c0")):
    """Input [3, 4, 5] (batch 3, sequence 4, features 5) in the module's layout, and states [L*D, 3, 7]."""
    def make():
        inp = {"x": randn(3, 4, 5) if batch_first else randn(4, 3, 5)}
        for s in state:
            inp[s] = 0.5 * randn(layers * dirs, 3, 7)
        return inp
    return make


RNN = {"input_size": 5, "hidden_size": 7}
lstm = module(nn.LSTM)
add("ops", "lstm_1layer_bf", "lstm", {**RNN, "batch_first": True}, lstm, rnn_inputs(1, state=()), lstm_forward,
    tol=LONG_TOL)
add("ops", "lstm_2layer_bf_h0c0", "lstm", {**RNN, "num_layers": 2, "batch_first": True}, lstm, rnn_inputs(2),
    lstm_forward, tol=LONG_TOL)
add("ops", "lstm_2layer_seqfirst", "lstm", {**RNN, "num_layers": 2}, lstm,
    rnn_inputs(2, batch_first=False, state=()), lstm_forward, tol=LONG_TOL)
add("ops", "lstm_1layer_bf_bidirectional", "lstm", {**RNN, "batch_first": True, "bidirectional": True}, lstm,
    rnn_inputs(1, dirs=2, state=()), lstm_forward, tol=LONG_TOL)
add("ops", "lstm_1layer_seqfirst_bidirectional", "lstm", {**RNN, "bidirectional": True}, lstm,
    rnn_inputs(1, dirs=2, batch_first=False, state=()), lstm_forward, tol=LONG_TOL)
add("ops", "lstm_cell", "lstm_cell", dict(RNN), module(nn.LSTMCell),
    lambda: {"x": randn(3, 5), "h0": 0.5 * randn(3, 7), "c0": 0.5 * randn(3, 7)}, cell_forward, tol=LONG_TOL)
gru = module(nn.GRU)
add("ops", "gru_1layer_bf_h0", "gru", {**RNN, "batch_first": True}, gru, rnn_inputs(1, state=("h0",)),
    gru_forward, tol=LONG_TOL)
add("ops", "gru_2layer_seqfirst", "gru", {**RNN, "num_layers": 2}, gru,
    rnn_inputs(2, batch_first=False, state=()), gru_forward, tol=LONG_TOL)
add("ops", "gru_2layer_seqfirst_bidirectional_h0", "gru", {**RNN, "num_layers": 2, "bidirectional": True}, gru,
    rnn_inputs(2, dirs=2, batch_first=False, state=("h0",)), gru_forward, tol=LONG_TOL)
add("ops", "gru_cell", "gru_cell", dict(RNN), module(nn.GRUCell),
    lambda: {"x": randn(3, 5), "h0": 0.5 * randn(3, 7)}, gru_cell_forward, tol=LONG_TOL)


# ---- packed sequences: per-row lengths through pack_padded_sequence / pad_packed_sequence ----------
def packed(forward):
    """`forward` on a PackedSequence of x with `input.lengths` (unsorted, enforce_sorted=False),
    padded back to the input's length: zeros past each row's length."""
    def run(m, inp, cfg):
        bf = cfg.get("batch_first", False)
        x = inp["x"]
        seq = nn.utils.rnn.pack_padded_sequence(x, inp["lengths"], batch_first=bf, enforce_sorted=False)
        out = forward(m, {**inp, "x": seq}, cfg)
        out["y"] = nn.utils.rnn.pad_packed_sequence(out["y"], batch_first=bf, total_length=x.shape[1 if bf else 0])[0]
        return out
    return run


def packed_inputs(lengths, layers, dirs=1, batch_first=True, state=("h0", "c0")):
    """x [N, T, 5] (or [T, N, 5]) with T = max(lengths), states [L*D, N, 7], and the lengths."""
    def make():
        n, t = len(lengths), max(lengths)
        inp = {"x": randn(n, t, 5) if batch_first else randn(t, n, 5)}
        for s in state:
            inp[s] = 0.5 * randn(layers * dirs, n, 7)
        inp["lengths"] = torch.tensor(lengths, dtype=torch.int64)
        return inp
    return make


# Unsorted lengths with 1 and the maximum among them.
RAGGED = [3, 6, 1, 4, 6]
add("ops", "lstm_packed_2layer_bf_bidirectional_h0c0", "lstm",
    {**RNN, "num_layers": 2, "batch_first": True, "bidirectional": True}, lstm, packed_inputs(RAGGED, 2, dirs=2),
    packed(lstm_forward), tol=LONG_TOL)
add("ops", "lstm_packed_1layer_seqfirst", "lstm", dict(RNN), lstm,
    packed_inputs([2, 5, 1, 5], 1, batch_first=False, state=()), packed(lstm_forward), tol=LONG_TOL)
add("ops", "gru_packed_2layer_seqfirst_bidirectional_h0", "gru", {**RNN, "num_layers": 2, "bidirectional": True}, gru,
    packed_inputs(RAGGED, 2, dirs=2, batch_first=False, state=("h0",)), packed(gru_forward), tol=LONG_TOL)
add("ops", "gru_packed_1layer_bf", "gru", {**RNN, "batch_first": True}, gru,
    packed_inputs([4, 1, 2], 1, state=()), packed(gru_forward), tol=LONG_TOL)


# ---- cat --------------------------------------------------------------------------------------
def cat_forward(m, inp, cfg):
    xs = [inp[f"x{i}"] for i in range(len(inp))]
    return {"y": torch.cat(xs, dim=cfg["dim"])}


add("ops", "cat_dim1", "cat", {"dim": 1}, None, lambda: {"x0": randn(3, 2, 4), "x1": randn(3, 5, 4)},
    cat_forward)
add("ops", "cat_dim-1_3inputs", "cat", {"dim": -1}, None,
    lambda: {"x0": randn(3, 2, 4), "x1": randn(3, 2, 1), "x2": randn(3, 2, 3)}, cat_forward)


# ---- losses (kind op, loss "self": the module's output is the loss) ----------------------------
def loss_forward(m, inp, cfg):
    return m(inp["x"], inp["target"])


def add_loss(group, fid, name, config, make, inputs, tol=DEFAULT_TOL):
    add(group, fid, name, config, make, inputs, loss_forward, loss="self", tol=tol)


def classes(*shape, n, force=None):
    t = torch.randint(0, n, shape)
    if force is not None:  # make sure the ignored class occurs (twice)
        t.view(-1)[1] = force
        t.view(-1)[-2] = force
    return t


def weighted(cls):
    """A loss module whose `weight` config (a list, as the file stores it) becomes a tensor."""
    def make(cfg):
        cfg = dict(cfg)
        if "weight" in cfg:
            cfg["weight"] = torch.tensor(cfg["weight"])
        return cls(**cfg)
    return make


ce = weighted(nn.CrossEntropyLoss)
LOGITS = lambda force=None: lambda: {"x": randn(5, 7), "target": classes(5, n=7, force=force)}  # noqa: E731
add_loss("ops", "cross_entropy", "cross_entropy", {}, ce, LOGITS())
add_loss("ops", "cross_entropy_ignore2", "cross_entropy", {"ignore_index": 2}, ce, LOGITS(2))
add_loss("ops", "cross_entropy_smooth0.1", "cross_entropy", {"label_smoothing": 0.1}, ce, LOGITS())
add_loss("ops", "cross_entropy_smooth0.1_ignore2", "cross_entropy", {"label_smoothing": 0.1, "ignore_index": 2},
         ce, LOGITS(2))
# The default ignore_index -100 occurring in the target, with label smoothing.
add_loss("ops", "cross_entropy_smooth0.2_ignore-100", "cross_entropy", {"label_smoothing": 0.2}, ce, LOGITS(-100))
CLASS_WEIGHTS = [0.5, 2.0, 1.0, 1.5, 0.8, 1.2, 0.3]
add_loss("ops", "cross_entropy_weight_smooth0.1", "cross_entropy", {"weight": CLASS_WEIGHTS, "label_smoothing": 0.1},
         ce, LOGITS())
add_loss("ops", "cross_entropy_kdim", "cross_entropy", {}, ce,
         lambda: {"x": randn(3, 7, 4), "target": classes(3, 4, n=7)})
add_loss("ops", "cross_entropy_kdim_smooth0.1", "cross_entropy", {"label_smoothing": 0.1}, ce,
         lambda: {"x": randn(3, 7, 4), "target": classes(3, 4, n=7)})
add_loss("ops", "cross_entropy_sum", "cross_entropy", {"reduction": "sum"}, ce, LOGITS())

nll = weighted(nn.NLLLoss)
LOGP = lambda force=None: lambda: {"x": torch.log_softmax(randn(5, 7), dim=1),  # noqa: E731
                                   "target": classes(5, n=7, force=force)}
add_loss("ops", "nll_loss", "nll_loss", {}, nll, LOGP())
add_loss("ops", "nll_loss_ignore3", "nll_loss", {"ignore_index": 3}, nll, LOGP(3))
add_loss("ops", "nll_loss_weight_ignore0", "nll_loss", {"weight": CLASS_WEIGHTS, "ignore_index": 0}, nll, LOGP(0))


def bce(cfg):
    cfg = dict(cfg)
    if "pos_weight" in cfg:
        cfg["pos_weight"] = torch.tensor(cfg["pos_weight"])
    return nn.BCEWithLogitsLoss(**cfg)


BCE_IN = lambda: {"x": 2 * randn(5, 4), "target": torch.rand(5, 4)}  # noqa: E731
add_loss("ops", "bce_with_logits", "bce_with_logits", {}, bce, BCE_IN)
add_loss("ops", "bce_with_logits_pos_weight", "bce_with_logits", {"pos_weight": [0.5, 1.0, 2.0, 3.0]}, bce, BCE_IN)

mse = module(nn.MSELoss)
add_loss("ops", "mse_loss", "mse_loss", {}, mse, lambda: {"x": randn(3, 4), "target": randn(3, 4)})
add_loss("ops", "mse_loss_sum", "mse_loss", {"reduction": "sum"}, mse, lambda: {"x": randn(3, 4), "target": randn(3, 4)})


def spread(beta):
    """x - target spread so that both the quadratic (|d| < beta) and the linear branch occur."""
    def make():
        x, target = 2 * randn(4, 5), randn(4, 5)
        d = (x - target).abs()
        assert (d < beta).sum() >= 3 and (d > beta).sum() >= 3, "both branches must occur"
        return {"x": x, "target": target}
    return make


add_loss("ops", "smooth_l1_loss_beta1", "smooth_l1_loss", {"beta": 1.0}, module(nn.SmoothL1Loss), spread(1.0))
add_loss("ops", "smooth_l1_loss_beta0.5", "smooth_l1_loss", {"beta": 0.5}, module(nn.SmoothL1Loss), spread(0.5))
add_loss("ops", "huber_loss_delta1", "huber_loss", {"delta": 1.0}, module(nn.HuberLoss), spread(1.0))
add_loss("ops", "huber_loss_delta2", "huber_loss", {"delta": 2.0}, module(nn.HuberLoss), spread(2.0))

# ---- unseen: configurations no unit test uses, for `workbench verify` ---------------------------
add("unseen", "conv2d_k2x3_s1x2_d2x1_p0x2", "conv2d",
    {**C, "kernel_size": [2, 3], "stride": [1, 2], "dilation": [2, 1], "padding": [0, 2]}, conv, X, tol=LONG_TOL)
# 7x9, kernel 2, stride 2, padding 1, ceil: the last ceil window would start in the right padding,
# so PyTorch drops it (output 4x5, not 5x6).
add("unseen", "max_pool2d_k2_s2_p1_ceil", "max_pool2d", {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True},
    maxp, XD)
add("unseen", "max_pool2d_k2_s1_ceil", "max_pool2d", {"kernel_size": 2, "stride": 1, "ceil_mode": True}, maxp, XD)
# ceil window hanging over the end: its divisor counts the padding but not the overhang.
add("unseen", "avg_pool2d_k3_s2_p1_ceil", "avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    avgp, lambda: {"x": randn(3, 5, 8, 10)})
add_loss("unseen", "cross_entropy_kdim_smooth0.2_ignore1", "cross_entropy",
         {"ignore_index": 1, "label_smoothing": 0.2}, ce,
         lambda: {"x": randn(3, 7, 2, 3), "target": classes(3, 2, 3, n=7, force=1)})
add("unseen", "lstm_3layer_bf_h0c0", "lstm", {**RNN, "num_layers": 3, "batch_first": True}, lstm, rnn_inputs(3),
    lstm_forward, tol=LONG_TOL)
add("unseen", "batch_norm1d_ncl_eval", "batch_norm1d", {"num_features": 5}, bn1, lambda: {"x": randn(3, 5, 9)},
    mode="eval", tol=LONG_TOL)
add("unseen", "linear_4d", "linear", LIN, module(nn.Linear), lambda: {"x": randn(2, 3, 4, 6)})

# ---- optimizer steps: same inputs every step (docs/FIXTURES.md, "Optimizer steps") --------------
OPTIM_CASES = [
    ("sgd", {"type": "sgd", "lr": 0.1}),
    ("sgd_momentum0.9_nesterov", {"type": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd_momentum0.9_wd0.01", {"type": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
    ("sgd_clip0.5", {"type": "sgd", "lr": 0.1, "clip_grad_norm": 0.5}),
    ("adam", {"type": "adam", "lr": 0.01}),
    ("adam_wd0.1", {"type": "adam", "lr": 0.01, "weight_decay": 0.1}),
    ("adamw_wd0.1", {"type": "adamw", "lr": 0.01, "weight_decay": 0.1}),
    # DQN's RMSprop (Mnih et al. 2015 used alpha 0.95, eps 0.01, centered), lr raised so steps move.
    ("rmsprop_alpha0.95_eps0.01_centered", {"type": "rmsprop", "lr": 0.01, "alpha": 0.95, "eps": 0.01,
                                            "centered": True}),
    ("rmsprop_momentum0.9", {"type": "rmsprop", "lr": 0.01, "momentum": 0.9}),
]
for suffix, opt in OPTIM_CASES:
    # Multi-step trajectories compound rounding (and Adam/RMSprop divide by small roots): LONG_TOL.
    add("optim", f"linear_{suffix}", "linear", {"in_features": 6, "out_features": 4}, module(nn.Linear),
        lambda: {"x": randn(5, 6)}, optimizer={**opt, "steps": 5}, tol=LONG_TOL)
add("optim", "batch_norm2d_train_sgd_momentum0.9", "batch_norm2d", {"num_features": 5}, bn2, X,
    optimizer={"type": "sgd", "lr": 0.1, "momentum": 0.9, "steps": 5}, tol=LONG_TOL)


# ---------------------------------------------------------------------------------------------
# From a specification to a fixture (fixturelib accepts only seeds robust to rounding)

def seed_of(fid: str) -> int:
    return zlib.crc32(fid.encode())


def draw(spec: Spec, seed: int) -> dict:
    """Parameters and buffers (perturbed batch norm), inputs and, for `upstream`, one normal
    upstream tensor per output (drawn with seed + 1 after a forward that gives their shapes)."""
    torch.manual_seed(seed)
    m = spec.make(spec.config) if spec.make else None
    if m is not None:
        perturb_batch_norm(m)
    inputs = spec.inputs()
    # A loss module's buffers (pos_weight) come from its config, not the file.
    stored = fixturelib.state(m) if m is not None and spec.loss != "self" else {}
    stored.update({f"input.{n}": t.clone() for n, t in inputs.items()})
    if spec.loss == "upstream":
        probe = copy.deepcopy(m).train(spec.mode == "train") if m is not None else None
        with torch.no_grad():
            stored.update(fixturelib.upstream_for(spec.forward(probe, inputs, spec.config), seed + 1))
    return stored


def compute(spec: Spec, stored: dict, dtype) -> dict:
    m = spec.make(spec.config) if spec.make else None
    if m is not None:
        m = m.to(dtype).train(spec.mode == "train")
        if spec.loss != "self":
            m = fixturelib.bind(m, stored, dtype)
    inputs = fixturelib.leaves(stored)
    if spec.loss == "self":
        return fixturelib.run_steps(None, inputs, lambda _, inp: {"loss": spec.forward(m, inp, spec.config)},
                                    fixturelib.self_objective, spec.optimizer)
    return fixturelib.run_steps(m, inputs, lambda mod, inp: spec.forward(mod, inp, spec.config),
                                fixturelib.upstream_objective(fixturelib.upstreams(stored)), spec.optimizer)


def case(spec: Spec) -> fixturelib.Case:
    return fixturelib.Case(
        path=ROOT / spec.group / f"{spec.fid}.safetensors", kind="op", name=spec.name, config=spec.config,
        draw=lambda seed: draw(spec, seed), compute=lambda stored, dtype: compute(spec, stored, dtype),
        seed=seed_of(spec.fid), tol=spec.tol, mode=spec.mode, loss=spec.loss, optimizer=spec.optimizer,
        max_bytes=MAX_FILE_BYTES, script=SCRIPT,
        extra_meta={"nonfinite": fixturelib.to_json(list(spec.nonfinite))} if spec.nonfinite else {})


def main() -> int:
    fixturelib.setup()
    ids = [(s.group, s.fid) for s in SPECS]
    assert len(ids) == len(set(ids)), "duplicate fixture id"
    for g in sorted({s.group for s in SPECS}):  # remove stale fixtures of configurations that no longer exist
        for old in (ROOT / g).glob("*.safetensors"):
            old.unlink()
    for spec in SPECS:
        print(fixturelib.write(case(spec)).line(ROOT.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
