// The DQN loss: Huber loss between Q(s, a) and the bootstrapped target from the target network.
import WorkbenchCore

public enum TDLoss {
    /// Returns the mean Huber (smooth L1, δ = 1) loss, Q(s, a) [B] and the targets [B].
    /// target = r + γ (1 − done) max_a' Q_target(s', a'), computed without gradient; with `double`
    /// (van Hasselt et al. 2016) the next action is the online network's argmax instead.
    /// states, nextStates: [B, *inputShape]; actions [B]; rewards, dones [B].
    public static func compute(online: (Tensor) -> Tensor, target: (Tensor) -> Tensor,
                               states: Tensor, actions: IndexTensor, rewards: Tensor,
                               nextStates: Tensor, dones: Tensor, gamma: Float,
                               double: Bool) -> (loss: Tensor, q: Tensor, target: Tensor) {
        let b = states.shape[0]
        precondition(actions.shape == [b] && rewards.shape == [b] && dones.shape == [b] && nextStates.shape == states.shape,
                     "TDLoss: states \(states.shape), actions \(actions.shape), rewards \(rewards.shape), next \(nextStates.shape), dones \(dones.shape)")
        let y: Tensor = withNoGrad {
            let qNext = target(nextStates)                      // [B, A]
            let a = qNext.shape[1]
            var bootstrap = [Float](repeating: 0, count: b)
            if double {
                let choice = online(nextStates).argmax(dim: 1)  // [B]
                for i in 0..<b { bootstrap[i] = qNext.data[i * a + choice.data[i]] }
            } else {
                let best = qNext.max(dim: 1).values
                for i in 0..<b { bootstrap[i] = best.data[i] }
            }
            var y = [Float](repeating: 0, count: b)
            for i in 0..<b { y[i] = rewards.data[i] + gamma * (1 - dones.data[i]) * bootstrap[i] }
            return Tensor(shape: [b], data: y)
        }
        let q = online(states)                                  // [B, A]
        let qTaken = q.gather(1, IndexTensor(shape: [b, 1], data: actions.data)).reshape([b])
        return (F.smoothL1Loss(qTaken, target: y), qTaken, y)
    }
}
