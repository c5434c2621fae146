# AlphaGo Zero — Silver et al. 2017, Mastering the game of Go without human knowledge (Nature 550)
# The PyTorch reference network of Sources/AlphaGoZero (Methods, "Neural network architecture"):
# the same layers, config names and state_dict names as the Swift module, so fixtures and
# checkpoints move both ways.
import torch
import torch.nn.functional as F
from torch import nn

# The Swift AlphaGoZeroConfig's JSON names and defaults (Connect Four's board).
DEFAULTS = {"in_channels": 3, "rows": 6, "columns": 7, "actions": 7, "channels": 64, "blocks": 5, "value_hidden": 64}


def config(**overrides):
    unknown = set(overrides) - set(DEFAULTS)
    assert not unknown, f"unknown config fields {unknown}"
    return {**DEFAULTS, **overrides}


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):  # [N, C, H, W] -> same
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + x)


class Net(nn.Module):
    """Convolutional block, residual tower, policy head (logits) and value head (tanh)."""

    def __init__(self, cfg):
        super().__init__()
        c, area = cfg["channels"], cfg["rows"] * cfg["columns"]
        self.conv = nn.Conv2d(cfg["in_channels"], c, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c)
        self.blocks = nn.Sequential(*[ResidualBlock(c) for _ in range(cfg["blocks"])])
        self.policy_conv = nn.Conv2d(c, 2, 1, bias=False)
        self.policy_bn = nn.BatchNorm2d(2)
        self.policy_fc = nn.Linear(2 * area, cfg["actions"])
        self.value_conv = nn.Conv2d(c, 1, 1, bias=False)
        self.value_bn = nn.BatchNorm2d(1)
        self.value_fc1 = nn.Linear(area, cfg["value_hidden"])
        self.value_fc2 = nn.Linear(cfg["value_hidden"], 1)

    def forward(self, x):  # [N, in_channels, rows, columns] -> (logits [N, actions], value [N])
        n = x.shape[0]
        h = self.blocks(F.relu(self.bn(self.conv(x))))
        logits = self.policy_fc(F.relu(self.policy_bn(self.policy_conv(h))).reshape(n, -1))
        hidden = F.relu(self.value_fc1(F.relu(self.value_bn(self.value_conv(h))).reshape(n, -1)))
        return logits, torch.tanh(self.value_fc2(hidden)).reshape(n)


def loss(logits, value, pi, z):
    """The paper's loss without the L2 term (the optimizer's weight decay): mean (z - v)^2 - pi^T log p."""
    return F.mse_loss(value, z) - (pi * F.log_softmax(logits, dim=1)).sum(1).mean()
