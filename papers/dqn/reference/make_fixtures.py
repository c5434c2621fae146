"""Writes the DQN model fixtures (workbench-fixture/1) into papers/dqn/fixtures/.

- qnetwork_*.safetensors (id dqn.qnetwork): forward and backward of each Q-network variant under
  an upstream gradient.
- update_*.safetensors (id dqn.update): three full DQN updates on one fixed replay batch: the
  online network (param.*) and a different target network (buffer.target.*), gather, Huber loss,
  then centered RMSprop (MinAtar's settings) or Adam. The target network must stay unchanged
  (expect.final.buffer.target.*) and no gradient may reach reward, next_state or done.

Sizes are reduced where the full network would make a file over 1 MB (the layer structure is
unchanged): MinAtar FC width 100 or 32 instead of 128, Nature input 44x44 with FC 32.
Run: python papers/dqn/reference/make_fixtures.py   (deterministic; torch seed per fixture)
"""
import json
import os

import torch
from safetensors.torch import save_file

from model import QNetwork, td_loss

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def meta(name, config, loss, optimizer=None, atol=1e-5, rtol=1e-4, grad_rtol=1e-3):
    m = {"format": "workbench-fixture/1", "kind": "model", "name": name, "config": json.dumps(config, sort_keys=True),
         "mode": "train", "loss": loss, "atol": str(atol), "rtol": str(rtol), "grad_rtol": str(grad_rtol),
         "generator": f"papers/dqn/reference/make_fixtures.py, torch {torch.__version__}"}
    if optimizer:
        m["optimizer"] = json.dumps(optimizer, sort_keys=True)
    return m


def net_kwargs(config):
    return {k: config[k] for k in ("hidden", "input_size") if k in config}


def write(fid, tensors, metadata):
    tensors = {k: v.detach().contiguous() for k, v in tensors.items()}
    path = os.path.join(OUT, fid + ".safetensors")
    save_file(tensors, path, metadata=metadata)
    size = os.path.getsize(path)
    assert size < 1_000_000, f"{path} is {size} bytes"
    print(f"{path}: {size} bytes")


def qnetwork_fixture(fid, config, batch, seed, binary):
    torch.manual_seed(seed)
    net = QNetwork(config["network"], config["in_channels"], config["num_actions"], **net_kwargs(config))
    shape = [batch, config["in_channels"]] + ([config.get("input_size", 10)] * 2 if config["network"] != "mlp" else [])
    if config["network"] == "nature":
        shape = [batch, config["in_channels"], config["input_size"], config["input_size"]]
    x = (torch.rand(shape) < 0.3).float() if binary else torch.randn(shape)
    x.requires_grad_(True)
    y = net(x)
    up = torch.randn_like(y)
    (y * up).sum().backward()
    t = {"input.x": x, "upstream.y": up, "expect.output.y": y, "expect.grad.input.x": x.grad}
    for name, p in net.named_parameters():
        t["param." + name] = p
        t["expect.grad.param." + name] = p.grad
    write(fid, t, meta("dqn.qnetwork", config, "upstream"))


def update_fixture(fid, config, batch, seed, optimizer):
    torch.manual_seed(seed)
    kw = net_kwargs(config)
    online = QNetwork(config["network"], config["in_channels"], config["num_actions"], **kw)
    target = QNetwork(config["network"], config["in_channels"], config["num_actions"], **kw)  # a lagging copy
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
    t = {"input." + k: v.clone() for k, v in inputs.items()}
    for name, p in online.named_parameters():
        t["param." + name] = p.detach().clone()
    for name, p in target.named_parameters():
        t["buffer.target." + name] = p.detach().clone()
        t["expect.final.buffer.target." + name] = p.detach().clone()
    for k in ("state", "reward", "next_state", "done"):
        inputs[k].requires_grad_(True)
    params = list(online.parameters())
    if optimizer["type"] == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=optimizer["lr"], alpha=optimizer["alpha"], eps=optimizer["eps"],
                                  centered=optimizer["centered"])
    else:
        opt = torch.optim.Adam(params, lr=optimizer["lr"], eps=optimizer["eps"])
    for k in range(1, optimizer["steps"] + 1):
        opt.zero_grad()
        loss, q, y = td_loss(online, target, inputs["state"], inputs["action"], inputs["reward"],
                             inputs["next_state"], inputs["done"], config["gamma"], config["double"])
        t[f"expect.step{k}.loss"] = loss.detach().clone()
        loss.backward()
        if k == 1:
            t["expect.loss"] = loss.detach().clone()
            t["expect.output.q"] = q.detach().clone()
            t["expect.output.target"] = y.detach().clone()
            for name, p in online.named_parameters():
                t["expect.grad.param." + name] = p.grad.clone()
            for name in ("state", "reward", "next_state", "done"):
                g = inputs[name].grad
                t["expect.grad.input." + name] = g.clone() if g is not None else torch.zeros_like(inputs[name])
        opt.step()
    for name, p in online.named_parameters():
        t["expect.final.param." + name] = p.detach().clone()
    write(fid, t, meta("dqn.update", config, "self", optimizer))


def main():
    os.makedirs(OUT, exist_ok=True)
    qnetwork_fixture("qnetwork_minatar", {"network": "minatar", "in_channels": 7, "num_actions": 6, "hidden": 100},
                     batch=5, seed=1, binary=True)
    qnetwork_fixture("qnetwork_nature", {"network": "nature", "in_channels": 4, "num_actions": 4, "hidden": 32, "input_size": 44},
                     batch=2, seed=2, binary=False)
    qnetwork_fixture("qnetwork_mlp", {"network": "mlp", "in_channels": 4, "num_actions": 2, "hidden": [120, 84]},
                     batch=5, seed=3, binary=False)
    minatar_rmsprop = {"type": "rmsprop", "lr": 0.00025, "alpha": 0.95, "eps": 0.01, "centered": True, "steps": 3}
    update_fixture("update_minatar_rmsprop",
                   {"network": "minatar", "in_channels": 4, "num_actions": 6, "hidden": 32, "gamma": 0.99, "double": False},
                   batch=32, seed=4, optimizer=minatar_rmsprop)
    update_fixture("update_minatar_double_adam",
                   {"network": "minatar", "in_channels": 4, "num_actions": 3, "hidden": 16, "gamma": 0.99, "double": True},
                   batch=17, seed=5, optimizer={"type": "adam", "lr": 0.001, "eps": 1e-8, "steps": 3})
    update_fixture("update_mlp_rmsprop",
                   {"network": "mlp", "in_channels": 4, "num_actions": 2, "hidden": [120, 84], "gamma": 0.99, "double": False},
                   batch=32, seed=6, optimizer=minatar_rmsprop)


if __name__ == "__main__":
    main()
