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

The model fixtures go through fixturelib.py like every fixture (seeds robust to rounding); the
checkpoints are written with safetensors' own `save_file` on purpose, as a PyTorch user does.
Deterministic: regenerating with the same torch version gives byte-identical files.
"""

import sys
import zlib
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

import fixturelib
from make_op_fixtures import LONG_TOL, MAX_FILE_BYTES, perturb_batch_norm

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

def draw(factory, make_inputs, seed: int) -> dict:
    torch.manual_seed(seed)
    m = factory()
    perturb_batch_norm(m)
    return {**fixturelib.state(m), **{f"input.{n}": t.clone() for n, t in make_inputs().items()}}


def compute(factory, loss_fn, stored: dict, dtype) -> dict:
    m = fixturelib.bind(factory(), stored, dtype).train()
    return fixturelib.run_steps(m, fixturelib.leaves(stored), lambda mod, inp: {"y": mod(inp["x"])},
                                lambda out, inp: loss_fn(out["y"], inp["target"]), ADAM)


def write_model_fixture(fid, factory, make_inputs, loss_id, loss_fn) -> fixturelib.Written:
    return fixturelib.write(fixturelib.Case(
        path=ROOT / "modules" / f"{fid}_adam.safetensors", kind="model", name=f"test.{fid}", config={},
        draw=lambda seed: draw(factory, make_inputs, seed),
        compute=lambda stored, dtype: compute(factory, loss_fn, stored, dtype),
        seed=seed_of(fid), tol=LONG_TOL, loss=loss_id, loss_config={}, optimizer=ADAM, max_bytes=MAX_FILE_BYTES,
        script=SCRIPT))


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
    fixturelib.setup()
    for folder in ("modules", "checkpoints"):
        (ROOT / folder).mkdir(exist_ok=True)
        for old in (ROOT / folder).glob("*.safetensors"):
            old.unlink()
    for fid, factory, make_inputs, loss_id, loss_fn in MODELS:
        print(write_model_fixture(fid, factory, make_inputs, loss_id, loss_fn).line(ROOT.parent.parent))
        for path in write_checkpoint(fid, factory, make_inputs, loss_fn):
            print(f"{path.relative_to(ROOT.parent.parent)}  {path.stat().st_size} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
