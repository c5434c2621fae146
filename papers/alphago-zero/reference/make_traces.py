"""Writes papers/alphago-zero/fixtures/traces/mcts.json: visit counts of an independent PUCT search.

The search is written here from the paper's equations (Silver et al. 2017, Methods, "Search
algorithm"), recursively, on a plain 7x6 array board, so that it shares no code with the Swift
one (Sources/AlphaGoZero/MCTS.swift, iterative, on bitboards):
  select    a = argmax Q(s,a) + c_puct P(s,a) sqrt(N(s)) / (1 + N(s,a)), Q = W/N (0 unvisited),
            N(s) the node's visits including its expansion; the first move in order among equals
  expand    a leaf with the network's (p, v): p renormalised over the legal moves; no rollout
  backup    v negated at every level (each node's values are for its player to move)
  terminal  a finished game's leaf is worth -1 (the player to move has lost) or 0 (draw)
  root      expanded first, then P = (1 - eps) p + eps eta over the legal moves, then N simulations.
The network is a stub both sides compute in float64: logits = W x, v = tanh(u . x + b) on the
3-plane encoding x (the mover's stones, the opponent's, 1s if the first player is to move; row 0
at the top), p = softmax(logits) over all 7 moves. eta is drawn here (numpy Dirichlet) and stored.

A case is kept only if at every selection the best score beats the second by more than 1e-9
(relative), so a last-bit difference in exp/tanh cannot change a visit count.

Run: python3 papers/alphago-zero/reference/make_traces.py   (plain Python 3 and numpy; deterministic)
"""
import json
import math
import os

import numpy as np

W, H = 7, 6
OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "traces", "mcts.json")


class Board:
    def __init__(self, moves=""):
        self.cols = [[] for _ in range(W)]  # bottom first; 1 first player, 2 second
        self.n = 0
        self.won = False
        for ch in moves:
            assert not self.terminal() and self.legal(int(ch) - 1), moves
            self.play(int(ch) - 1)

    def copy(self):
        b = Board()
        b.cols, b.n, b.won = [c[:] for c in self.cols], self.n, self.won
        return b

    def legal(self, a):
        return len(self.cols[a]) < H

    def to_move(self):
        return 1 + self.n % 2

    def play(self, a):
        p = self.to_move()
        self.cols[a].append(p)
        self.n += 1
        self.won = self.four(p)

    def at(self, c, r):
        return self.cols[c][r] if r < len(self.cols[c]) else 0

    def four(self, p):
        for c in range(W):
            for r in range(H):
                for dc, dr in ((1, 0), (0, 1), (1, 1), (1, -1)):
                    if all(0 <= c + k * dc < W and 0 <= r + k * dr < H and self.at(c + k * dc, r + k * dr) == p
                           for k in range(4)):
                        return True
        return False

    def terminal(self):
        return self.won or self.n == W * H

    def outcome_value(self):  # for the player to move
        return -1.0 if self.won else 0.0

    def encode(self):
        me, other = self.to_move(), 3 - self.to_move()
        x = []
        for plane in range(3):
            for row in range(H):
                for c in range(W):
                    owner = self.at(c, H - 1 - row)
                    x.append(1.0 if (plane == 0 and owner == me) or (plane == 1 and owner == other)
                             or (plane == 2 and self.n % 2 == 0) else 0.0)
        return x


class Stub:
    def __init__(self, rng):
        self.w = [[float(v) for v in rng.normal(0, 0.3, 3 * W * H)] for _ in range(W)]
        self.u = [float(v) for v in rng.normal(0, 0.1, 3 * W * H)]
        self.b = float(rng.normal(0, 0.1))

    def __call__(self, board):
        x = board.encode()
        logits = []
        for a in range(W):
            t = 0.0
            for wi, xi in zip(self.w[a], x):
                t += wi * xi
            logits.append(t)
        m = max(logits)
        e = [math.exp(v - m) for v in logits]
        s = 0.0
        for v in e:
            s += v
        t = 0.0
        for ui, xi in zip(self.u, x):
            t += ui * xi
        t += self.b
        return [v / s for v in e], math.tanh(t)


class Node:
    def __init__(self, board):
        self.board, self.visits, self.expanded = board, 0, False
        self.P, self.N, self.W, self.children = {}, {}, {}, {}


