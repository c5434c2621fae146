# Dev-time check that checkpoints written by Swift's Checkpoint.save load into the PyTorch models strictly
# and reproduce the Swift outputs. Run:
#   WORKBENCH_CHECKPOINT_EXPORT=/tmp/ckpt swift test -c release --skip-build --filter CheckpointTorchTests
#   .venv/bin/python Tests/Fixtures/check_checkpoint_in_torch.py /tmp/ckpt
# The Swift test writes, per model, swift_<model>.safetensors (the model alone, bare state-dict
# names) and swift_<model>_io.safetensors (an input `x` and the Swift eval-mode output `y`).
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_module_fixtures import MODELS  # noqa: E402

directory = Path(sys.argv[1])
failures, passed = [], 0
for fid, factory, *_ in MODELS:
    model = factory()
    state = load_file(str(directory / f"swift_{fid}.safetensors"))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        failures.append(f"{fid}: load_state_dict(strict=True) failed: {e}")
        continue
    for name, t in model.state_dict().items():
        if t.dtype != state[name].dtype:
            failures.append(f"{fid}: {name} has dtype {state[name].dtype}, PyTorch keeps {t.dtype}")
    io = load_file(str(directory / f"swift_{fid}_io.safetensors"))
    model.eval()
    with torch.no_grad():
        y = model(io["x"])
    if y.shape != io["y"].shape:
        failures.append(f"{fid}: output shape {list(y.shape)}, Swift wrote {list(io['y'].shape)}")
    elif not torch.allclose(y, io["y"], atol=1e-5, rtol=1e-4):
        failures.append(f"{fid}: output differs, max abs {(y - io['y']).abs().max().item():.3g}")
    elif not any(f.startswith(fid + ":") for f in failures):
        passed += 1
        print(f"PASS {fid}: {len(state)} tensors loaded strictly, output {list(y.shape)} max abs "
              f"{(y - io['y']).abs().max().item():.3g}")
for line in failures:
    print("FAIL", line)
print(f"{passed} passed, {len(MODELS) - passed} failed")
sys.exit(1 if failures else 0)
