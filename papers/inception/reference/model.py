# PyTorch reference of the Workbench GoogLeNet: same config fields and state-dict names as Sources/Inception.
"""GoogLeNet / Inception-v1 (Szegedy et al. 2014, arXiv:1409.4842) in PyTorch.

This is the reference that the Swift implementation in Sources/Inception is checked against
(make_fixtures.py writes the fixtures). Parameter and buffer names equal the Swift model's
state-dict names, which follow torchvision's googlenet.py where the two agree:
conv1, conv2, conv3, inception3a ... inception5b, aux1, aux2, fc; inside a block branch1,
branch2.{0,1}, branch3.{0,1}, branch4.1; each conv unit is `conv` (+ `bn`).

One config object (`GoogLeNetConfig`, the same fields as the Swift `GoogLeNetConfig` and the
fixture `config` JSON) describes both the paper's network and the scaled ones; see
papers/inception/README.md for what each field means and which presets use what.
"""

from dataclasses import dataclass, field, asdict

import torch
from torch import nn
import torch.nn.functional as F

# Table 1 of the paper: (name, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj).
TABLE1 = [
    ("inception3a", 64, 96, 128, 16, 32, 32),
    ("inception3b", 128, 128, 192, 32, 96, 64),
    ("inception4a", 192, 96, 208, 16, 48, 64),
    ("inception4b", 160, 112, 224, 24, 64, 64),
    ("inception4c", 128, 128, 256, 24, 64, 64),
    ("inception4d", 112, 144, 288, 32, 64, 64),
    ("inception4e", 256, 160, 320, 32, 128, 128),
    ("inception5a", 256, 160, 320, 32, 128, 128),
    ("inception5b", 384, 192, 384, 48, 128, 128),
]


@dataclass
class GoogLeNetConfig:
    in_channels: int = 3
    num_classes: int = 1000
    image_size: list = field(default_factory=lambda: [224, 224])  # fixes the aux heads' fc1 input size
    stem: str = "imagenet"              # "imagenet": 7x7/2, pool, LRN, 1x1, 3x3, LRN, pool; "small": 3x3 convs, one pool
    stem_channels: list = field(default_factory=lambda: [64, 64, 192])
    width_divisor: int = 1              # every Table 1 filter count becomes max(1, n // width_divisor)
    batch_norm: bool = False            # conv(no bias)-BN-ReLU instead of conv(bias)-ReLU
    bn_eps: float = 1e-5
    lrn: bool = True                    # the stem's two local response norms (imagenet stem only)
    branch3_kernel: int = 5             # the "5x5" branch (torchvision uses 3)
    ceil_mode: bool = True              # pool rounding of the stride-2 max-pools (Caffe's)
    aux_classifiers: bool = True
    aux_pool_kernel: int = 5
    aux_pool_stride: int = 3
    aux_conv_channels: int = 128
    aux_hidden: int = 1024
    aux_dropout: float = 0.7
    aux_weight: float = 0.3
    dropout: float = 0.4

    @staticmethod
    def from_dict(d):
        return GoogLeNetConfig(**d)

    def to_dict(self):
        return asdict(self)


class ConvUnit(nn.Module):
    """conv + ReLU (paper) or conv(no bias) + BatchNorm + ReLU (batch_norm)."""

    def __init__(self, cin, cout, kernel_size, stride=1, padding=0, batch_norm=False, bn_eps=1e-5):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size, stride=stride, padding=padding, bias=not batch_norm)
        self.bn = nn.BatchNorm2d(cout, eps=bn_eps) if batch_norm else None

    def forward(self, x):
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return F.relu(x)