class Search:
    def __init__(self, net, c_puct):
        self.net, self.c = net, c_puct
        self.margin = math.inf  # the smallest relative gap between the best and second-best score
        self.root_value = None

    def expand(self, node):
        p, v = self.net(node.board)
        legal = [a for a in range(W) if node.board.legal(a)]
        total = 0.0
        for a in legal:
            total += p[a]
        for a in legal:
            node.P[a], node.N[a], node.W[a] = p[a] / total, 0, 0.0
        node.expanded = True
        return v

    def select(self, node):
        scores = []
        for a in sorted(node.P):
            q = node.W[a] / node.N[a] if node.N[a] > 0 else 0.0
            scores.append((q + self.c * math.sqrt(node.visits) * node.P[a] / (1 + node.N[a]), a))
        best = max(scores, key=lambda s: s[0])  # max returns the first of equal scores
        if len(scores) > 1:
            second = sorted((s[0] for s in scores), reverse=True)[1]
            self.margin = min(self.margin, (best[0] - second) / max(1.0, abs(best[0])))
        return best[1]

    def simulate(self, node):
        """One simulation below `node`; returns the value for node's player to move."""
        if node.board.terminal():
            v = node.board.outcome_value()
        elif not node.expanded:
            v = self.expand(node)
        else:
            a = self.select(node)
            if a not in node.children:
                child = node.board.copy()
                child.play(a)
                node.children[a] = Node(child)
            v = -self.simulate(node.children[a])
            node.W[a] += v
            node.N[a] += 1
        node.visits += 1
        return v

    def run(self, board, simulations, eps, eta):
        root = Node(board)
        self.root_value = self.simulate(root)
        if eps > 0:
            for i, a in enumerate(sorted(root.P)):
                root.P[a] = (1 - eps) * root.P[a] + eps * eta[i]
        for _ in range(simulations):
            self.simulate(root)
        t = 0.0
        for a in range(W):
            t += root.W.get(a, 0.0)
        return [root.N.get(a, 0) for a in range(W)], (t + self.root_value) / root.visits


def main():
    rng = np.random.default_rng(2017)
    stub = Stub(rng)
    specs = [  # moves, simulations, c_puct, eps, alpha; cases sharing settings are also searched as a batch
        ("", 200, 1.5, 0.0, 1.0), ("12121", 200, 1.5, 0.0, 1.0), ("1234567", 200, 1.5, 0.0, 1.0),
        ("", 200, 1.5, 0.25, 1.0), ("121212", 200, 1.5, 0.25, 1.0), ("44444433333", 200, 1.5, 0.25, 1.0),
        ("126613431456475467333341527215", 200, 1.5, 0.25, 1.0),
        ("4", 400, 1.0, 0.25, 1.0), ("4453", 300, 4.0, 0.0, 1.0), ("3747", 200, 2.0, 0.25, 0.5),
        ("44553", 800, 1.25, 0.25, 1.0), ("7777776666665555553", 250, 3.0, 0.25, 2.0),
    ]
    cases = []
    for moves, sims, c, eps, alpha in specs:
        board = Board(moves)
        legal = [a for a in range(W) if board.legal(a)]
        eta = [float(v) for v in rng.dirichlet([alpha] * len(legal))] if eps > 0 else None
        search = Search(stub, c)
        visits, root_value = search.run(board, sims, eps, eta)
        assert sum(visits) == sims
        assert search.margin > 1e-9, f"{moves}: a near tie ({search.margin:.3g}); change the stub's seed"
        cases.append({"moves": moves, "simulations": sims, "c_puct": c, "noise_fraction": eps,
                      "noise": None if eta is None else [v.hex() for v in eta],
                      "visits": visits, "root_value": root_value.hex(), "margin": search.margin})
        print(f"{moves or '(start)':32s} sims {sims:4d}  visits {visits}  value {root_value:+.4f}  margin {search.margin:.2g}")
    trace = {"format": "alphago-zero-mcts-trace/1", "script": "papers/alphago-zero/reference/make_traces.py",
             "stub": {"policy_weight": [[v.hex() for v in row] for row in stub.w], "value_weight": [v.hex() for v in stub.u],
                      "value_bias": stub.b.hex()},
             "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(trace, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
