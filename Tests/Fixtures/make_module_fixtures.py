# Writes the module-level fixtures (small models built from nn modules) and the PyTorch-written checkpoints.
"""Reference fixtures for WorkbenchNN's modules, written by PyTorch.

Run from anywhere (the Makefile's `fixtures` target runs it after make_op_fixtures.py):
    .venv/bin/python Tests/Fixtures/make_module_fixtures.py

Writes
    Tests/Fixtures/modules/<id>.safetensors      workbench-fixture/1, kind "model", ids `test.*`:
        a model built from modules, its parameters and buffers under PyTorch's state-dict names,
        outputs, loss, every gradient, buffers after the forward, and 5 Adam steps.
        The ids are test-only: WorkbenchNNTests builds the same models from WorkbenchNN modules.
    Tests/Fixtures/checkpoints/torch_<model>.safetensors
        `safetensors.torch.save_file(model.state_dict())` of a trained model, exactly what a
        PyTorch user writes, and torch_<model>_io.safetensors with an input `x` and the model's
        eval-mode output `y`, which Swift must reproduce after `Checkpoint.load`.

Deterministic like make_op_fixtures.py (whose writer, seeds and checks it reuses): regenerating
with the same torch version gives byte-identical files.
"""

import copy
import sys
import zlib
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from make_op_fixtures import FORMAT, LONG_TOL, MAX_FILE_BYTES, PRECISION_LIMIT, perturb_batch_norm, \
    save_safetensors, to_json

ROOT = Path(__file__).resolve().parent
SCRIPT = "Tests/Fixtures/make_module_fixtures.py"
ADAM = {"type": "adam", "lr": 0.01, "steps": 5}


# ---------------------------------------------------------------------------------------------
# The models. WorkbenchNNTests/ModuleFixtureTests.swift builds the same ones from Swift modules.

