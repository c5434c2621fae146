# Writes papers/lenet/fixtures/*.safetensors (workbench-fixture/1) from model.py with PyTorch.
"""LeNet reference fixtures.

Run from the repository root:  .venv/bin/python papers/lenet/reference/make_fixtures.py
(`make fixtures` runs every paper's script). Deterministic: unchanged code gives the same tensors
(sorted keys: the same torch version writes the same bytes).

Writes (batch 4, 5 classes, C5 12 channels and F6 10 features to keep the files small; train
mode, cross-entropy on class targets, 3 SGD-momentum steps on the same batch):
  paper.safetensors    lenet.model, the paper's choices: scaled tanh, average pooling, Table I,
                       32x36 input without padding (C5 output 1x2, so height and width differ)
  modern.safetensors   lenet.model, ReLU, max pooling, C3 fully connected, 28x28 input with C1
                       padding 2 (the fashion preset's geometry)

Written through Tests/Fixtures/fixturelib.py, which keeps a seed only when float32 agrees with
float64 and 1-ulp nudges of every stored tensor move no result by more than a small fraction of
the tolerance: otherwise a correct implementation could pass or fail by rounding alone (a ReLU
input within rounding of zero, a max-pool tie), depending on the machine's BLAS kernel.
"""

import argparse
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(next(p for p in Path(__file__).resolve().parents if (p / "Package.swift").exists()) / "Tests" / "Fixtures"))
import fixturelib  # noqa: E402
from model import LeNet5, config  # noqa: E402

ID = "lenet.model"
SCRIPT = "papers/lenet/reference/make_fixtures.py"
TOL = ("1e-5", "1e-4", "1e-3")  # atol, rtol, grad_rtol
SGD = {"type": "sgd", "lr": 0.1, "momentum": 0.9, "steps": 3}


def draw(cfg, seed):
    """The network's initial parameters, a batch of 4 normal images and their class targets."""
    torch.manual_seed(seed)
    net = LeNet5(cfg)
    g = torch.Generator().manual_seed(seed + 1)
    h, w = cfg["image_size"]
    return {**fixturelib.state(net), "input.x": torch.randn(4, cfg["in_channels"], h, w, generator=g),
            "input.target": torch.randint(0, cfg["num_classes"], (4,), generator=g)}


def compute(cfg, stored, dtype):
    """Forward, cross-entropy, backward and the SGD steps, from the stored tensors in `dtype`."""
    net = fixturelib.bind(LeNet5(cfg), stored, dtype).train()
    return fixturelib.run_steps(net, fixturelib.leaves(stored), lambda m, inp: {"y": m(inp["x"])},
                                lambda out, inp: F.cross_entropy(out["y"], inp["target"]), SGD)


def write(out, name, cfg, seed):
    case = fixturelib.Case(path=out / f"{name}.safetensors", kind="model", name=ID, config=cfg,
                           draw=lambda s: draw(cfg, s), compute=lambda stored, dtype: compute(cfg, stored, dtype),
                           seed=seed, tol=TOL, loss="cross_entropy", optimizer=SGD, script=SCRIPT)
    print(fixturelib.write(case).line(fixturelib.repository_root()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "fixtures")
    args = parser.parse_args()
    fixturelib.setup()
    small = {"num_classes": 5, "c5_channels": 12, "f6_features": 10}
    write(args.out, "paper", config(image_size=[32, 36], **small), seed=0)
    write(args.out, "modern", config(image_size=[28, 28], c1_padding=2, activation="relu", pool="max", c3_table=False,
                                     **small), seed=1)


if __name__ == "__main__":
    main()
