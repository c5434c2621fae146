"""Writes the DQN model fixtures (workbench-fixture/1) into papers/dqn/fixtures/.

- qnetwork_*.safetensors (id dqn.qnetwork): forward and backward of each Q-network variant under
  an upstream gradient (no `expect.loss`).
- update_*.safetensors (id dqn.update): three full DQN updates on one fixed replay batch: the
  online network (param.*) and a different target network (buffer.target.*), gather, Huber loss,
  then centered RMSprop (MinAtar's settings) or Adam. The target network must stay unchanged
  (expect.final.buffer.target.*) and no gradient may reach reward, next_state or done (their
  expect.grad.input.* are zero; the script fails if autograd reaches them).

Sizes are reduced where the full network would make a file over 1 MB (the layer structure is
unchanged): MinAtar FC width 100 or 32 instead of 128, Nature input 44x44 with FC 32.

Written in the format of docs/FIXTURES.md through Tests/Fixtures/fixturelib.py, which keeps a
fixture's seed only when its numbers do not hang on rounding (float32 against float64, and 1-ulp
nudges of every stored tensor: a ReLU input, a max over actions or a Huber branch that rounding
could flip) and else tries the next seed; the `generator` metadata records the seed used.
Run: .venv/bin/python papers/dqn/reference/make_fixtures.py   (deterministic; torch seed per fixture)
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(next(p for p in Path(__file__).resolve().parents if (p / "Package.swift").exists())
                       / "Tests" / "Fixtures"))
import fixturelib  # noqa: E402
from model import QNetwork, td_loss  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "fixtures"
SCRIPT = "papers/dqn/reference/make_fixtures.py"
TOL = ("1e-05", "0.0001", "0.001")  # atol, rtol, grad_rtol, as the files have always spelled them
NO_GRAD = ("reward", "next_state", "done")  # inputs that the update must not differentiate


def net_kwargs(config):
    return {k: config[k] for k in ("hidden", "input_size") if k in config}


def make_net(config):
    return QNetwork(config["network"], config["in_channels"], config["num_actions"], **net_kwargs(config))


def qnetwork_case(fid, config, batch, seed, binary):
    def draw(s):
        torch.manual_seed(s)
        net = make_net(config)
        shape = [batch, config["in_channels"]] + ([config.get("input_size", 10)] * 2 if config["network"] != "mlp" else [])
        if config["network"] == "nature":
            shape = [batch, config["in_channels"], config["input_size"], config["input_size"]]
        x = (torch.rand(shape) < 0.3).float() if binary else torch.randn(shape)
        up = torch.randn(batch, config["num_actions"])  # the output's shape, from the same generator after x
        return {**fixturelib.state(net), "input.x": x, "upstream.y": up}

    def compute(stored, dtype):
        net = fixturelib.bind(make_net(config), stored, dtype).train()
        exp = fixturelib.run_steps(net, fixturelib.leaves(stored), lambda m, inp: {"y": m(inp["x"])},
                                   fixturelib.upstream_objective(fixturelib.upstreams(stored)))
        del exp["expect.loss"]  # the files never stored it for an upstream loss
        return exp

    return fixturelib.Case(path=OUT / f"{fid}.safetensors", kind="model", name="dqn.qnetwork", config=config,
                           draw=draw, compute=compute, seed=seed, tol=TOL, loss="upstream", script=SCRIPT)


def update_case(fid, config, batch, seed, optimizer):
    def draw(s):
        torch.manual_seed(s)
        online = make_net(config)
        target = make_net(config)  # a lagging copy
        if config["network"] == "mlp":
            shape = [batch, config["in_channels"]]
            state, next_state = torch.randn(shape), torch.randn(shape)
        else:
            shape = [batch, config["in_channels"], 10, 10]
            state, next_state = (torch.rand(shape) < 0.3).float(), (torch.rand(shape) < 0.3).float()
        action = torch.randint(0, config["num_actions"], (batch,))
        reward = torch.randint(-1, 3, (batch,)).float()
        done = (torch.rand(batch) < 0.25).float()
        inputs = {"state": state, "action": action, "reward": reward, "next_state": next_state, "done": done}
        stored = {"input." + k: v for k, v in inputs.items()}
        stored.update(fixturelib.state(online))
        stored.update({"buffer.target." + k: p.detach().clone() for k, p in target.named_parameters()})
        return stored

    def compute(stored, dtype):
        online = fixturelib.bind(make_net(config), {k: v for k, v in stored.items()
                                                    if not k.startswith("buffer.target.")}, dtype).train()
        target = fixturelib.bind(make_net(config), stored, dtype, "target.").train()
        inp = fixturelib.leaves(stored)  # state, reward, next_state and done require grad
        params = dict(online.named_parameters())
        opt = fixturelib.make_optimizer(list(params.values()), optimizer)
        exp = {}
        for k in range(1, optimizer["steps"] + 1):
            opt.zero_grad()
            loss, q, y = td_loss(online, target, inp["state"], inp["action"], inp["reward"], inp["next_state"],
                                 inp["done"], config["gamma"], config["double"])
            exp[f"expect.step{k}.loss"] = loss.detach().clone()
            loss.backward()
            if k == 1:
                exp["expect.loss"] = loss.detach().clone()
                exp["expect.output.q"] = q.detach().clone()
                exp["expect.output.target"] = y.detach().clone()
                exp.update({"expect.grad.param." + n: p.grad.detach().clone() for n, p in params.items()})
                exp["expect.grad.input.state"] = inp["state"].grad.detach().clone()
                for n in NO_GRAD:
                    assert inp[n].grad is None, f"{fid}: a gradient reached {n}"
                    exp["expect.grad.input." + n] = torch.zeros_like(inp[n])
            opt.step()
        exp.update({"expect.final.param." + n: p.detach().clone() for n, p in params.items()})
        exp.update({"expect.final.buffer.target." + n: p.detach().clone() for n, p in target.named_parameters()})
        return exp

    return fixturelib.Case(path=OUT / f"{fid}.safetensors", kind="model", name="dqn.update", config=config,
                           draw=draw, compute=compute, seed=seed, tol=TOL, loss="self", optimizer=optimizer,
                           script=SCRIPT)


MINATAR_RMSPROP = {"type": "rmsprop", "lr": 0.00025, "alpha": 0.95, "eps": 0.01, "centered": True, "steps": 3}
CASES = [
    qnetwork_case("qnetwork_minatar", {"network": "minatar", "in_channels": 7, "num_actions": 6, "hidden": 100},
                  batch=5, seed=1, binary=True),
    qnetwork_case("qnetwork_nature", {"network": "nature", "in_channels": 4, "num_actions": 4, "hidden": 32,
                                      "input_size": 44}, batch=2, seed=2, binary=False),
    qnetwork_case("qnetwork_mlp", {"network": "mlp", "in_channels": 4, "num_actions": 2, "hidden": [120, 84]},
                  batch=5, seed=3, binary=False),
    update_case("update_minatar_rmsprop",
                {"network": "minatar", "in_channels": 4, "num_actions": 6, "hidden": 32, "gamma": 0.99, "double": False},
                batch=32, seed=4, optimizer=MINATAR_RMSPROP),
    update_case("update_minatar_double_adam",
                {"network": "minatar", "in_channels": 4, "num_actions": 3, "hidden": 16, "gamma": 0.99, "double": True},
                batch=17, seed=5, optimizer={"type": "adam", "lr": 0.001, "eps": 1e-8, "steps": 3}),
    update_case("update_mlp_rmsprop",
                {"network": "mlp", "in_channels": 4, "num_actions": 2, "hidden": [120, 84], "gamma": 0.99, "double": False},
                batch=32, seed=6, optimizer=MINATAR_RMSPROP),
]


def main():
    fixturelib.setup()
    root = fixturelib.repository_root()
    for case in CASES:
        print(fixturelib.write(case).line(root), flush=True)


if __name__ == "__main__":
    main()
