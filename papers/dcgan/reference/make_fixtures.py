# Writes papers/dcgan/fixtures/*.safetensors (workbench-fixture/1) from model.py with PyTorch.
"""DCGAN reference fixtures.

Run:  .venv/bin/python papers/dcgan/reference/make_fixtures.py

Writes (small widths through the config keep every file well under 1 MB):
  generator32.safetensors         dcgan.generator, 32x32, train mode, upstream loss, 3 Adam steps
  discriminator32.safetensors     dcgan.discriminator, 32x32, train mode, BCE-with-logits, 3 Adam steps
  generator64_eval.safetensors    dcgan.generator, 64x64 RGB, eval mode (running statistics)
  discriminator64.safetensors     dcgan.discriminator, 64x64 RGB, train mode, BCE-with-logits
  gan_steps32.safetensors         dcgan.gan_steps: 3 alternating D/G iterations (see below)

dcgan.gan_steps: params/buffers `G.main.*` and `D.main.*`; inputs `real` [3, N, nc, S, S] and
`noise` [3, N, nz, 1, 1] (iteration k uses slice k); outputs per iteration `loss_d`, `loss_g`,
`d_x`, `d_g_z1`, `d_g_z2`, and `final.G.*` / `final.D.*` (parameters and buffers after the 3
iterations). `loss` = loss_d + loss_g of iteration 1, and `expect.grad.*` are the gradients each
optimizer applies in iteration 1 (D's from loss_d, G's from loss_g), with the input gradients of
that iteration (real from loss_d, noise from loss_g through the generator).
"""

import json
from pathlib import Path

import torch
from safetensors.torch import save_file

from model import Discriminator, Generator, config, gan_step, weights_init

OUT = Path(__file__).resolve().parent.parent / "fixtures"
ADAM = {"type": "adam", "lr": 0.0002, "betas": [0.5, 0.999], "eps": 1e-8, "steps": 3}
TOL = {"atol": "1e-4", "rtol": "1e-3", "grad_rtol": "1e-3"}


def meta(name, cfg, mode, loss, optimizer=None, seed=0):
    m = {"format": "workbench-fixture/1", "kind": "model", "name": name, "config": json.dumps(cfg, sort_keys=True),
         "mode": mode, "loss": loss, **TOL,
         "generator": f"torch {torch.__version__}, seed {seed}, papers/dcgan/reference/make_fixtures.py"}
    if optimizer:
        m["optimizer"] = json.dumps(optimizer, sort_keys=True)
    return m


def state(module, prefix=""):
    out = {}
    for k, v in module.state_dict().items():
        kind = "buffer" if k.endswith(("running_mean", "running_var", "num_batches_tracked")) else "param"
        out[f"{kind}.{prefix}{k}"] = v.detach().clone()
    return out


def save(name, tensors, metadata):
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.safetensors"
    save_file({k: v.contiguous() for k, v in sorted(tensors.items())}, str(path), metadata=metadata)
    size = path.stat().st_size
    assert size < 1_000_000, f"{path} is {size} bytes"
    print(f"{path.name}: {len(tensors)} tensors, {size} bytes")


def module_fixture(name, net, x_name, x, mode, loss_kind, extra_inputs, seed, optimizer=ADAM):
    """Forward/backward (and Adam steps) of one network, as the generic `workbench verify` runs it."""
    t = state(net)
    net.train(mode == "train")
    x = x.clone().requires_grad_(True)
    t[f"input.{x_name}"] = x.detach().clone()
    t.update({f"input.{k}": v for k, v in extra_inputs.items()})
    params = list(net.parameters())
    opt = torch.optim.Adam(params, lr=ADAM["lr"], betas=tuple(ADAM["betas"]), eps=ADAM["eps"]) if optimizer else None
    g = torch.Generator().manual_seed(seed + 1)
    upstream = None
    steps = optimizer["steps"] if optimizer else 1
    for k in range(1, steps + 1):
        if opt:
            opt.zero_grad()
        y = net(x)
        if loss_kind == "upstream":
            if upstream is None:
                upstream = torch.randn(y.shape, generator=g)
                t["upstream.y"] = upstream
            loss = (y * upstream).sum()
        else:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(y, extra_inputs["target"])
        if k == 1:
            t["expect.output.y"] = y.detach().clone()
            if loss_kind != "upstream":
                t["expect.loss"] = loss.detach().clone()
        loss.backward()
        if k == 1:
            for n_, p in net.named_parameters():
                t[f"expect.grad.param.{n_}"] = p.grad.detach().clone()
            t[f"expect.grad.input.{x_name}"] = x.grad.detach().clone()
            for n_, b in net.named_buffers():
                t[f"expect.buffer.{n_}"] = b.detach().clone()
        if opt:
            t[f"expect.step{k}.loss"] = loss.detach().clone()
            opt.step()
    if opt:
        for n_, p in net.named_parameters():
            t[f"expect.final.param.{n_}"] = p.detach().clone()
        for n_, b in net.named_buffers():
            t[f"expect.final.buffer.{n_}"] = b.detach().clone()
    return t


def init_net(cls, cfg, seed):
    torch.manual_seed(seed)
    net = cls(cfg)
    net.apply(weights_init)
    return net


