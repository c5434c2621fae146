# Writes the test-only reference fixtures of Tests/Fixtures/literals/ (format workbench-fixture/1) with PyTorch.
"""PyTorch references for unit tests whose configuration `workbench verify` has no id for.

Run from anywhere (the Makefile runs it as part of `make fixtures`):
    .venv/bin/python Tests/Fixtures/make_test_fixtures.py

Each file is `kind: op` with an id prefixed `test.`, which the verifier does not know: the unit
test named in its comment loads it (WorkbenchTesting's `LiteralFixture`), computes the same thing
from its `input.*` tensors and compares every `expect.*` tensor with the file's tolerances
(`grad_rtol` for `expect.grad.*`), as the verifier would. Written through fixturelib.py, which
keeps only seeds whose numbers do not hang on rounding. Seeds are the CRC-32 of the file name.
"""

import sys
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F

import fixturelib

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "literals"
SCRIPT = "Tests/Fixtures/make_test_fixtures.py"
DEFAULT_TOL = ("1e-5", "1e-4", "1e-3")  # atol, rtol, grad_rtol
# A resized pixel is a sum of at most four products: rtol 1e-5, as the literal test it replaces had.
RESIZE_TOL = ("1e-5", "1e-5", "1e-3")


def resize_case(fid: str, shape: tuple, size: tuple) -> fixturelib.Case:
    """ImageBatchesTests.bilinearResizeMatchesPyTorch: ImageTransforms.resizeBilinear against
    F.interpolate(mode="bilinear", align_corners=False, antialias=False). Forward only (`loss`
    "none", no upstream or gradients): the resize is a data transform without autograd."""
    config = {"size": list(size), "mode": "bilinear", "align_corners": False}

    def draw(seed):
        torch.manual_seed(seed)
        return {"input.x": torch.randn(*shape)}

    def compute(stored, dtype):
        y = F.interpolate(stored["input.x"], size=size, mode="bilinear", align_corners=False)
        return {"expect.output.y": y}

    return fixturelib.Case(path=OUT / f"{fid}.safetensors", kind="op", name="test.resize_bilinear", config=config,
                           draw=draw, compute=compute, seed=zlib.crc32(fid.encode()), tol=RESIZE_TOL,
                           mode="eval", loss="none", script=SCRIPT)


def cross_entropy_none_case(fid: str) -> fixturelib.Case:
    """LossTests.crossEntropyReductionNoneMatchesPyTorch: F.cross_entropy(x, target,
    reduction="none"), its per-sample losses and the input gradient of sum(y * upstream.y)
    (the verifier's loss ops must be scalars, so it has no id for reduction "none")."""
    config = {"reduction": "none"}

    def draw(seed):
        torch.manual_seed(seed)
        stored = {"input.x": torch.randn(5, 7), "input.target": torch.randint(0, 7, (5,))}
        stored.update(fixturelib.upstream_for({"y": torch.empty(5)}, seed + 1))
        return stored

    def compute(stored, dtype):
        inputs = fixturelib.leaves(stored)
        exp = fixturelib.run_steps(
            None, inputs, lambda _, inp: {"y": F.cross_entropy(inp["x"], inp["target"], reduction="none")},
            fixturelib.upstream_objective(fixturelib.upstreams(stored)))
        del exp["expect.loss"]  # sum(y * upstream.y): the test checks y and the gradient
        return exp

    return fixturelib.Case(path=OUT / f"{fid}.safetensors", kind="op", name="test.cross_entropy", config=config,
                           draw=draw, compute=compute, seed=zlib.crc32(fid.encode()), tol=DEFAULT_TOL,
                           script=SCRIPT)


CASES = [
    resize_case("resize_bilinear_4x4_to_3x5", (2, 3, 4, 4), (3, 5)),  # down in height, up in width
    resize_case("resize_bilinear_3x4_to_7x9", (2, 3, 3, 4), (7, 9)),  # up in both, by non-integer factors
    resize_case("resize_bilinear_1x2_to_1x4", (1, 1, 1, 2), (1, 4)),  # up 2x: the edge weights
    cross_entropy_none_case("cross_entropy_none"),
]


def main() -> int:
    fixturelib.setup()
    for old in OUT.glob("*.safetensors"):  # remove fixtures of cases that no longer exist
        old.unlink()
    for case in CASES:
        print(fixturelib.write(case).line(ROOT.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
