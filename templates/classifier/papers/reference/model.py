# __TITLE__
# The PyTorch reference network of Sources/__Paper__: the same layers, config names and
# state_dict names as the Swift module, so fixtures and checkpoints move both ways.
import torch
from torch import nn

# The Swift __Paper__Config's JSON names and defaults.
DEFAULTS = {"in_channels": 1, "num_classes": 10, "image_size": [28, 28], "channels": 8, "kernel_size": 3}


def config(**overrides):
    unknown = set(overrides) - set(DEFAULTS)
    assert not unknown, f"unknown config fields {unknown}"
    return {**DEFAULTS, **overrides}


class Net(nn.Module):
    """features = Conv2d -> ReLU -> MaxPool2d(2); classifier = Linear (the scaffold's stand-in:
    replace it by the paper's network, in step with Sources/__Paper__/__Paper__Model.swift)."""

    def __init__(self, cfg):
        super().__init__()
        h, w = cfg["image_size"]
        k = cfg["kernel_size"]
        self.features = nn.Sequential(
            nn.Conv2d(cfg["in_channels"], cfg["channels"], k, padding=k // 2),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(cfg["channels"] * (h // 2) * (w // 2), cfg["num_classes"])

    def forward(self, x):  # [N, C, H, W] -> [N, num_classes]
        return self.classifier(torch.flatten(self.features(x), 1))
