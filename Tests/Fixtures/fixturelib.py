# The one fixture writer every PyTorch reference script uses (format workbench-fixture/1, docs/FIXTURES.md).
"""Writes robust reference fixtures.

A fixture is accepted only when its numbers do not hang on rounding. For each candidate seed the
library draws the stored tensors (parameters, buffers, inputs, upstream gradients), computes every
expected tensor in float32, and then:

1. computes the same in float64: float32 must stay within PRECISION_LIMIT of the tolerance;
2. reruns float32 NUDGES times with every stored float tensor moved by +-1 ulp (random sign per
   element): every rerun must stay within NUDGE_LIMIT of the tolerance of the original.

Check 2 catches every discrete decision a rounding difference could flip: a ReLU input within
rounding of zero, a max-pool tie, an argmax, a clipping threshold, a beam-search choice. Such a
case passes or fails with the BLAS kernel of the machine that runs it (AVX2 and AVX-512 kernels
round differently), so it cannot tell a right implementation from a wrong one. A seed that fails
either check is skipped for the next one (seed + 1, + 2, ...); a seed that passes is kept, so a
regenerated fixture keeps its seed.

A script describes each fixture as a `Case`: its metadata, `draw(seed)` giving the stored
tensors, and `compute(stored, dtype)` giving the `expect.*` tensors from them. Both are pure
functions of their arguments, which is what lets the library rerun them. `run_steps` is the
forward / loss / backward / optimizer-step loop of the format, for the cases that need nothing
else.
"""

import json
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch

FORMAT = "workbench-fixture/1"
PRECISION_LIMIT = 0.3  # |f32 - f64| / tolerance: an independent float32 implementation lands as far again
NUDGES = 32
NUDGE_LIMIT = 0.1  # |nudged - f32| / tolerance, the worst over all reruns and every expected tensor
MAX_TRIES = 100
# Inputs that never get an `expect.grad.input.*`.
NO_GRAD_INPUTS = ("target", "mask")

DTYPES = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8"), torch.int64: ("I64", "<i8")}
PREFIXES = ("param.", "buffer.", "input.", "upstream.", "expect.")


@dataclass
class Case:
    """One fixture file: metadata, and the two functions that make its tensors."""
    path: Path
    kind: str  # op | model
    name: str  # op or model id
    config: dict
    draw: Callable[[int], dict]  # seed -> stored tensors: param.*, buffer.*, input.*, upstream.*
    compute: Callable[[dict, torch.dtype], dict]  # stored tensors cast to dtype -> expect.* tensors
    seed: int  # the first seed tried
    tol: tuple = ("1e-5", "1e-4", "1e-3")  # atol, rtol, grad_rtol (strings, as stored)
    mode: str = "train"
    loss: str = "upstream"
    loss_config: Optional[dict] = None
    optimizer: Optional[dict] = None
    max_bytes: int = 1_000_000
    script: str = ""  # the writer's path from the repository root
    extra_meta: dict = field(default_factory=dict)


@dataclass
class Written:
    path: Path
    seed: int
    tries: int
    precision: tuple  # (worst ratio, key)
    nudge: tuple  # (worst ratio, key)
    size: int

    def line(self, root: Path) -> str:
        return (f"{self.path.resolve().relative_to(root)}  {self.size} B  seed {self.seed} (try {self.tries})  "
                f"f32-f64 {self.precision[0]:.3f} ({self.precision[1]})  nudge {self.nudge[0]:.4f} ({self.nudge[1]})")


def repository_root() -> Path:
    return next(p for p in Path(__file__).resolve().parents if (p / "Package.swift").exists())


