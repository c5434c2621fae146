# Dev-time check that a file written by the Swift SafeTensorsFile loads in PyTorch's safetensors
# with the values SafeTensorsTests.sampleFile() put in it. Run:
#   WORKBENCH_SAFETENSORS_EXPORT=/tmp/swift.safetensors swift test -c release --filter SafeTensorsTests
#   .venv/bin/python Tests/Fixtures/check_safetensors_roundtrip.py /tmp/swift.safetensors
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file

path = sys.argv[1]
tensors = load_file(path)
with safe_open(path, "pt") as f:
    metadata = f.metadata()

expected = {
    "weight": (torch.arange(6, dtype=torch.float32).reshape(2, 3) - 2.5) * 0.25,
    "labels": torch.tensor([-3, 0, 7, 1 << 40], dtype=torch.int64),
    "f64": torch.tensor([1.0 / 3.0, -1e300], dtype=torch.float64),
    "scalar": torch.tensor(42.5),
    "empty": torch.zeros(0, 2),
    "mask": torch.tensor([True, False, True]),
}
failures = []
if set(tensors) != set(expected):
    failures.append(f"names {sorted(tensors)} != {sorted(expected)}")
for name, want in expected.items():
    got = tensors.get(name)
    if got is None or got.dtype != want.dtype or got.shape != want.shape or not torch.equal(got, want):
        failures.append(f"{name}: got {got!r}, want {want!r}")
want_metadata = {"format": "workbench-test", "note": 'ü "q" \\ \n\t\x01'}
if metadata != want_metadata:
    failures.append(f"metadata {metadata!r} != {want_metadata!r}")
for line in failures:
    print("FAIL", line)
checks = len(expected) + 2  # tensors, names, metadata
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
