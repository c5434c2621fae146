"""Time to accuracy: one epoch of the GoogLeNet Fashion-MNIST reference recipe, in Swift and in a
PyTorch peer, one after the other on the same machine.

The Swift side is `workbench run inception --preset fashion --epochs 1`. The peer reads that run's
config.json and trains the same network (papers/inception/reference/model.py) with the same recipe:
zero-pad-2 random crop and horizontal flip, then normalisation; batch 128, shuffled, last partial
batch dropped; SGD with momentum and weight decay on every parameter; the ×0.96 staircase decay
spread over the run; evaluation on the 10,000 test images in eval mode. Both sides use 2 threads.

Printed and written as JSON (runs/bench-experiment-<time>.json): seconds of training, of
evaluation and their sum per side, the ratio ours / PyTorch, and each side's test accuracy after
the epoch. The accuracies differ by the runs' random streams, not by the recipe.

Usage: python Benchmarks/experiment.py [--data-dir DIR] [--seed N] [--out FILE]
Needs the release build of workbench and the .venv with PyTorch (`make bench-experiment` does both).
"""
import argparse
import datetime
import glob
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKBENCH = os.path.join(ROOT, ".build", "release", "workbench")
sys.path.insert(0, os.path.join(ROOT, "papers", "inception", "reference"))
from model import GoogLeNet, GoogLeNetConfig  # noqa: E402

MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training-set statistics, as in the Swift loader