def sequential_cnn() -> nn.Module:
    """Input [N, 3, 7, 9] -> logits [N, 4]. The conv has no bias: a bias before a train-mode
    BatchNorm gets a gradient that is exactly zero in theory, so its float32 value is rounding
    noise whose sign Adam would turn into a full step."""
    return nn.Sequential(nn.Conv2d(3, 5, 3, padding=1, bias=False), nn.BatchNorm2d(5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(5 * 3 * 4, 4))


class LSTMLinear(nn.Module):
    """Input [N, T, 5] -> [N, T, 3]: a 2-layer bidirectional batch-first LSTM and a Linear head
    on every step (children `lstm`, `fc`)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 7, num_layers=2, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(14, 3)

    def forward(self, x):
        return self.fc(self.lstm(x)[0])


def cnn_inputs():
    return {"x": torch.randn(4, 3, 7, 9), "target": torch.tensor([2, 0, 3, 1])}


def lstm_inputs():
    return {"x": torch.randn(3, 4, 5), "target": torch.randn(3, 4, 3)}


# (id, model factory, inputs, loss id, loss function)
MODELS = [
    ("sequential_cnn", sequential_cnn, cnn_inputs, "cross_entropy", nn.functional.cross_entropy),
    ("lstm_linear", LSTMLinear, lstm_inputs, "mse_loss", nn.functional.mse_loss),
]


def seed_of(fid: str) -> int:
    return zlib.crc32(fid.encode())


# ---------------------------------------------------------------------------------------------
# Model fixtures: forward, loss, backward, then 5 Adam steps on the same batch (docs/FIXTURES.md).

def run(m: nn.Module, inputs: dict, loss_fn, dtype) -> dict:
    m.to(dtype).train()
    x = inputs["x"].to(dtype).detach().clone().requires_grad_(True)
    target = inputs["target"]
    target = target.to(dtype) if target.is_floating_point() else target
    opt = torch.optim.Adam(m.parameters(), lr=ADAM["lr"])
    exp = {}
    for k in range(1, ADAM["steps"] + 1):
        opt.zero_grad()
        y = m(x)
        loss = loss_fn(y, target)
        if k == 1:
            exp["expect.output.y"] = y.detach().clone()
            exp["expect.loss"] = loss.detach().clone()
            for n, b in m.named_buffers():
                exp[f"expect.buffer.{n}"] = b.detach().clone()
        exp[f"expect.step{k}.loss"] = loss.detach().clone()
        loss.backward()
        if k == 1:
            for n, p in m.named_parameters():
                exp[f"expect.grad.param.{n}"] = p.grad.detach().clone()
            exp["expect.grad.input.x"] = x.grad.detach().clone()
        opt.step()
    for n, p in m.named_parameters():
        exp[f"expect.final.param.{n}"] = p.detach().clone()
    for n, b in m.named_buffers():
        exp[f"expect.final.buffer.{n}"] = b.detach().clone()
    return exp


def precision_ratio(exp32: dict, exp64: dict) -> tuple:
    atol, rtol, grad_rtol = (float(s) for s in LONG_TOL)
    worst = (0.0, "")
    for key, a in exp32.items():
        b = exp64[key]
        if not a.is_floating_point():
            assert torch.equal(a, b), key
            continue
        r = grad_rtol if key.startswith("expect.grad.") else rtol
        ratio = ((a.double() - b).abs() / (atol + r * b.abs())).max().item()
        worst = max(worst, (ratio, key))
    return worst


def write_model_fixture(fid, factory, make_inputs, loss_id, loss_fn) -> Path:
    seed = seed_of(fid)
    torch.manual_seed(seed)
    m = factory()
    perturb_batch_norm(m)
    pristine = copy.deepcopy(m)
    inputs = make_inputs()
    tensors = {f"param.{n}": p.detach().clone() for n, p in m.named_parameters()}
    tensors.update({f"buffer.{n}": b.detach().clone() for n, b in m.named_buffers()})
    tensors.update({f"input.{n}": t.clone() for n, t in inputs.items()})
    exp32 = run(m, inputs, loss_fn, torch.float32)
    ratio, key = precision_ratio(exp32, run(copy.deepcopy(pristine), inputs, loss_fn, torch.float64))
    if ratio > PRECISION_LIMIT:
        raise SystemExit(f"precision: {fid} {key}: float32 is {ratio:.2f} of its tolerance from float64")
    tensors.update(exp32)
    atol, rtol, grad_rtol = LONG_TOL
    meta = {
        "format": FORMAT, "kind": "model", "name": f"test.{fid}", "config": "{}", "mode": "train",
        "loss": loss_id, "loss_config": "{}", "atol": atol, "rtol": rtol, "grad_rtol": grad_rtol,
        "optimizer": to_json(ADAM),
        "generator": f"torch {torch.__version__}, seed {seed} (crc32 of the id), {SCRIPT}",
    }
    path = ROOT / "modules" / f"{fid}_adam.safetensors"
    save_safetensors(path, tensors, meta)
    assert path.stat().st_size < MAX_FILE_BYTES, path
    return path


# ---------------------------------------------------------------------------------------------
# PyTorch-written checkpoints: a model trained for two SGD steps (so BatchNorm's running stats
# and num_batches_tracked are not their defaults), saved as a plain state dict.

def write_checkpoint(fid, factory, make_inputs, loss_fn) -> list:
    torch.manual_seed(seed_of("checkpoint " + fid))
    m = factory().train()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(2):
        inputs = make_inputs()
        opt.zero_grad()
        loss_fn(m(inputs["x"]), inputs["target"]).backward()
        opt.step()
    m.eval()
    x = make_inputs()["x"]
    with torch.no_grad():
        y = m(x)
    model_path = ROOT / "checkpoints" / f"torch_{fid}.safetensors"
    io_path = ROOT / "checkpoints" / f"torch_{fid}_io.safetensors"
    save_file(m.state_dict(), str(model_path))
    save_file({"x": x.contiguous(), "y": y.contiguous()}, str(io_path))
    return [model_path, io_path]


def main() -> int:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    for folder in ("modules", "checkpoints"):
        (ROOT / folder).mkdir(exist_ok=True)
        for old in (ROOT / folder).glob("*.safetensors"):
            old.unlink()
    paths = []
    for fid, factory, make_inputs, loss_id, loss_fn in MODELS:
        paths.append(write_model_fixture(fid, factory, make_inputs, loss_id, loss_fn))
        paths += write_checkpoint(fid, factory, make_inputs, loss_fn)
    total = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} module fixtures and checkpoints, {total / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
