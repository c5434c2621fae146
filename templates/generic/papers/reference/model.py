# __TITLE__
# The PyTorch reference network of Sources/__Paper__: the same layers, config names and
# state_dict names as the Swift module, so fixtures and checkpoints move both ways.
from torch import nn

# The Swift __Paper__Config's JSON names and defaults.
DEFAULTS = {"inputs": 8, "hidden": 32, "outputs": 2}


def config(**overrides):
    unknown = set(overrides) - set(DEFAULTS)
    assert not unknown, f"unknown config fields {unknown}"
    return {**DEFAULTS, **overrides}


class Net(nn.Module):
    """layers = Linear -> Tanh -> Linear -> Tanh -> Linear (the scaffold's stand-in: replace it by
    the paper's network, in step with Sources/__Paper__/__Paper__Model.swift)."""

    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(cfg["inputs"], cfg["hidden"]), nn.Tanh(),
            nn.Linear(cfg["hidden"], cfg["hidden"]), nn.Tanh(),
            nn.Linear(cfg["hidden"], cfg["outputs"]),
        )

    def forward(self, x):  # [N, inputs] -> [N, outputs]
        return self.layers(x)
