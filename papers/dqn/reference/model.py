"""PyTorch reference for the DQN Q-networks and the DQN update (Mnih et al. 2015; MinAtar's dqn.py).

QNetwork names its layers `net.<i>` (an nn.Sequential), the names the Swift QNetwork uses.
- minatar: Conv2d(C, 16, 3, stride 1) - ReLU - Flatten - Linear(16*8*8, hidden=128) - ReLU - Linear(A)
  (kenjyoung/MinAtar examples/dqn.py)
- nature:  Conv2d(4, 32, 8, 4) - ReLU - Conv2d(32, 64, 4, 2) - ReLU - Conv2d(64, 64, 3, 1) - ReLU - Flatten
           - Linear(3136, hidden=512) - ReLU - Linear(A) for 84x84 inputs (Nature 2015, Methods)
- mlp:     Linear(F, h1) - ReLU - ... - Linear(A)  (CleanRL's CartPole network: h = [120, 84])
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class QNetwork(nn.Module):
    def __init__(self, network, in_channels, num_actions, hidden=None, input_size=None):
        super().__init__()
        if network == "minatar":
            hidden = hidden or 128
            size = (input_size or 10) - 2
            layers = [nn.Conv2d(in_channels, 16, 3, 1), nn.ReLU(), nn.Flatten(),
                      nn.Linear(16 * size * size, hidden), nn.ReLU(), nn.Linear(hidden, num_actions)]
        elif network == "nature":
            hidden = hidden or 512
            size = input_size or 84
            size = (size - 8) // 4 + 1
            size = (size - 4) // 2 + 1
            size = size - 2
            layers = [nn.Conv2d(in_channels, 32, 8, 4), nn.ReLU(), nn.Conv2d(32, 64, 4, 2), nn.ReLU(),
                      nn.Conv2d(64, 64, 3, 1), nn.ReLU(), nn.Flatten(),
                      nn.Linear(64 * size * size, hidden), nn.ReLU(), nn.Linear(hidden, num_actions)]
        elif network == "mlp":
            widths = [in_channels] + list(hidden or [120, 84])
            layers = []
            for a, b in zip(widths[:-1], widths[1:]):
                layers += [nn.Linear(a, b), nn.ReLU()]
            layers.append(nn.Linear(widths[-1], num_actions))
        else:
            raise ValueError(network)
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def td_loss(online, target, state, action, reward, next_state, done, gamma=0.99, double=False):
    """MinAtar dqn.py's loss: smooth_l1(Q(s, a), r + gamma (1 - done) max_a' Q_target(s', a')),
    the target under no_grad; `double` picks a' with the online network (Double DQN)."""
    with torch.no_grad():
        q_next = target(next_state)
        if double:
            best = online(next_state).argmax(1, keepdim=True)
            bootstrap = q_next.gather(1, best).squeeze(1)
        else:
            bootstrap = q_next.max(1)[0]
        y = reward + gamma * (1 - done) * bootstrap
    q = online(state).gather(1, action.unsqueeze(1)).squeeze(1)
    return F.smooth_l1_loss(q, y), q, y
