# DCGAN generator and discriminator in PyTorch: the reference the Swift module is checked against.
"""DCGAN (Radford, Metz, Chintala 2015, arXiv:1511.06434) as in pytorch/examples `dcgan/main.py`.

Differences from pytorch/examples, all chosen by the workbench card (papers/dcgan/README.md):
- image_size 32 (three stride-2 stages, Fashion-MNIST padded 28 -> 32) or 64 (four stages);
- the discriminator has no final Sigmoid and returns logits: training uses BCEWithLogitsLoss,
  which is the same loss computed stably;
- widths are config fields so the fixtures can use small networks.
Parameter names are pytorch/examples' (`main.0.weight`, `main.1.weight`, ...).
"""

import torch
from torch import nn


def config(image_size=32, nz=100, ngf=64, ndf=64, nc=1):
    assert image_size in (32, 64)
    return {"image_size": image_size, "nz": nz, "ngf": ngf, "ndf": ndf, "nc": nc}


# docs/BENCHMARKS.md's dcgan32 and the paper's 64x64 LSUN generator shape (4x4x1024 -> ... -> 64x64x3).
FASHION_MNIST32 = config(32, 100, 64, 64, 1)
PAPER64 = config(64, 100, 128, 128, 3)


def _stages(cfg):
    return 3 if cfg["image_size"] == 32 else 4


class Generator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        s = _stages(cfg)
        widths = [cfg["ngf"] * 2 ** (s - 1 - i) for i in range(s)]
        layers = [nn.ConvTranspose2d(cfg["nz"], widths[0], 4, 1, 0, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(True)]
        for a, b in zip(widths, widths[1:]):
            layers += [nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(True)]
        layers += [nn.ConvTranspose2d(widths[-1], cfg["nc"], 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, z):  # [N, nz, 1, 1] -> [N, nc, S, S]
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        s = _stages(cfg)
        widths = [cfg["ndf"] * 2 ** i for i in range(s)]
        layers = [nn.Conv2d(cfg["nc"], widths[0], 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
        for a, b in zip(widths, widths[1:]):
            layers += [nn.Conv2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2, inplace=True)]
        layers += [nn.Conv2d(widths[-1], 1, 4, 1, 0, bias=False)]
        self.main = nn.Sequential(*layers)

    def forward(self, x):  # [N, nc, S, S] -> [N] logits
        return self.main(x).view(-1)


def weights_init(m):
    """pytorch/examples' init: conv weights N(0, 0.02), BatchNorm weight N(1, 0.02), bias 0."""
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def gan_step(netG, netD, optG, optD, real, noise):
    """One pytorch/examples iteration with BCE-with-logits; returns (loss_d, loss_g, D(x), D(G(z)) before, after)."""
    crit = nn.BCEWithLogitsLoss()
    n = real.shape[0]
    ones, zeros = torch.ones(n, dtype=real.dtype), torch.zeros(n, dtype=real.dtype)  # labels in the batch's dtype
    netD.zero_grad()
    out_real = netD(real)
    err_real = crit(out_real, ones)
    err_real.backward()
    fake = netG(noise)
    out_fake = netD(fake.detach())
    err_fake = crit(out_fake, zeros)
    err_fake.backward()
    optD.step()
    netG.zero_grad()
    out = netD(fake)
    err_g = crit(out, ones)
    err_g.backward()
    optG.step()
    return (err_real + err_fake).item(), err_g.item(), torch.sigmoid(out_real).mean().item(), \
        torch.sigmoid(out_fake).mean().item(), torch.sigmoid(out).mean().item()


if __name__ == "__main__":
    for name, cfg in [("fashionMNIST32", FASHION_MNIST32), ("paper64", PAPER64)]:
        g, d = Generator(cfg), Discriminator(cfg)
        print(name, "G", sum(p.numel() for p in g.parameters()), "D", sum(p.numel() for p in d.parameters()))
        print("  G names", [k for k in g.state_dict()][:6], "...")
