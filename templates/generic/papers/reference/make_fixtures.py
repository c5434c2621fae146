# Writes papers/__paper__/fixtures/*.safetensors (workbench-fixture/1) from model.py with PyTorch.
"""__Paper__ reference fixtures.

Run from the repository root:  .venv/bin/python papers/__paper__/reference/make_fixtures.py
(`make fixtures` runs every paper's script). Deterministic: unchanged code gives the same tensors
(sorted keys: the same torch version writes the same bytes).

Writes:
  model.safetensors   __paper__.model, train mode, mean squared error, 3 Adam steps on the same
                      batch; odd sizes (5 inputs, 7 hidden, 3 outputs) so that a transposed index
                      cannot pass by symmetry.

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
from model import Net, config  # noqa: E402

ID = "__paper__.model"
SCRIPT = "papers/__paper__/reference/make_fixtures.py"
TOL = ("1e-5", "1e-4", "1e-3")  # atol, rtol, grad_rtol
ADAM = {"type": "adam", "lr": 0.01, "steps": 3}


def draw(cfg, seed):
    """The network's initial parameters, a batch of 4 normal inputs and their targets."""
    torch.manual_seed(seed)
    net = Net(cfg)
    g = torch.Generator().manual_seed(seed + 1)
    return {**fixturelib.state(net), "input.x": torch.randn(4, cfg["inputs"], generator=g),
            "input.target": torch.randn(4, cfg["outputs"], generator=g)}


def compute(cfg, stored, dtype):
    """Forward, mean squared error, backward and the Adam steps, from the stored tensors in `dtype`."""
    net = fixturelib.bind(Net(cfg), stored, dtype).train()
    return fixturelib.run_steps(net, fixturelib.leaves(stored), lambda m, inp: {"y": m(inp["x"])},
                                lambda out, inp: F.mse_loss(out["y"], inp["target"]), ADAM)


def write(out, name, cfg, seed):
    case = fixturelib.Case(path=out / f"{name}.safetensors", kind="model", name=ID, config=cfg,
                           draw=lambda s: draw(cfg, s), compute=lambda stored, dtype: compute(cfg, stored, dtype),
                           seed=seed, tol=TOL, loss="mse_loss", optimizer=ADAM, script=SCRIPT)
    print(fixturelib.write(case).line(fixturelib.repository_root()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "fixtures")
    args = parser.parse_args()
    fixturelib.setup()
    write(args.out, "model", config(inputs=5, hidden=7, outputs=3), seed=0)


if __name__ == "__main__":
    main()
