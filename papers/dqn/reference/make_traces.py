"""Writes environment trace fixtures for the Swift ports (papers/dqn/fixtures/traces/*.json).

Each trace runs the Python original (gymnasium CartPole-v1, the `minatar` package) through a
sequence of resets and actions and records, per operation, the observation, reward and
termination flags. Randomness is made replayable instead of disabled:
- MinAtar: the game's numpy RandomState is wrapped by a logger; every scalar draw (rand -> "u",
  randint -> "i") is stored with the operation that consumed it, so the Swift game replays the
  exact same draws (sticky actions stay on at the default probability 0.1).
- CartPole: reset draws from numpy's Generator, so the trace stores the float64 start state
  (hex floats, exact) and the Swift env starts from it.

Run: python papers/dqn/reference/make_traces.py   (needs gymnasium and minatar; deterministic)
"""
import copy
import json
import os

import numpy as np
import gymnasium as gym
import minatar
from minatar import Environment

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "traces")


class LoggedRandom:
    """Delegates to a numpy RandomState and records every scalar draw in order."""

    def __init__(self, seed):
        self.rs = np.random.RandomState(seed)
        self.log = []

    def rand(self, *size):
        v = self.rs.rand(*size)
        for x in np.atleast_1d(v).ravel():
            self.log.append("u" + float(x).hex())
        return v

    def randint(self, low, high=None, size=None):
        v = self.rs.randint(low, high, size)
        lo, hi = (0, low) if high is None else (low, high)
        for x in np.atleast_1d(v).ravel():
            self.log.append(f"i{lo},{hi},{int(x)}")
        return v

    def take(self):
        out, self.log = self.log, []
        return out


def pack(state):
    """Boolean [10, 10, C] state -> channel-first [C, 10, 10] bits, packed (numpy packbits) as hex."""
    chw = np.transpose(state, (2, 0, 1)).astype(np.uint8).ravel()
    return np.packbits(chw).tobytes().hex()


def minatar_trace(game, seed, steps, policy):
    env = Environment(game, sticky_action_prob=0.1, difficulty_ramping=True)
    rng = LoggedRandom(seed)
    env.random = rng
    env.env.random = rng
    policy_rng = np.random.RandomState(1000 + seed)
    ops = []
    env.reset()
    ops.append({"op": "reset", "draws": rng.take(), "obs": pack(env.state())})
    terminal_pokes = 0
    for _ in range(steps):
        a = int(policy(env, policy_rng))
        r, term = env.act(a)
        ops.append({"op": "act", "a": a, "draws": rng.take(), "obs": pack(env.state()),
                    "r": float(r), "terminal": bool(term)})
        if term:
            if terminal_pokes < 2:   # acting after terminal: (0, True), state unchanged, sticky draw still taken
                terminal_pokes += 1
                a = int(policy_rng.randint(6))
                r, term = env.act(a)
                ops.append({"op": "act", "a": a, "draws": rng.take(), "obs": pack(env.state()),
                            "r": float(r), "terminal": bool(term)})
            env.reset()
            ops.append({"op": "reset", "draws": rng.take(), "obs": pack(env.state())})
    return {"game": game, "sticky_action_prob": 0.1, "difficulty_ramping": True, "seed": seed,
            "channels": int(env.state_shape()[2]),
            "generator": f"make_traces.py, minatar {getattr(minatar, '__version__', '1.0.15')}, numpy {np.__version__}",
            "ops": ops}


def random_policy(env, rng):
    return rng.randint(6)


def breakout_policy(env, rng):
    # Mostly tracking the ball (long rallies, brick refills), sometimes uniform random.
    if rng.rand() < 0.02:
        return rng.randint(6)
    e = env.env
    target = e.ball_x + (1 if e.ball_dir in (1, 2) else -1)
    return 1 if target < e.pos else (3 if target > e.pos else 0)


def lookahead_policy(env, rng):
    """Survives long enough to reach the difficulty ramps: tries each action on a copy of the game
    (copies draw from copied generators, so the recorded run is unaffected) for a few frames and
    prefers ones that neither die nor miss rewards; 10% uniform random actions."""
    if rng.rand() < 0.1:
        return rng.randint(6)
    e = env.env
    if env.env_name == "seaquest" and e.diver_count > 0 and e.oxygen < 70:
        return 2   # go up and surface (exercises the surfacing ramp)
    scores = []
    for a in range(6):
        total = 0.0
        for _ in range(2):
            sim = copy.deepcopy(env)
            r, term = sim.act(a)
            score = r - (100 if term else 0)
            for _ in range(4):
                if term:
                    break
                r, term = sim.act(int(rng.randint(6)))
                score += 0.5 * r - (50 if term else 0)
            total += score
        scores.append(total + 0.01 * rng.rand())
    return int(np.argmax(scores))


def up_policy(env, rng):
    return 2 if rng.rand() < 0.7 else rng.randint(6)


def cartpole_trace(seed, episodes):
    env = gym.make("CartPole-v1")
    rng = np.random.RandomState(seed)
    eps = []
    for e in range(episodes):
        obs, _ = env.reset(seed=seed + e)
        state = [float(v).hex() for v in env.unwrapped.state]
        steps = []
        controlled = e % 2 == 0   # even episodes: a balancing controller that reaches truncation
        while True:
            x, xd, th, thd = env.unwrapped.state
            if controlled and rng.rand() > 0.1:
                a = int(th + 0.3 * thd + 0.01 * x + 0.05 * xd > 0)
            else:
                a = int(rng.randint(2))
            obs, r, term, trunc, _ = env.step(a)
            steps.append({"a": a, "obs": [float(v) for v in obs], "state": [float(v).hex() for v in env.unwrapped.state],
                          "r": float(r), "terminated": bool(term), "truncated": bool(trunc)})
            if term or trunc:
                break
        eps.append({"start_state": state, "steps": steps})
    return {"env": "CartPole-v1", "seed": seed, "generator": f"make_traces.py, gymnasium {gym.__version__}, numpy {np.__version__}",
            "episodes": eps}


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    write("cartpole.json", cartpole_trace(seed=3, episodes=4))
    write("breakout.json", minatar_trace("breakout", 11, 1500, breakout_policy))
    write("asterix.json", minatar_trace("asterix", 12, 1500, lookahead_policy))
    write("freeway.json", minatar_trace("freeway", 13, 2600, up_policy))
    write("seaquest.json", minatar_trace("seaquest", 14, 1200, lookahead_policy))
    write("space_invaders.json", minatar_trace("space_invaders", 15, 1500, lookahead_policy))


if __name__ == "__main__":
    main()
