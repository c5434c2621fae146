# Writes papers/dcgan/fixtures/*.safetensors (workbench-fixture/1) from model.py with PyTorch.
"""DCGAN reference fixtures.

Run:  .venv/bin/python papers/dcgan/reference/make_fixtures.py

Writes (small widths through the config keep every file well under 1 MB):
  generator32.safetensors         dcgan.generator, 32x32, train mode, upstream loss, 3 Adam steps
  discriminator32.safetensors     dcgan.discriminator, 32x32, train mode, BCE-with-logits, 3 Adam steps
  generator64_eval.safetensors    dcgan.generator, 64x64 RGB, eval mode (running statistics)
  discriminator64.safetensors     dcgan.discriminator, 64x64 RGB, train mode, BCE-with-logits
  gan_steps32.safetensors         dcgan.gan_steps: 3 alternating D/G iterations (see below)

in the format of docs/FIXTURES.md, through Tests/Fixtures/fixturelib.py, which keeps a fixture's
seed only when its numbers do not hang on rounding (float32 against float64, and 1-ulp nudges of
every stored tensor) and else tries the next seed; the `generator` metadata records the seed used.
The `upstream` fixtures store no `expect.loss` (the verifier needs none).

dcgan.gan_steps: params/buffers `G.main.*` and `D.main.*`; inputs `real` [3, N, nc, S, S] and
`noise` [3, N, nz, 1, 1] (iteration k uses slice k); outputs per iteration `loss_d`, `loss_g`,
`d_x`, `d_g_z1`, `d_g_z2`, and `final.G.*` / `final.D.*` (parameters and buffers after the 3
iterations). `loss` = loss_d + loss_g of iteration 1, and `expect.grad.*` are the gradients each
optimizer applies in iteration 1 (D's from loss_d, G's from loss_g), with the input gradients of
that iteration (real from loss_d, noise from loss_g through the generator).

Deterministic: fixed seeds, one thread, deterministic algorithms, sorted keys.
"""

import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(next(p for p in Path(__file__).resolve().parents if (p / "Package.swift").exists())
                       / "Tests" / "Fixtures"))
import fixturelib  # noqa: E402
from model import Discriminator, Generator, config, gan_step, weights_init  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "fixtures"
SCRIPT = "papers/dcgan/reference/make_fixtures.py"
ADAM = {"type": "adam", "lr": 0.0002, "betas": [0.5, 0.999], "eps": 1e-8, "steps": 3}
TOL = ("1e-4", "1e-3", "1e-3")  # atol, rtol, grad_rtol
CFG32 = config(32, nz=16, ngf=8, ndf=8, nc=1)
CFG64 = config(64, nz=8, ngf=4, ndf=4, nc=3)
NETS = {"dcgan.generator": Generator, "dcgan.discriminator": Discriminator}


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


# ---------------------------------------------------------------------------------------------
# One network: forward / loss / backward (and Adam steps), as the generic `workbench verify` runs it

def module_case(fid, name, cfg, mode, loss, x_name, make_input, target=None, optimizer=ADAM, seed=0,
                running_stats=False):
    """`make_input(g)` draws the input from the fixture's generator (after the running statistics
    when `running_stats`); `upstream` fixtures draw `upstream.y` with seed + 1."""
    cls = NETS[name]

    def draw(s):
        g = torch.Generator().manual_seed(s)
        net = init_net(cls, cfg, s)
        if running_stats:
            randomise_running_stats(net, g)
        x = make_input(g)
        stored = fixturelib.state(net)
        stored[f"input.{x_name}"] = x.clone()
        if target is not None:
            stored["input.target"] = target.clone()
        if loss == "upstream":
            with torch.no_grad():
                y = net.eval()(x)  # only its shape is used
            stored.update(fixturelib.upstream_for({"y": y}, s + 1))
        return stored

    def compute(stored, dtype):
        net = fixturelib.bind(cls(cfg), stored, dtype).train(mode == "train")
        inputs = fixturelib.leaves(stored)
        if loss == "upstream":
            objective = fixturelib.upstream_objective(fixturelib.upstreams(stored))
        else:
            objective = lambda out, inp: F.binary_cross_entropy_with_logits(out["y"], inp["target"])  # noqa: E731
        exp = fixturelib.run_steps(net, inputs, lambda m, inp: {"y": m(inp[x_name])}, objective, optimizer)
        if loss == "upstream":
            del exp["expect.loss"]  # the files never stored it for an upstream loss
        return exp

    return fixturelib.Case(path=OUT / f"{fid}.safetensors", kind="model", name=name, config=cfg, draw=draw,
                           compute=compute, seed=seed, tol=TOL, mode=mode, loss=loss, optimizer=optimizer,
                           script=SCRIPT)


# ---------------------------------------------------------------------------------------------
# dcgan.gan_steps: alternating D/G iterations as pytorch/examples trains (model.gan_step)

