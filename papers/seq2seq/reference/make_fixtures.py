# Writes the seq2seq model fixtures (workbench-fixture/1) from reference/model.py with PyTorch.
"""Run from the repository root:  .venv/bin/python papers/seq2seq/reference/make_fixtures.py

Writes papers/seq2seq/fixtures/*.safetensors (model id `seq2seq.model`):
  sutskever_sgd     2-layer LSTM encoder-decoder, reversed source, padded batch, cross-entropy
                    with ignore_index 0, gradients, 3 SGD steps (lr 0.7, clip-grad-norm 5)
  attention_adam    bidirectional encoder + additive attention, gradients, 3 Adam steps (clip 1)
  beam_sutskever    eval mode, PyTorch default init, beam search width 3 (length alpha 0.6)
  beam_attention    the same for the attention model
Output `y` is the logits reshaped to [B*T, V]; `beam` is the best hypothesis of each source row,
[B, max_len], padded with 0, as floats. Deterministic (fixed seeds, one thread).
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import Seq2Seq, PAD, SOS, EOS  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "fixtures"
DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


def save(path, tensors, metadata):
    header = {"__metadata__": {k: metadata[k] for k in sorted(metadata)}}
    blobs, offset = [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous()
        name, np_dtype = DTYPES[t.dtype]
        data = np.ascontiguousarray(t.numpy().astype(np_dtype)).tobytes()
        header[key] = {"dtype": name, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    assert path.stat().st_size < 1_000_000


def batch(g, B, S, T, src_vocab, tgt_vocab):
    """Right-padded source and target with distinct lengths; tgt_in starts with <sos>, target
    is tgt_in shifted left with <eos> at each row's end; padding is 0 everywhere."""
    src = torch.zeros(B, S, dtype=torch.int64)
    tgt_in = torch.zeros(B, T, dtype=torch.int64)
    target = torch.zeros(B, T, dtype=torch.int64)
    src_lens = [S, S - 2, S - 1][:B]
    tgt_lens = [T - 2, T - 1, T - 3][:B]
    for b in range(B):
        src[b, :src_lens[b]] = torch.randint(3, src_vocab, (src_lens[b],), generator=g)
        words = torch.randint(3, tgt_vocab, (tgt_lens[b],), generator=g)
        tgt_in[b, 0] = SOS
        tgt_in[b, 1:tgt_lens[b] + 1] = words
        target[b, :tgt_lens[b]] = words
        target[b, tgt_lens[b]] = EOS
    return src, tgt_in, target


def write(fid, cfg, optimizer=None, beam=None, seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed + 100)
    model_cfg = {k: cfg[k] for k in ("src_vocab", "tgt_vocab", "embed", "hidden", "num_layers",
                                     "attention", "reverse_source")}
    m = Seq2Seq(**model_cfg, init_range=None if beam else 0.08)
    B, S, T = 3, 7, 6
    src, tgt_in, target = batch(g, B, S, T, cfg["src_vocab"], cfg["tgt_vocab"])
    if beam:
        # Fit the batch for a while so that decoding is not degenerate (rows differ, <eos> occurs).
        opt = torch.optim.Adam(m.parameters(), lr=0.03)
        for _ in range(beam["pretrain_steps"]):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(m(src, tgt_in).reshape(B * T, -1), target.reshape(-1),
                                              ignore_index=PAD).backward()
            opt.step()
        m.zero_grad(set_to_none=True)
    params0 = {k: v.detach().clone() for k, v in m.named_parameters()}
    loss_fn = lambda logits: torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=PAD)
    m.train(beam is None)
    logits = m(src, tgt_in)
    loss = loss_fn(logits)
    loss.backward()
    tensors = {f"param.{k}": v for k, v in params0.items()}
    tensors.update({"input.src": src, "input.tgt": tgt_in, "input.target": target.reshape(-1),
                    "expect.output.y": logits.detach().reshape(B * T, -1), "expect.loss": loss.detach()})
    tensors.update({f"expect.grad.param.{k}": p.grad.clone() for k, p in m.named_parameters()})
    meta = {"format": "workbench-fixture/1", "kind": "model", "name": "seq2seq.model",
            "mode": "eval" if beam else "train", "loss": "cross_entropy",
            "loss_config": json.dumps({"ignore_index": PAD}),
            "atol": "2e-5", "rtol": "1e-4", "grad_rtol": "1e-3",
            "generator": f"torch {torch.__version__}, seed {seed}, papers/seq2seq/reference/make_fixtures.py"}
    config = dict(model_cfg)
    if beam:
        config.update({k: v for k, v in beam.items() if k != "pretrain_steps"})
        rows = []
        for b in range(B):
            n = int((src[b] != PAD).sum())
            hyp = m.beam_search(src[b:b + 1, :n], beam["beam_width"], beam["max_len"], beam["length_alpha"])
            rows.append(hyp + [PAD] * (beam["max_len"] - len(hyp)))
        tensors["expect.output.beam"] = torch.tensor(rows, dtype=torch.float32)
        print(fid, "beam:", rows)
    meta["config"] = json.dumps(config, sort_keys=True)
    if optimizer:
        meta["optimizer"] = json.dumps(optimizer, sort_keys=True)
        opt_args = {k: v for k, v in optimizer.items() if k not in ("type", "steps", "clip_grad_norm")}
        opt = (torch.optim.SGD if optimizer["type"] == "sgd" else torch.optim.Adam)(m.parameters(), **opt_args)
        for k in range(1, optimizer["steps"] + 1):
            opt.zero_grad()
            l = loss_fn(m(src, tgt_in))
            tensors[f"expect.step{k}.loss"] = l.detach()
            l.backward()
            torch.nn.utils.clip_grad_norm_(list(m.parameters()), optimizer["clip_grad_norm"])
            opt.step()
        tensors.update({f"expect.final.param.{k}": v.detach().clone() for k, v in m.named_parameters()})
    path = OUT / f"{fid}.safetensors"
    save(path, tensors, meta)
    print(f"wrote {path} ({path.stat().st_size} bytes), loss {loss.item():.6f}")


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    base = {"src_vocab": 11, "tgt_vocab": 13, "embed": 5, "hidden": 6}
    sut = dict(base, num_layers=2, attention=False, reverse_source=True)
    att = dict(base, num_layers=2, attention=True, reverse_source=False)
    write("sutskever_sgd", sut, optimizer={"type": "sgd", "lr": 0.7, "clip_grad_norm": 5.0, "steps": 3}, seed=1)
    write("attention_adam", att, optimizer={"type": "adam", "lr": 0.01, "clip_grad_norm": 1.0, "steps": 3}, seed=2)
    beam = {"beam_width": 3, "max_len": 7, "length_alpha": 0.6, "pretrain_steps": 40}
    write("beam_sutskever", sut, beam=beam, seed=3)
    write("beam_attention", att, beam=beam, seed=4)


if __name__ == "__main__":
    main()
