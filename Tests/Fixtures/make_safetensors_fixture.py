# Writes Tests/Fixtures/safetensors/reference.safetensors with PyTorch's own safetensors writer,
# and reference.json with the values PyTorch holds, so SafeTensorsTests can check our reader
# against values that did not come from our reader. Dev-time only:
#   .venv/bin/python Tests/Fixtures/make_safetensors_fixture.py
import json
import os

import torch
from safetensors.torch import save_file

torch.manual_seed(0)
tensors = {
    "f32": torch.randn(2, 3),
    "f64": torch.tensor([1.0 / 3.0, -2.5e-300, 1e300, 0.1], dtype=torch.float64),
    "i64": torch.tensor([[-5, 2**40], [-(2**62), 2**53 + 1]], dtype=torch.int64),
    "scalar": torch.tensor(3.5),
    "empty": torch.zeros(0, 3),
    "f16": torch.tensor([1.0, -65504.0, 2.0**-24, 0.333], dtype=torch.float16),
    "bf16": torch.tensor([1.0, -3.140625, 1e30], dtype=torch.bfloat16),
    "i32": torch.tensor([-(2**31), 2**31 - 1, 7], dtype=torch.int32),
    "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
    "i8": torch.tensor([-128, 127, -1], dtype=torch.int8),
    "u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
    "layer.0.weight": torch.arange(12, dtype=torch.float32).reshape(3, 2, 2) / 8,
}
metadata = {"format": "workbench-test", "note": 'unicode \u00fc, "quotes" and \\ backslash'}

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "safetensors")
os.makedirs(here, exist_ok=True)
save_file(tensors, os.path.join(here, "reference.safetensors"), metadata=metadata)

dtype_names = {
    torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}
expected = {"metadata": metadata, "tensors": {}}
for name, t in tensors.items():
    if t.is_floating_point():
        values = t.double().flatten().tolist()  # exact: every F32/F16/BF16 value is a double
    else:
        values = t.long().flatten().tolist()
    expected["tensors"][name] = {"dtype": dtype_names[t.dtype], "shape": list(t.shape), "values": values}
with open(os.path.join(here, "reference.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
print(json.dumps(expected, sort_keys=True))
