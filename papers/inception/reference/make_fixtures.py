# Writes papers/inception/fixtures/*.safetensors (workbench-fixture/1) from the PyTorch reference model.py.
"""Reference fixtures for the GoogLeNet paper module, written by PyTorch.

Run from the repository root (`make fixtures` does):
    .venv/bin/python papers/inception/reference/make_fixtures.py

Each fixture holds a model's parameters and buffers, its inputs, and what PyTorch computed from
them in one forward/backward and three optimizer steps on the same batch: outputs, loss,
gradients, buffers after the first forward, the loss before each step, and the final parameters
and buffers. The ids are `inception.block` (one inception block) and `inception.googlenet` (a whole
network, in train mode with its auxiliary heads, or in eval mode without them).

GoogLeNet fixtures output `y` (logits), `aux1`/`aux2` (train mode) and `total_loss`, the training
objective CE(y) + aux_weight * (CE(aux1) + CE(aux2)); an upstream of 1 on `total_loss` makes the
verifier differentiate exactly what training differentiates. Dropout is 0 in train-mode fixtures
(the masks would otherwise be random draws that are not inputs).

Deterministic: fixed seeds (CRC-32 of each id), one thread, sorted keys, so the same torch version
writes byte-identical files. Every fixture is also run in float64 and the script fails if the
float32 result is not far inside the fixture's tolerance (see write()).
"""

import copy
import sys
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(next(p for p in HERE.parents if (p / "Package.swift").exists()) / "Tests" / "Fixtures"))
import fixturelib  # noqa: E402
from model import GoogLeNet, GoogLeNetConfig, InceptionBlock  # noqa: E402

OUT = HERE.parent / "fixtures"
SCRIPT = "papers/inception/reference/make_fixtures.py"
# Deep stacks of convolutions and batch norms sum thousands of products in an order that differs
# between PyTorch and an sgemm-based implementation.
TOL = ("1e-4", "1e-3", "1e-2")
# The batch-norm networks (the Fashion-MNIST design) are ill-conditioned at this size: weight
# gradients reach 7-8, and 1-ulp nudges of the stored tensors moved conv2's weight gradient by up
# to 5e-5 in train mode (0.46 of atol 1e-4; no ReLU or max-pool decision flipped in the nudged
# runs checked) and the eval-mode logits by 2.5e-5 (0.25). atol 1e-3 (1.3e-4 of the largest gradient) leaves an
# independent float32 implementation room for its own rounding; a wrong formula misses by far more.
BN_NET_TOL = ("1e-3", "1e-3", "1e-2")


def seed_of(fid):
    return zlib.crc32(fid.encode())


def perturb(m):
    """BatchNorm affine parameters and running statistics away from their trivial init."""
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            with torch.no_grad():
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.normal_(0, 0.2)
                mod.running_mean.normal_(0, 0.2)
                mod.running_var.uniform_(0.5, 1.5)
                mod.num_batches_tracked.fill_(7)


def he_init(m):
    """Kaiming-normal weights (std sqrt(2 / fan_in)) and small biases, so that activations and
    gradients keep their size through the whole depth. PyTorch's default init shrinks them layer
    by layer; in a 22-layer net without batch norm the first layers' gradients would fall below
    the fixture's atol and be compared against nothing."""
    for mod in m.modules():
        if isinstance(mod, (torch.nn.Conv2d, torch.nn.Linear)):
            with torch.no_grad():
                torch.nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
                if mod.bias is not None:
                    mod.bias.normal_(0, 0.05)


