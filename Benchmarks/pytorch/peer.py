"""PyTorch peer of the Swift benchmarks: the same workloads, networks, shapes and steps.

Usage: python peer.py WORKLOAD [--iterations N]   (prints one JSON object)
Workloads: sgemm256 sgemm1024 googlenet_small_train dcgan32_train dqn_minatar_update
           dqn_minatar_act seq2seq_lstm_train
PyTorch runs on the CPU with 2 threads, as the Swift side uses 2 OpenBLAS threads.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)


def conv_bn_relu(cin, cout, k, padding=0):
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=padding, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Block(nn.Module):
    """Inception block: 1x1 | 1x1->3x3 | 1x1->5x5 | 3x3 max-pool->1x1, concatenated."""

    def __init__(self, cin, c1, c3r, c3, c5r, c5, pp):
        super().__init__()
        self.branch1 = conv_bn_relu(cin, c1, 1)
        self.branch2 = nn.Sequential(conv_bn_relu(cin, c3r, 1), conv_bn_relu(c3r, c3, 3, padding=1))
        self.branch3 = nn.Sequential(conv_bn_relu(cin, c5r, 1), conv_bn_relu(c5r, c5, 5, padding=2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), conv_bn_relu(cin, pp, 1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


TABLE1 = [  # GoogLeNet Table 1 (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj), divided by 4 below
    (64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64), "pool",
    (192, 96, 208, 16, 48, 64), (160, 112, 224, 24, 64, 64), (128, 128, 256, 24, 64, 64),
    (112, 144, 288, 32, 64, 64), (256, 160, 320, 32, 128, 128), "pool",
    (256, 160, 320, 32, 128, 128), (384, 192, 384, 48, 128, 128),
]


def googlenet_small():
    layers = [conv_bn_relu(1, 32, 3, padding=1), conv_bn_relu(32, 64, 3, padding=1), nn.MaxPool2d(3, 2, ceil_mode=True)]
    cin = 64
    for row in TABLE1:
        if row == "pool":
            layers.append(nn.MaxPool2d(3, 2, ceil_mode=True))
            continue
        c = [v // 4 for v in row]
        layers.append(Block(cin, *c))
        cin = c[0] + c[2] + c[4] + c[5]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.4), nn.Linear(cin, 10)]
    return nn.Sequential(*layers)


def dcgan32():
    g = nn.Sequential(
        nn.ConvTranspose2d(100, 256, 4, 1, 0, bias=False), nn.BatchNorm2d(256), nn.ReLU(),
        nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1, bias=False), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 256, 4, 2, 1, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(0.2),
        nn.Conv2d(256, 1, 4, 1, 0, bias=False))
    return g, d


def minatar_q():
    return nn.Sequential(nn.Conv2d(4, 16, 3, 1), nn.ReLU(), nn.Flatten(), nn.Linear(1024, 128), nn.ReLU(), nn.Linear(128, 3))


class Seq2Seq(nn.Module):
    def __init__(self, vocab=400, dim=256):
        super().__init__()
        self.src_embed = nn.Embedding(vocab, dim)
        self.tgt_embed = nn.Embedding(vocab, dim)
        self.encoder = nn.LSTM(dim, dim, 2, batch_first=True)
        self.decoder = nn.LSTM(dim, dim, 2, batch_first=True)
        self.out = nn.Linear(dim, vocab)

    def forward(self, src, tgt):
        _, state = self.encoder(self.src_embed(src))
        y, _ = self.decoder(self.tgt_embed(tgt), state)
        return self.out(y)


def workload(name):
    """Returns (step function, samples per step, FLOPs per step or None)."""
    g = torch.Generator().manual_seed(0)
    if name.startswith("sgemm"):
        n = int(name[5:])
        a, b = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g)
        return (lambda: torch.mm(a, b)), n, 2.0 * n ** 3
    if name == "googlenet_small_train":
        model = googlenet_small()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = torch.randn(128, 1, 28, 28, generator=g), torch.randint(0, 10, (128,), generator=g)

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return step, 128, None
    if name == "dcgan32_train":
        gen, disc = dcgan32()
        opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
        real = torch.rand(128, 1, 32, 32, generator=g) * 2 - 1
        noise = torch.randn(128, 100, 1, 1, generator=g)
        ones, zeros = torch.ones(128), torch.zeros(128)

        def step():
            opt_d.zero_grad()
            fake = gen(noise)
            loss_d = F.binary_cross_entropy_with_logits(disc(real).view(-1), ones) + \
                F.binary_cross_entropy_with_logits(disc(fake.detach()).view(-1), zeros)
            loss_d.backward()
            opt_d.step()
            opt_g.zero_grad()
            F.binary_cross_entropy_with_logits(disc(fake).view(-1), ones).backward()
            opt_g.step()
        return step, 128, None
    if name in ("dqn_minatar_update", "dqn_minatar_act"):
        online, target = minatar_q(), minatar_q()
        target.load_state_dict(online.state_dict())
        if name == "dqn_minatar_act":
            s = torch.rand(1, 4, 10, 10, generator=g)

            def act():
                with torch.no_grad():
                    return int(online(s).argmax(1))
            return act, 1, None
        opt = torch.optim.RMSprop(online.parameters(), lr=2.5e-4, alpha=0.95, eps=0.01, centered=True)
        s, s2 = torch.rand(32, 4, 10, 10, generator=g), torch.rand(32, 4, 10, 10, generator=g)
        a, r = torch.randint(0, 3, (32,), generator=g), torch.randn(32, generator=g)
        done = (torch.rand(32, generator=g) < 0.1).float()

        def update():
            with torch.no_grad():
                tgt = r + 0.99 * (1 - done) * target(s2).max(1).values
            q = online(s).gather(1, a.unsqueeze(1)).squeeze(1)
            opt.zero_grad()
            F.huber_loss(q, tgt).backward()
            opt.step()
        return update, 32, None
    if name == "seq2seq_lstm_train":
        model = Seq2Seq()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        src, tgt = torch.randint(0, 400, (64, 15), generator=g), torch.randint(0, 400, (64, 15), generator=g)
        gold = torch.randint(0, 400, (64, 15), generator=g)

        def step():
            opt.zero_grad()
            logits = model(src, tgt)
            F.cross_entropy(logits.reshape(-1, 400), gold.reshape(-1)).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        return step, 64, None
    raise SystemExit(f"unknown workload {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workload")
    parser.add_argument("--iterations", type=int, default=20)
    args = parser.parse_args()
    step, samples, flops = workload(args.workload)
    for _ in range(3):
        step()
    times = []
    for _ in range(args.iterations):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1e3)
    ms = statistics.median(times)
    print(json.dumps({
        "workload": args.workload, "ms": ms, "samples_per_s": samples / ms * 1e3,
        "gflops": flops / ms / 1e6 if flops else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