def to_json(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def setup() -> None:
    """One thread and deterministic kernels: the summation order does not depend on the machine."""
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


# ---------------------------------------------------------------------------------------------
# Writing

def write(case: Case) -> Written:
    """Writes `case` from the first seed that passes both checks; raises if none of MAX_TRIES does."""
    tol = tuple(float(s) for s in case.tol)
    failures = []
    for tries in range(MAX_TRIES):
        seed = case.seed + tries
        stored = {k: v.detach().clone() for k, v in case.draw(seed).items()}
        check_stored(case, stored)
        exp32 = case.compute(cast(stored, torch.float32), torch.float32)
        check_finite(case, exp32)
        precision = worst_ratio(exp32, case.compute(cast(stored, torch.float64), torch.float64), tol)
        if precision[0] >= PRECISION_LIMIT:
            failures.append(f"seed {seed}: f32-f64 {precision[0]:.2f} at {precision[1]}")
            continue
        nudge = nudge_ratio(case, stored, exp32, tol, seed)
        if nudge[0] >= NUDGE_LIMIT:
            failures.append(f"seed {seed}: nudge {nudge[0]:.2f} at {nudge[1]}")
            continue
        size = save(case, {**stored, **exp32}, seed, precision, nudge)
        return Written(case.path, seed, tries, precision, nudge, size)
    raise SystemExit(f"{case.path.name}: no robust seed in {MAX_TRIES} tries: " + "; ".join(failures[:5]))


def save(case: Case, tensors: dict, seed: int, precision: tuple, nudge: tuple) -> int:
    atol, rtol, grad_rtol = case.tol
    meta = {"format": FORMAT, "kind": case.kind, "name": case.name, "config": to_json(case.config),
            "mode": case.mode, "loss": case.loss, "atol": atol, "rtol": rtol, "grad_rtol": grad_rtol,
            "generator": (f"torch {torch.__version__}, seed {seed}, {case.script}; of the tolerance: float32 vs "
                          f"float64 {precision[0]:.3f}, {NUDGES} 1-ulp nudges {nudge[0]:.4f}"),
            **case.extra_meta}
    if case.loss_config is not None:
        meta["loss_config"] = to_json(case.loss_config)
    if case.optimizer is not None:
        meta["optimizer"] = to_json(case.optimizer)
    case.path.parent.mkdir(parents=True, exist_ok=True)
    save_safetensors(case.path, tensors, meta)
    size = case.path.stat().st_size
    if size > case.max_bytes:
        raise SystemExit(f"{case.path.name} is {size} bytes, over its limit of {case.max_bytes}")
    check_file(case.path, tensors, meta)
    return size


def save_safetensors(path: Path, tensors: dict, metadata: dict) -> None:
    """Sorted keys, compact JSON, header padded to 8 bytes: the bytes depend only on the content."""
    header = {"__metadata__": {k: metadata[k] for k in sorted(metadata)}}
    blobs, offset = [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().cpu().contiguous()
        dtype, np_dtype = DTYPES[t.dtype]
        data = np.ascontiguousarray(t.numpy().astype(np_dtype)).tobytes()
        header[key] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def check_file(path: Path, tensors: dict, meta: dict) -> None:
    """Re-opens the file with the safetensors library: same keys, values and metadata."""
    from safetensors import safe_open
    with safe_open(str(path), framework="pt") as f:
        if f.metadata() != meta or set(f.keys()) != set(tensors):
            raise SystemExit(f"{path.name}: keys or metadata changed on reading back")
        for k in f.keys():
            if not identical(f.get_tensor(k), tensors[k].detach().cpu()):
                raise SystemExit(f"{path.name}: {k} changed on reading back")


def identical(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Same dtype, shape and values, NaN matching NaN (torch.equal calls NaN unequal to itself,
    which would refuse every file with a declared `nonfinite` tensor)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if not a.is_floating_point():
        return torch.equal(a, b)
    return bool(((a == b) | (a.isnan() & b.isnan())).all())


def check_stored(case: Case, stored: dict) -> None:
    for k, v in stored.items():
        if not k.startswith(PREFIXES[:4]):
            raise SystemExit(f"{case.path.name}: draw() returned {k}, not param./buffer./input./upstream.")
        if v.dtype not in (torch.float32, torch.int64):
            raise SystemExit(f"{case.path.name}: {k} is {v.dtype}; stored tensors are float32 or int64")


def check_finite(case: Case, expected: dict) -> None:
    allowed = set(json.loads(case.extra_meta.get("nonfinite", "[]")))
    for k, v in expected.items():
        if not k.startswith("expect."):
            raise SystemExit(f"{case.path.name}: compute() returned {k}, not expect.*")
        if v.is_floating_point() and not torch.isfinite(v).all() and k not in allowed:
            raise SystemExit(f"{case.path.name}: {k} holds NaN or Inf (declare it in the `nonfinite` metadata)")


# ---------------------------------------------------------------------------------------------
# The two checks

def cast(stored: dict, dtype: torch.dtype) -> dict:
    return {k: (v.to(dtype) if v.is_floating_point() else v).clone() for k, v in stored.items()}


def worst_ratio(got: dict, ref: dict, tol: tuple) -> tuple:
    """The largest |got - ref| / (atol + r * |ref|) over every expected tensor (r: grad_rtol for
    gradients, rtol else), and its key; integer tensors must be equal (else infinity)."""
    atol, rtol, grad_rtol = tol
    worst = (0.0, "")
    for key, a in got.items():
        b = ref[key]
        if not a.is_floating_point():
            ratio = 0.0 if torch.equal(a, b) else math.inf
        elif a.numel() == 0:
            continue
        else:
            a64, b64 = a.double(), b.double()
            both = (a64 == b64) | (a64.isnan() & b64.isnan())  # equal infinities and NaN where declared
            r = grad_rtol if key.startswith("expect.grad.") else rtol
            diff = torch.where(both, 0.0, (a64 - b64).abs() / (atol + r * b64.abs()))
            ratio = diff.nan_to_num(math.inf).max().item()
        worst = max(worst, (ratio, key))
    return worst


def nudge(t: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Every element moved one float32 ulp up or down at random."""
    up = torch.rand(t.shape, generator=g) < 0.5
    toward = torch.where(up, torch.full_like(t, math.inf), torch.full_like(t, -math.inf))
    return torch.nextafter(t, toward)


def nudge_ratio(case: Case, stored: dict, exp32: dict, tol: tuple, seed: int) -> tuple:
    g = torch.Generator().manual_seed(seed)
    worst = (0.0, "")
    for _ in range(NUDGES):
        moved = {k: nudge(v, g) if v.is_floating_point() else v.clone() for k, v in stored.items()}
        worst = max(worst, worst_ratio(case.compute(moved, torch.float32), exp32, tol))
    return worst


# ---------------------------------------------------------------------------------------------
# Building blocks for compute()

def state(module: torch.nn.Module, prefix: str = "") -> dict:
    """A module's parameters and buffers as stored tensors (`param.<prefix><name>`, `buffer.…`)."""
    out = {f"param.{prefix}{n}": p.detach().clone() for n, p in module.named_parameters()}
    out.update({f"buffer.{prefix}{n}": b.detach().clone() for n, b in module.named_buffers()})
    return out


def bind(module: torch.nn.Module, stored: dict, dtype: torch.dtype, prefix: str = "") -> torch.nn.Module:
    """`module` in `dtype` holding the stored parameters and buffers named `<prefix>*`."""
    module = module.to(dtype)
    sd = {}
    for k, v in stored.items():
        for kind in ("param.", "buffer."):
            if k.startswith(kind + prefix):
                sd[k[len(kind + prefix):]] = v
    module.load_state_dict(sd, strict=True)
    return module


def leaves(stored: dict, no_grad: tuple = NO_GRAD_INPUTS) -> dict:
    """The stored inputs as fresh leaves; floating inputs other than `no_grad` require grad."""
    out = {}
    for k, v in stored.items():
        if k.startswith("input."):
            n = k[len("input."):]
            t = v.detach().clone()
            if t.is_floating_point() and n not in no_grad:
                t.requires_grad_(True)
            out[n] = t
    return out


def upstream_for(outputs: dict, seed: int) -> dict:
    """Normal upstream gradients of the outputs' shapes, drawn in the outputs' name order."""
    g = torch.Generator().manual_seed(seed)
    return {f"upstream.{n}": torch.randn(o.shape, generator=g) for n, o in outputs.items()}


OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
              "rmsprop": torch.optim.RMSprop}


def make_optimizer(params, cfg: dict):
    kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in cfg.items()
              if k not in ("type", "steps", "clip_grad_norm")}
    return OPTIMIZERS[cfg["type"]](params, **kwargs)


def run_steps(model: Optional[torch.nn.Module], inputs: dict, forward: Callable, objective: Callable,
              optimizer: Optional[dict] = None, params: Optional[dict] = None) -> dict:
    """The format's step rule: forward, loss, backward (and, with an optimizer, clip and step,
    `steps` times on the same inputs). Returns outputs, loss, buffers after the first forward,
    first gradients, the loss before each step and the final parameters and buffers.

    forward(model, inputs) -> dict of outputs; objective(outputs, inputs) -> scalar loss.
    `params` (name -> parameter) defaults to the model's named parameters."""
    params = params if params is not None else (dict(model.named_parameters()) if model is not None else {})
    buffers = (lambda: dict(model.named_buffers())) if model is not None else dict
    opt = make_optimizer(list(params.values()), optimizer) if optimizer else None
    clip = optimizer.get("clip_grad_norm") if optimizer else None
    exp = {}
    for k in range(1, (optimizer["steps"] if optimizer else 1) + 1):
        if opt:
            opt.zero_grad()
        out = forward(model, inputs)
        loss = objective(out, inputs)
        if k == 1:
            exp.update({f"expect.output.{n}": o.detach().clone() for n, o in out.items()})
            exp["expect.loss"] = loss.detach().clone()
            exp.update({f"expect.buffer.{n}": b.detach().clone() for n, b in buffers().items()})
        if opt:
            exp[f"expect.step{k}.loss"] = loss.detach().clone()
        loss.backward()
        if k == 1:
            exp.update({f"expect.grad.param.{n}": (torch.zeros_like(p) if p.grad is None else p.grad.detach().clone())
                        for n, p in params.items()})
            exp.update({f"expect.grad.input.{n}": t.grad.detach().clone() for n, t in inputs.items()
                        if t.requires_grad})
        if opt:
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(list(params.values()), clip)
            opt.step()
    if opt:
        exp.update({f"expect.final.param.{n}": p.detach().clone() for n, p in params.items()})
        exp.update({f"expect.final.buffer.{n}": b.detach().clone() for n, b in buffers().items()})
    return exp


def upstream_objective(stored_upstream: dict) -> Callable:
    """sum(output * upstream) over every output that has an upstream tensor."""
    def objective(out, _inputs):
        return sum((out[n[len("upstream."):]] * u).sum() for n, u in stored_upstream.items())
    return objective


def upstreams(stored: dict) -> dict:
    return {k: v for k, v in stored.items() if k.startswith("upstream.")}


def self_objective(out: dict, _inputs) -> torch.Tensor:
    """For `loss: self`: the forward's own `loss` output, removed from the outputs."""
    return out.pop("loss")