class InceptionBlock(nn.Module):
    """1x1 | 1x1 -> 3x3 | 1x1 -> kxk | 3x3/1 max-pool -> 1x1, concatenated on channels."""

    def __init__(self, cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj,
                 batch_norm=False, bn_eps=1e-5, branch3_kernel=5):
        super().__init__()
        unit = lambda i, o, k, p=0: ConvUnit(i, o, k, padding=p, batch_norm=batch_norm, bn_eps=bn_eps)
        self.branch1 = unit(cin, ch1x1, 1)
        self.branch2 = nn.Sequential(unit(cin, ch3x3red, 1), unit(ch3x3red, ch3x3, 3, 1))
        self.branch3 = nn.Sequential(unit(cin, ch5x5red, 1), unit(ch5x5red, ch5x5, branch3_kernel, branch3_kernel // 2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True), unit(cin, pool_proj, 1))
        self.out_channels = ch1x1 + ch3x3 + ch5x5 + pool_proj

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    """avg-pool -> 1x1 conv unit -> flatten -> fc1 + ReLU -> dropout -> fc2."""

    def __init__(self, cin, num_classes, spatial, cfg):
        super().__init__()
        self.pool_kernel, self.pool_stride = cfg.aux_pool_kernel, cfg.aux_pool_stride
        self.conv = ConvUnit(cin, cfg.aux_conv_channels, 1, batch_norm=cfg.batch_norm, bn_eps=cfg.bn_eps)
        side = lambda s: (s - cfg.aux_pool_kernel) // cfg.aux_pool_stride + 1
        self.fc1 = nn.Linear(cfg.aux_conv_channels * side(spatial[0]) * side(spatial[1]), cfg.aux_hidden)
        self.fc2 = nn.Linear(cfg.aux_hidden, num_classes)
        self.dropout = nn.Dropout(cfg.aux_dropout)

    def forward(self, x):
        x = F.avg_pool2d(x, self.pool_kernel, self.pool_stride)
        x = torch.flatten(self.conv(x), 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def pool_out(n, ceil_mode):
    """Output length of a 3x3/2 max-pool without padding (PyTorch's rule)."""
    if not ceil_mode:
        return (n - 3) // 2 + 1
    out = -(-(n - 3) // 2) + 1
    return out - 1 if (out - 1) * 2 >= n else out


class GoogLeNet(nn.Module):
    def __init__(self, cfg: GoogLeNetConfig):
        super().__init__()
        self.cfg = cfg
        bn, eps = cfg.batch_norm, cfg.bn_eps
        h, w = cfg.image_size
        pool = lambda: nn.MaxPool2d(3, stride=2, ceil_mode=cfg.ceil_mode)
        s = cfg.stem_channels
        if cfg.stem == "imagenet":
            self.conv1 = ConvUnit(cfg.in_channels, s[0], 7, stride=2, padding=3, batch_norm=bn, bn_eps=eps)
            self.conv2 = ConvUnit(s[0], s[1], 1, batch_norm=bn, bn_eps=eps)
            self.conv3 = ConvUnit(s[1], s[2], 3, padding=1, batch_norm=bn, bn_eps=eps)
            h, w = (h + 1) // 2, (w + 1) // 2
            for _ in range(2):
                h, w = pool_out(h, cfg.ceil_mode), pool_out(w, cfg.ceil_mode)
        elif cfg.stem == "small":
            self.conv1 = ConvUnit(cfg.in_channels, s[0], 3, padding=1, batch_norm=bn, bn_eps=eps)
            self.conv2 = ConvUnit(s[0], s[1], 3, padding=1, batch_norm=bn, bn_eps=eps)
            h, w = pool_out(h, cfg.ceil_mode), pool_out(w, cfg.ceil_mode)
        else:
            raise ValueError(cfg.stem)
        self.pool = pool()
        self.lrn = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
        cin = s[-1]
        d = cfg.width_divisor
        self.blocks = []
        for name, *widths in TABLE1:
            if name == "inception4a" or name == "inception5a":
                h, w = pool_out(h, cfg.ceil_mode), pool_out(w, cfg.ceil_mode)
            widths = [max(1, n // d) for n in widths]
            block = InceptionBlock(cin, *widths, batch_norm=bn, bn_eps=eps, branch3_kernel=cfg.branch3_kernel)
            setattr(self, name, block)
            self.blocks.append(name)
            cin = block.out_channels
            if name == "inception4a" and cfg.aux_classifiers:
                self.aux1 = InceptionAux(cin, cfg.num_classes, (h, w), cfg)
            if name == "inception4d" and cfg.aux_classifiers:
                self.aux2 = InceptionAux(cin, cfg.num_classes, (h, w), cfg)
        self.dropout = nn.Dropout(cfg.dropout)
        self.fc = nn.Linear(cin, cfg.num_classes)

    def forward(self, x):
        """Returns (logits, aux1, aux2); the aux outputs are None in eval mode or without aux heads."""
        cfg = self.cfg
        if cfg.stem == "imagenet":
            x = self.pool(self.conv1(x))
            if cfg.lrn:
                x = self.lrn(x)
            x = self.conv3(self.conv2(x))
            if cfg.lrn:
                x = self.lrn(x)
            x = self.pool(x)
        else:
            x = self.pool(self.conv2(self.conv1(x)))
        aux1 = aux2 = None
        for name in self.blocks:
            if name in ("inception4a", "inception5a"):
                x = self.pool(x)
            x = getattr(self, name)(x)
            if self.training and cfg.aux_classifiers:
                if name == "inception4a":
                    aux1 = self.aux1(x)
                if name == "inception4d":
                    aux2 = self.aux2(x)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(self.dropout(x)), aux1, aux2

    def loss(self, outputs, target):
        """The training objective: CE(main) + aux_weight * (CE(aux1) + CE(aux2))."""
        y, a1, a2 = outputs
        total = F.cross_entropy(y, target)
        for a in (a1, a2):
            if a is not None:
                total = total + self.cfg.aux_weight * F.cross_entropy(a, target)
        return total


PAPER = GoogLeNetConfig()
FASHION = GoogLeNetConfig(in_channels=1, num_classes=10, image_size=[28, 28], stem="small", stem_channels=[32, 64], width_divisor=4,
                          batch_norm=True, lrn=False, aux_pool_kernel=3, aux_pool_stride=2,
                          aux_conv_channels=32, aux_hidden=256)

if __name__ == "__main__":
    for name, cfg in [("paper", PAPER), ("fashion", FASHION)]:
        m = GoogLeNet(cfg)
        total = sum(p.numel() for p in m.parameters())
        aux = sum(p.numel() for n, p in m.named_parameters() if n.startswith("aux"))
        print(name, "params", total, "without aux", total - aux)