def calibrate(m, inputs):
    """Running statistics of the data itself (one cumulative train-mode pass), as after training,
    so that an eval-mode network normalises its activations."""
    bns = [mod for mod in m.modules() if isinstance(mod, torch.nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
    m.train()
    with torch.no_grad():
        m(inputs()["x"])
    for bn in bns:
        bn.momentum = 0.1
        bn.num_batches_tracked.fill_(7)


class Case:
    def __init__(self, fid, name, config, make, inputs, forward, mode="train", loss="upstream", optimizer=None):
        self.fid, self.name, self.config, self.make = fid, name, config, make
        self.inputs, self.forward, self.mode, self.loss, self.optimizer = inputs, forward, mode, loss, optimizer


def draw(case, seed):
    """Parameters (BatchNorm perturbed; GoogLeNet He-initialised and, for eval, calibrated),
    inputs, and the upstream gradients: ones on `total_loss` for a network, normal on a block's
    `y`. A train-mode network with batch norm is chaotic over optimizer steps for some draws (a
    value within rounding of a ReLU kink or a max-pool tie, spread over a channel by the batch
    statistics); fixturelib skips those seeds. The network's steps also use a small learning
    rate (0.001) so that a later step moves the final parameters by little."""
    torch.manual_seed(seed)
    m = case.make()
    perturb(m)
    if case.name == "inception.googlenet":
        he_init(m)
        if case.mode == "eval":
            calibrate(m, case.inputs)
    inputs = case.inputs()
    stored = fixturelib.state(m)
    stored.update({f"input.{n}": t.clone() for n, t in inputs.items()})
    if case.loss == "upstream":
        with torch.no_grad():
            out = case.forward(copy.deepcopy(m).train(case.mode == "train"), inputs)
        g = torch.Generator().manual_seed(seed + 1)
        stored.update({f"upstream.{n}": (torch.ones(()) if n == "total_loss" else torch.randn(o.shape, generator=g))
                       for n, o in out.items() if n == "total_loss" or case.name == "inception.block"})
    return stored


def compute(case, stored, dtype):
    m = fixturelib.bind(case.make(), stored, dtype).train(case.mode == "train")
    if case.loss == "upstream":
        objective = fixturelib.upstream_objective(fixturelib.upstreams(stored))
    else:
        objective = lambda out, inp: F.cross_entropy(out["y"], inp["target"])  # noqa: E731
    return fixturelib.run_steps(m, fixturelib.leaves(stored), case.forward, objective, case.optimizer)


def fixture(case):
    bn_net = case.name == "inception.googlenet" and case.config["batch_norm"]
    return fixturelib.Case(path=OUT / f"{case.fid}.safetensors", kind="model", name=case.name, config=case.config,
                           draw=lambda seed: draw(case, seed), compute=lambda stored, dtype: compute(case, stored, dtype),
                           seed=seed_of(case.fid), tol=BN_NET_TOL if bn_net else TOL, mode=case.mode, loss=case.loss,
                           optimizer=case.optimizer, script=SCRIPT)


# ---------------------------------------------------------------------------------------------
# Cases: odd sizes everywhere, so a transposed index or a wrong stride cannot pass by symmetry.

def block_case(fid, cfg, x_shape, mode="train", optimizer=None):
    args = {k: cfg[k] for k in ("in_channels", "ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")}
    make = lambda: InceptionBlock(args["in_channels"], *list(args.values())[1:],
                                  batch_norm=cfg.get("batch_norm", False), bn_eps=cfg.get("bn_eps", 1e-5),
                                  branch3_kernel=cfg.get("branch3_kernel", 5))
    return Case(fid, "inception.block", cfg, make, lambda: {"x": torch.randn(*x_shape)},
                lambda m, inp: {"y": m(inp["x"])}, mode=mode, optimizer=optimizer)


def net_forward(m, inp):
    y, a1, a2 = m(inp["x"])
    out = {"y": y, "total_loss": m.loss((y, a1, a2), inp["target"])}
    if a1 is not None:
        out["aux1"], out["aux2"] = a1, a2
    return out


def net_case(fid, cfg, batch, mode="train", loss="upstream", optimizer=None):
    h, w = cfg.image_size
    inputs = lambda: {"x": torch.randn(batch, cfg.in_channels, h, w),
                      "target": torch.randint(0, cfg.num_classes, (batch,))}
    return Case(fid, "inception.googlenet", cfg.to_dict(), lambda: GoogLeNet(cfg), inputs, net_forward,
                mode=mode, loss=loss, optimizer=optimizer)


SGD_MOMENTUM = {"type": "sgd", "lr": 0.05, "momentum": 0.9, "steps": 3}
BLOCK = {"in_channels": 5, "ch1x1": 3, "ch3x3red": 4, "ch3x3": 6, "ch5x5red": 2, "ch5x5": 3, "pool_proj": 2}

# The Fashion-MNIST network's design (small stem, BatchNorm, scaled aux heads) at a sixteenth of
# Table 1's widths and on 27x23 images, so that the file stays small.
SMALL = GoogLeNetConfig(in_channels=1, num_classes=10, image_size=[27, 23], stem="small", stem_channels=[8, 12],
                        width_divisor=16, batch_norm=True, lrn=False, aux_pool_kernel=3, aux_pool_stride=2,
                        aux_conv_channels=8, aux_hidden=16, aux_dropout=0.0, dropout=0.0)
# The paper's design (7x7/2 stem with LRN, conv+bias+ReLU, 5x5/3 aux pool) at a sixteenth of the
# widths on 3x99x91 images: 4a sees 6x5 maps, where the 5x5/3 aux pool still fits once.
PAPER_SMALL = GoogLeNetConfig(in_channels=3, num_classes=7, image_size=[99, 91], stem_channels=[8, 8, 12],
                              width_divisor=16, aux_conv_channels=8, aux_hidden=16, aux_dropout=0.0, dropout=0.0)

CASES = [
    block_case("block_bn_train", {**BLOCK, "batch_norm": True}, (3, 5, 9, 7), optimizer=SGD_MOMENTUM),
    block_case("block_paper_train", {**BLOCK, "in_channels": 6, "ch5x5": 4},
               (2, 6, 7, 8), optimizer={"type": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True,
                                        "weight_decay": 1e-3, "steps": 3}),
    block_case("block_bn_eval_3x3", {**BLOCK, "batch_norm": True, "bn_eps": 1e-3, "branch3_kernel": 3},
               (3, 5, 8, 9), mode="eval", optimizer=SGD_MOMENTUM),
    net_case("googlenet_small_train", SMALL, 4, optimizer={**SGD_MOMENTUM, "lr": 0.001}),
    net_case("googlenet_paper_train", PAPER_SMALL, 2, optimizer={**SGD_MOMENTUM, "lr": 0.005}),
    net_case("googlenet_small_eval", GoogLeNetConfig(**{**SMALL.to_dict(), "dropout": 0.4, "aux_dropout": 0.7}), 3,
             mode="eval", loss="cross_entropy", optimizer={**SGD_MOMENTUM, "lr": 0.002}),
]


def main():
    fixturelib.setup()
    for old in OUT.glob("*.safetensors"):
        old.unlink()
    for case in CASES:
        print(fixturelib.write(fixture(case)).line(HERE.parents[2]))


if __name__ == "__main__":
    main()
