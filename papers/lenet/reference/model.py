# LeNet-5: LeCun, Bottou, Bengio, Haffner, "Gradient-based learning applied to document
# recognition", Proc. IEEE 86(11), 1998 (Section II.B, Fig. 2, Table I).
# The PyTorch reference network of Sources/LeNet: the same layers, config names and state_dict
# names as the Swift module, so fixtures and checkpoints move both ways.
import torch
import torch.nn.functional as F
from torch import nn

# The Swift LeNetConfig's JSON names and defaults (the paper's network, 32x32 input).
DEFAULTS = {"in_channels": 1, "num_classes": 10, "image_size": [32, 32], "c1_padding": 0, "c1_channels": 6,
            "c3_channels": 16, "c5_channels": 120, "f6_features": 84, "activation": "scaled_tanh",
            "pool": "avg", "c3_table": True}

# Table I: the S2 maps that each C3 map takes as input.
TABLE1 = [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
          [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
          [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5], [0, 1, 2, 3, 4, 5]]


def config(**overrides):
    unknown = set(overrides) - set(DEFAULTS)
    assert not unknown, f"unknown config fields {unknown}"
    return {**DEFAULTS, **overrides}


def c5_size(cfg):
    return [((n + 2 * cfg["c1_padding"] - 4) // 2 - 4) // 2 - 4 for n in cfg["image_size"]]


class LeNet5(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        h, w = c5_size(cfg)
        self.c1 = nn.Conv2d(cfg["in_channels"], cfg["c1_channels"], 5, padding=cfg["c1_padding"])
        self.c3 = nn.Conv2d(cfg["c1_channels"], cfg["c3_channels"], 5)
        self.c5 = nn.Conv2d(cfg["c3_channels"], cfg["c5_channels"], 5)
        self.f6 = nn.Linear(cfg["c5_channels"] * h * w, cfg["f6_features"])
        self.output = nn.Linear(cfg["f6_features"], cfg["num_classes"])
        mask = torch.zeros(16, 6, 1, 1)
        for j, inputs in enumerate(TABLE1):
            mask[j, inputs] = 1
        # A constant, not a buffer: it is not in the state_dict (nor in the Swift module's).
        self.c3_mask = mask if cfg["c3_table"] else None

    def act(self, x):
        a = self.cfg["activation"]
        if a == "scaled_tanh":
            return 1.7159 * torch.tanh(x * (2.0 / 3.0))
        return torch.tanh(x) if a == "tanh" else F.relu(x)

    def pool(self, x):
        return F.avg_pool2d(x, 2) if self.cfg["pool"] == "avg" else F.max_pool2d(x, 2)

    def forward(self, x):  # [N, C, H, W] -> [N, num_classes]
        h = self.pool(self.act(self.c1(x)))
        w3 = self.c3.weight if self.c3_mask is None else self.c3.weight * self.c3_mask.to(self.c3.weight.dtype)
        h = self.pool(self.act(F.conv2d(h, w3, self.c3.bias)))
        h = torch.flatten(self.act(self.c5(h)), 1)
        return self.output(self.act(self.f6(h)))
