# Writes papers/__paper__/fixtures/*.safetensors (workbench-fixture/1) from model.py with PyTorch.
"""__Paper__ reference fixtures.

Run from the repository root:  .venv/bin/python papers/__paper__/reference/make_fixtures.py
(`make fixtures` runs every paper's script). Deterministic: unchanged code gives the same tensors
(the metadata keys may come out in another order: safetensors does not sort them).

Writes:
  model.safetensors   __paper__.model, train mode, cross-entropy on class targets, 3 SGD-momentum
                      steps on the same batch; odd sizes (2 channels, 7x9 images, 5 classes) so
                      that a transposed index cannot pass by symmetry.

Every fixture is computed in float32 (what is stored) and again in float64; the script stops if
the two disagree by more than a tenth of the tolerance, because then a correct implementation
could fail the fixture by rounding alone (ReLU kinks, max-pool ties).
"""

import argparse
import json
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from model import Net, config

ID = "__paper__.model"
SCRIPT = "papers/__paper__/reference/make_fixtures.py"
TOL = {"atol": 1e-5, "rtol": 1e-4, "grad_rtol": 1e-3}
SGD = {"type": "sgd", "lr": 0.1, "momentum": 0.9, "steps": 3}


def compute(cfg, seed, dtype):
    """Parameters, inputs and every expected tensor of one fixture, in `dtype`."""
    torch.manual_seed(seed)
    net = Net(cfg)
    g = torch.Generator().manual_seed(seed + 1)
    h, w = cfg["image_size"]
    x = torch.randn(4, cfg["in_channels"], h, w, generator=g)
    target = torch.randint(0, cfg["num_classes"], (4,), generator=g)
    net = net.to(dtype)
    x = x.to(dtype).requires_grad_(True)
    t = {f"param.{k}": v.detach().clone() for k, v in net.state_dict().items()}
    t["input.x"], t["input.target"] = x.detach().clone(), target
    opt = torch.optim.SGD(net.parameters(), lr=SGD["lr"], momentum=SGD["momentum"])
    for k in range(1, SGD["steps"] + 1):
        opt.zero_grad()
        y = net(x)
        loss = F.cross_entropy(y, target)
        loss.backward()
        if k == 1:
            t["expect.output.y"], t["expect.loss"] = y.detach().clone(), loss.detach().clone()
            t.update({f"expect.grad.param.{n}": p.grad.detach().clone() for n, p in net.named_parameters()})
            t["expect.grad.input.x"] = x.grad.detach().clone()
        t[f"expect.step{k}.loss"] = loss.detach().clone()
        opt.step()
    t.update({f"expect.final.param.{n}": p.detach().clone() for n, p in net.named_parameters()})
    return t


def check_rounding(t32, t64):
    for key, a in t32.items():
        if not key.startswith("expect.") or not a.is_floating_point():
            continue
        b = t64[key]
        rtol = TOL["grad_rtol"] if key.startswith("expect.grad.") else TOL["rtol"]
        excess = ((a.double() - b).abs() - (TOL["atol"] + rtol * b.abs()) / 10).max().item()
        assert excess <= 0, f"{key}: float32 and float64 differ by more than a tenth of the tolerance"


def write(out, name, cfg, seed):
    t = compute(cfg, seed, torch.float32)
    check_rounding(t, compute(cfg, seed, torch.float64))
    metadata = {
        "format": "workbench-fixture/1", "kind": "model", "name": ID, "config": json.dumps(cfg, sort_keys=True),
        "mode": "train", "loss": "cross_entropy", "optimizer": json.dumps(SGD, sort_keys=True),
        **{k: str(v) for k, v in TOL.items()},
        "generator": f"torch {torch.__version__}, seed {seed}, {SCRIPT}",
    }
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.safetensors"
    save_file({k: v.contiguous() for k, v in sorted(t.items())}, str(path), metadata=metadata)
    size = path.stat().st_size
    assert size < 1_000_000, f"{path} is {size} bytes; fixtures stay under 1 MB"
    print(f"{path.name}: {len(t)} tensors, {size} bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "fixtures")
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    write(args.out, "model", config(in_channels=2, num_classes=5, image_size=[7, 9], channels=3, kernel_size=3), seed=0)


if __name__ == "__main__":
    main()
