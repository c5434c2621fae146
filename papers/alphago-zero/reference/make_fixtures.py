# Writes papers/alphago-zero/fixtures/*.safetensors (workbench-fixture/1) from model.py with PyTorch.
"""AlphaGo Zero reference fixtures.

Run from the repository root:  .venv/bin/python papers/alphago-zero/reference/make_fixtures.py
(`make fixtures` runs every paper's script). Deterministic: unchanged code gives the same tensors.

Writes, each for id alphago-zero.net in train mode with `loss: self` (the paper's
(z - v)^2 - pi^T log p), and 3 steps of SGD with momentum 0.9 and weight decay (the paper's c||theta||^2):
  net_connect4.safetensors  Connect Four's board (3 planes, 6x7, 7 moves), 2 blocks of 8 channels
  net_odd.safetensors       an odd board (2 planes, 5x4, 5 moves), 1 block, 5 channels: a
                            transposed row/column index cannot pass by symmetry
  net_no_blocks.safetensors no residual block (the tower's depth 0 is legal)
Inputs: x in {0, 1} like stone planes, pi a distribution over moves, z in {-1, 0, 1}.

Written through Tests/Fixtures/fixturelib.py, which keeps a seed only when float32 agrees with
float64 and 1-ulp nudges of every stored tensor move no result by more than a small fraction of
the tolerance.
"""

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(next(p for p in Path(__file__).resolve().parents if (p / "Package.swift").exists()) / "Tests" / "Fixtures"))
import fixturelib  # noqa: E402
from model import Net, config, loss  # noqa: E402

ID = "alphago-zero.net"
SCRIPT = "papers/alphago-zero/reference/make_fixtures.py"
TOL = ("1e-5", "1e-4", "1e-3")  # atol, rtol, grad_rtol
SGD = {"type": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 2e-4, "steps": 3}


def draw(cfg, seed, batch):
    """Initial parameters (PyTorch init, then BN affine and running stats moved off 1/0 so they
    matter), a batch of 0/1 planes, visit distributions and outcomes."""
    torch.manual_seed(seed)
    net = Net(cfg)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(1 + 0.2 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(1 + 0.2 * torch.rand(m.running_var.shape, generator=g))
    x = (torch.rand(batch, cfg["in_channels"], cfg["rows"], cfg["columns"], generator=g) < 0.4).float()
    pi = torch.softmax(2 * torch.randn(batch, cfg["actions"], generator=g), dim=1)
    z = torch.randint(-1, 2, (batch,), generator=g).float()
    return {**fixturelib.state(net), "input.x": x, "input.pi": pi, "input.z": z}


def compute(cfg, stored, dtype):
    net = fixturelib.bind(Net(cfg), stored, dtype).train()

    def forward(m, inp):
        logits, value = m(inp["x"])
        return {"logits": logits, "value": value, "loss": loss(logits, value, inp["pi"], inp["z"])}

    return fixturelib.run_steps(net, fixturelib.leaves(stored, no_grad=()), forward, fixturelib.self_objective, SGD)


def write(out, name, cfg, seed, batch):
    case = fixturelib.Case(path=out / f"{name}.safetensors", kind="model", name=ID, config=cfg,
                           draw=lambda s: draw(cfg, s, batch), compute=lambda stored, dtype: compute(cfg, stored, dtype),
                           seed=seed, tol=TOL, loss="self", optimizer=SGD, script=SCRIPT)
    print(fixturelib.write(case).line(fixturelib.repository_root()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "fixtures")
    args = parser.parse_args()
    fixturelib.setup()
    write(args.out, "net_connect4", config(channels=8, blocks=2, value_hidden=6), seed=0, batch=4)
    write(args.out, "net_odd", config(in_channels=2, rows=5, columns=4, actions=5, channels=5, blocks=1, value_hidden=3),
          seed=10, batch=3)
    write(args.out, "net_no_blocks", config(channels=4, blocks=0, value_hidden=5), seed=20, batch=2)


if __name__ == "__main__":
    main()