def randomise_running_stats(net, g):
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.num_batches_tracked.fill_(7)


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    # 32x32 generator, train mode, 3 Adam steps on an upstream-weighted output.
    cfg = config(32, nz=16, ngf=8, ndf=8, nc=1)
    g = torch.Generator().manual_seed(10)
    net = init_net(Generator, cfg, 10)
    z = torch.randn(5, cfg["nz"], 1, 1, generator=g)
    t = module_fixture("generator32", net, "z", z, "train", "upstream", {}, 10)
    save("generator32", t, meta("dcgan.generator", cfg, "train", "upstream", ADAM, 10))

    # 32x32 discriminator, train mode, BCE-with-logits against 0/1 labels, 3 Adam steps.
    g = torch.Generator().manual_seed(11)
    net = init_net(Discriminator, cfg, 11)
    x = torch.tanh(torch.randn(5, 1, 32, 32, generator=g) * 1.5)
    target = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0])
    t = module_fixture("discriminator32", net, "x", x, "train", "bce_with_logits", {"target": target}, 11)
    save("discriminator32", t, meta("dcgan.discriminator", cfg, "train", "bce_with_logits", ADAM, 11))

    # 64x64 RGB generator in eval mode (running statistics that are not the defaults).
    cfg64 = config(64, nz=8, ngf=4, ndf=4, nc=3)
    g = torch.Generator().manual_seed(12)
    net = init_net(Generator, cfg64, 12)
    randomise_running_stats(net, g)
    z = torch.randn(3, cfg64["nz"], 1, 1, generator=g)
    t = module_fixture("generator64_eval", net, "z", z, "eval", "upstream", {}, 12, optimizer=None)
    save("generator64_eval", t, meta("dcgan.generator", cfg64, "eval", "upstream", None, 12))

    # 64x64 RGB discriminator, train mode.
    g = torch.Generator().manual_seed(13)
    net = init_net(Discriminator, cfg64, 13)
    x = torch.tanh(torch.randn(3, 3, 64, 64, generator=g))
    t = module_fixture("discriminator64", net, "x", x, "train", "bce_with_logits",
                       {"target": torch.tensor([1.0, 0.0, 1.0])}, 13, optimizer=None)
    save("discriminator64", t, meta("dcgan.discriminator", cfg64, "train", "bce_with_logits", None, 13))

    gan_steps_fixture()


def gan_steps_fixture(seed=14, steps=3, n=6):
    cfg = config(32, nz=16, ngf=8, ndf=8, nc=1)
    netG, netD = init_net(Generator, cfg, seed), init_net(Discriminator, cfg, seed + 100)
    g = torch.Generator().manual_seed(seed)
    real = torch.tanh(torch.randn(steps, n, 1, 32, 32, generator=g) * 1.5).requires_grad_(True)
    noise = torch.randn(steps, n, cfg["nz"], 1, 1, generator=g).requires_grad_(True)
    t = {**state(netG, "G."), **state(netD, "D."), "input.real": real.detach().clone(), "input.noise": noise.detach().clone()}
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    crit = torch.nn.BCEWithLogitsLoss()
    rows = []
    # Iteration 1 spelled out to capture the gradients each optimizer applies.
    ones, zeros = torch.ones(n), torch.zeros(n)
    netD.zero_grad()
    out_real = netD(real[0])
    err_real = crit(out_real, ones)
    err_real.backward()
    fake = netG(noise[0])
    out_fake = netD(fake.detach())
    err_fake = crit(out_fake, zeros)
    err_fake.backward()
    for k, p in netD.named_parameters():
        t[f"expect.grad.param.D.{k}"] = p.grad.detach().clone()
    optD.step()
    netG.zero_grad()
    out = netD(fake)
    err_g = crit(out, ones)
    err_g.backward()
    for k, p in netG.named_parameters():
        t[f"expect.grad.param.G.{k}"] = p.grad.detach().clone()
    optG.step()
    t["expect.loss"] = (err_real + err_fake + err_g).detach().clone()
    t["expect.grad.input.real"] = real.grad.detach().clone()
    t["expect.grad.input.noise"] = noise.grad.detach().clone()
    sig = lambda v: torch.sigmoid(v).mean().item()
    rows.append(((err_real + err_fake).item(), err_g.item(), sig(out_real), sig(out_fake), sig(out)))
    for k in range(1, steps):
        rows.append(gan_step(netG, netD, optG, optD, real[k].detach(), noise[k].detach()))
    for i, key in enumerate(["loss_d", "loss_g", "d_x", "d_g_z1", "d_g_z2"]):
        t[f"expect.output.{key}"] = torch.tensor([r[i] for r in rows])
    for prefix, net in [("G.", netG), ("D.", netD)]:
        for k, v in net.state_dict().items():
            t[f"expect.output.final.{prefix}{k}"] = v.detach().clone()
    gcfg = {**cfg, "lr": 2e-4, "betas": [0.5, 0.999]}
    save("gan_steps32", t, meta("dcgan.gan_steps", gcfg, "train", "self", None, seed))
    print("  loss_d", [round(r[0], 5) for r in rows], "loss_g", [round(r[1], 5) for r in rows])


if __name__ == "__main__":
    main()