def data_directory(arg):
    """--data-dir, else $WORKBENCH_DATA (the files' directory or a parent of fashion-mnist/), else Debian's."""
    for d in ([arg] if arg else []) + ([os.environ["WORKBENCH_DATA"]] if os.environ.get("WORKBENCH_DATA") else []):
        for candidate in (d, os.path.join(d, "fashion-mnist")):
            if os.path.exists(os.path.join(candidate, "train-images-idx3-ubyte.gz")):
                return candidate
        sys.exit(f"error: no Fashion-MNIST IDX files in {d}")
    return "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """An IDX.gz file as a uint8 array of its declared shape."""
    try:
        with gzip.open(path) as f:
            data = f.read()
    except OSError as e:
        sys.exit(f"error: cannot read {path}: {e} (install it with `sudo apt-get install dataset-fashion-mnist`)")
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def load(directory, split):
    images = read_idx(os.path.join(directory, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(directory, f"{split}-labels-idx1-ubyte.gz"))
    return torch.from_numpy(images.astype(np.float32) / 255).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def swift_side(data_dir, seed, scratch):
    """Runs the Swift epoch; returns (seconds of training, of evaluation, test accuracy, its config)."""
    command = [WORKBENCH, "run", "inception", "--preset", "fashion", "--epochs", "1", "--seed", str(seed),
               "--out", scratch, "--data-dir", data_dir]
    print("Swift:", " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in command), flush=True)
    out = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if out.returncode != 0:
        sys.exit(f"workbench run failed:\n{out.stdout}")
    (run_dir,) = glob.glob(os.path.join(scratch, "inception-fashion-*"))
    with open(os.path.join(run_dir, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        epoch = [r for r in map(json.loads, f) if "epoch" in r][-1]
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    train_seconds = epoch["ms_per_step"] * summary["steps"] / 1000
    return train_seconds, summary["time_evaluation_s"], epoch["test_accuracy"], config


def augment(x, padding, flip, generator):
    """[N, 1, H, W] in [0, 1]: a random H x W crop of the zero-padded images, a random horizontal flip
    of each, then normalisation."""
    n, _, h, w = x.shape
    if padding:
        padded = F.pad(x, (padding, padding, padding, padding))
        dy = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
        dx = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
        rows = (dy[:, None] + torch.arange(h))[:, None, :, None].expand(n, 1, h, w + 2 * padding)
        x = padded.gather(2, rows)
        cols = (dx[:, None] + torch.arange(w))[:, None, None, :].expand(n, 1, h, w)
        x = x.gather(3, cols)
    if flip:
        flipped = torch.rand(n, generator=generator) < 0.5
        x = torch.where(flipped[:, None, None, None], x.flip(3), x)
    return (x - MEAN) / STD


def peer_side(config, data_dir, seed):
    """One epoch of the same recipe in PyTorch; returns (seconds of training, of evaluation, test accuracy)."""
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    hp = config["hyperparameters"]
    train_x, train_y = load(data_dir, "train")
    test_x, test_y = load(data_dir, "t10k")
    model = GoogLeNet(GoogLeNetConfig.from_dict(hp["model"]))
    optimizer = torch.optim.SGD(model.parameters(), lr=hp["learning_rate"], momentum=hp["momentum"],
                                weight_decay=hp["weight_decay"])
    batch, steps = hp["batch_size"], len(train_x) // hp["batch_size"]
    interval = max(1, steps // max(hp["decay_steps"], 1))
    aug = hp["augmentation"]
    generator = torch.Generator().manual_seed(seed)
    print(f"PyTorch {torch.__version__}: the same network and recipe, {steps} steps", flush=True)

    start = time.perf_counter()
    model.train()
    order = torch.randperm(len(train_x), generator=generator)
    for step in range(steps):
        index = order[step * batch:(step + 1) * batch]
        x = augment(train_x[index], aug["random_crop_padding"], aug["horizontal_flip"], generator)
        for group in optimizer.param_groups:
            group["lr"] = hp["learning_rate"] * hp["decay_factor"] ** min(step // interval, hp["decay_steps"])
        optimizer.zero_grad()
        loss = model.loss(model(x), train_y[index])
        loss.backward()
        optimizer.step()
    train_seconds = time.perf_counter() - start

    start = time.perf_counter()
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in zip(test_x.split(hp["eval_batch_size"]), test_y.split(hp["eval_batch_size"])):
            logits, _, _ = model((x - MEAN) / STD)
            correct += (logits.argmax(1) == y).sum().item()
    return train_seconds, time.perf_counter() - start, correct / len(test_x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", help="directory of the Fashion-MNIST IDX.gz files")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=os.path.join(ROOT, "runs", "bench-experiment-%s.json" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S")))
    args = p.parse_args()
    if not os.path.exists(WORKBENCH):
        sys.exit(f"error: {WORKBENCH} is missing; build it with `swift build -c release --product workbench`")
    data_dir = data_directory(args.data_dir)
    scratch = os.path.join(ROOT, "runs", "bench-experiment-scratch-%d" % os.getpid())
    os.makedirs(scratch)
    try:
        ours_train, ours_eval, ours_accuracy, config = swift_side(data_dir, args.seed, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    peer_train, peer_eval, peer_accuracy = peer_side(config, data_dir, args.seed)

    rows = [("train", ours_train, peer_train), ("evaluation", ours_eval, peer_eval),
            ("epoch", ours_train + ours_eval, peer_train + peer_eval)]
    machine = config["run"]["machine"]
    print(f"\nOne epoch of GoogLeNet on Fashion-MNIST ({machine['cpu']}; OpenBLAS {machine['blas_core']}; {machine['conv_backend']})")
    print(f"{'':12}{'ours s':>10}{'PyTorch s':>11}{'ratio':>8}")
    for name, ours, peer in rows:
        print(f"{name:12}{ours:10.1f}{peer:11.1f}{ours / peer:8.2f}")
    print(f"test accuracy after the epoch: ours {ours_accuracy:.4f}, PyTorch {peer_accuracy:.4f}")

    table = {"date": datetime.date.today().isoformat(), "cpu": machine["cpu"], "blas_core": machine["blas_core"],
             "conv_backend": machine["conv_backend"], "torch": torch.__version__, "python": platform.python_version(),
             "rows": [{"phase": n, "ours_s": round(o, 2), "peer_s": round(q, 2), "ratio": round(o / q, 3)} for n, o, q in rows],
             "test_accuracy": {"ours": ours_accuracy, "peer": peer_accuracy}}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(table, f, indent=1)
    print("wrote", os.path.relpath(args.out, ROOT))


if __name__ == "__main__":
    main()