def gan_steps_case(seed=14, steps=3, n=6):
    cfg = CFG32

    def draw(s):
        net_g, net_d = init_net(Generator, cfg, s), init_net(Discriminator, cfg, s + 100)
        g = torch.Generator().manual_seed(s)
        real = torch.tanh(torch.randn(steps, n, 1, 32, 32, generator=g) * 1.5)
        noise = torch.randn(steps, n, cfg["nz"], 1, 1, generator=g)
        return {**fixturelib.state(net_g, "G."), **fixturelib.state(net_d, "D."), "input.real": real,
                "input.noise": noise}

    def compute(stored, dtype):
        net_g = fixturelib.bind(Generator(cfg), stored, dtype, "G.").train()
        net_d = fixturelib.bind(Discriminator(cfg), stored, dtype, "D.").train()
        inputs = fixturelib.leaves(stored)
        real, noise = inputs["real"], inputs["noise"]
        opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
        crit = torch.nn.BCEWithLogitsLoss()
        exp = {}
        # Iteration 1 spelled out (as model.gan_step) to capture the gradients each optimizer applies.
        ones, zeros = torch.ones(n, dtype=dtype), torch.zeros(n, dtype=dtype)
        net_d.zero_grad()
        out_real = net_d(real[0])
        err_real = crit(out_real, ones)
        err_real.backward()
        fake = net_g(noise[0])
        out_fake = net_d(fake.detach())
        err_fake = crit(out_fake, zeros)
        err_fake.backward()
        exp.update({f"expect.grad.param.D.{k}": p.grad.detach().clone() for k, p in net_d.named_parameters()})
        opt_d.step()
        net_g.zero_grad()
        out = net_d(fake)
        err_g = crit(out, ones)
        err_g.backward()
        exp.update({f"expect.grad.param.G.{k}": p.grad.detach().clone() for k, p in net_g.named_parameters()})
        opt_g.step()
        exp["expect.loss"] = (err_real + err_fake + err_g).detach().clone()
        exp["expect.grad.input.real"] = real.grad.detach().clone()
        exp["expect.grad.input.noise"] = noise.grad.detach().clone()
        sig = lambda v: torch.sigmoid(v).mean().item()  # noqa: E731
        rows = [((err_real + err_fake).item(), err_g.item(), sig(out_real), sig(out_fake), sig(out))]
        for k in range(1, steps):
            rows.append(gan_step(net_g, net_d, opt_g, opt_d, real[k].detach(), noise[k].detach()))
        for i, key in enumerate(["loss_d", "loss_g", "d_x", "d_g_z1", "d_g_z2"]):
            exp[f"expect.output.{key}"] = torch.tensor([r[i] for r in rows], dtype=dtype)
        for prefix, net in [("G.", net_g), ("D.", net_d)]:
            exp.update({f"expect.output.final.{prefix}{k}": v.detach().clone() for k, v in net.state_dict().items()})
        return exp

    gcfg = {**cfg, "lr": 2e-4, "betas": [0.5, 0.999]}
    return fixturelib.Case(path=OUT / "gan_steps32.safetensors", kind="model", name="dcgan.gan_steps", config=gcfg,
                           draw=draw, compute=compute, seed=seed, tol=TOL, mode="train", loss="self",
                           script=SCRIPT)


CASES = [
    # 32x32 generator, train mode, 3 Adam steps on an upstream-weighted output.
    module_case("generator32", "dcgan.generator", CFG32, "train", "upstream", "z",
                lambda g: torch.randn(5, CFG32["nz"], 1, 1, generator=g), seed=10),
    # 32x32 discriminator, train mode, BCE-with-logits against 0/1 labels, 3 Adam steps.
    module_case("discriminator32", "dcgan.discriminator", CFG32, "train", "bce_with_logits", "x",
                lambda g: torch.tanh(torch.randn(5, 1, 32, 32, generator=g) * 1.5),
                target=torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0]), seed=11),
    # 64x64 RGB generator in eval mode (running statistics that are not the defaults).
    module_case("generator64_eval", "dcgan.generator", CFG64, "eval", "upstream", "z",
                lambda g: torch.randn(3, CFG64["nz"], 1, 1, generator=g), optimizer=None, seed=12,
                running_stats=True),
    # 64x64 RGB discriminator, train mode.
    module_case("discriminator64", "dcgan.discriminator", CFG64, "train", "bce_with_logits", "x",
                lambda g: torch.tanh(torch.randn(3, 3, 64, 64, generator=g)),
                target=torch.tensor([1.0, 0.0, 1.0]), optimizer=None, seed=13),
    gan_steps_case(),
]


def main():
    fixturelib.setup()
    root = fixturelib.repository_root()
    for case in CASES:
        print(fixturelib.write(case).line(root), flush=True)


if __name__ == "__main__":
    main()
