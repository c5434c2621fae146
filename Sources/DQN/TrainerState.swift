// What a resumed DQN run needs besides networks and optimizer: the replay memory, the counters, the
// training returns and the current episode as a replayable record, in one safetensors file.
import WorkbenchCore
import WorkbenchRun

extension ReplayBuffer {
    /// Writes the stored transitions (states as U8 for binary observations, else F32) under `prefix`.
    func save(into file: inout SafeTensorsFile, prefix: String) {
        let n = count * observationCount
        if binary {
            file.set(prefix + "states", SafeTensorsTensor(dtype: .U8, shape: [count, observationCount], bytes: Array(byteStates[..<n])))
            file.set(prefix + "next_states", SafeTensorsTensor(dtype: .U8, shape: [count, observationCount], bytes: Array(byteNext[..<n])))
        } else {
            file.set(prefix + "states", Tensor(shape: [count, observationCount], data: Array(floatStates[..<n])))
            file.set(prefix + "next_states", Tensor(shape: [count, observationCount], data: Array(floatNext[..<n])))
        }
        file.set(prefix + "actions", IndexTensor(shape: [count], data: Array(actions[..<count])))
        file.set(prefix + "rewards", Tensor(shape: [count], data: Array(rewards[..<count])))
        file.set(prefix + "dones", Tensor(shape: [count], data: Array(dones[..<count])))
        file.metadata[prefix + "position"] = String(position)
    }

    /// Restores what `save` wrote; throws (naming the file) if it does not fit this buffer.
    func restore(from file: SafeTensorsFile, prefix: String, source: String) throws {
        func fail(_ why: String) -> RunError { RunError.invalid("\(source): replay memory \(why)") }
        guard let states = file[prefix + "states"], let next = file[prefix + "next_states"],
              let position = file.metadata[prefix + "position"].flatMap({ Int($0) }) else { throw fail("missing") }
        let stored = states.shape.first ?? 0
        guard states.shape == [stored, observationCount], next.shape == states.shape, stored <= capacity,
              position >= 0, position < capacity, stored == capacity || position == stored % capacity,
              states.dtype == (binary ? .U8 : .F32), next.dtype == states.dtype else {
            throw fail("has shape \(states.shape) \(states.dtype.rawValue) and position \(position); this run needs [≤\(capacity), \(observationCount)]")
        }
        let a = try file.indexTensor(prefix + "actions"), r = try file.tensor(prefix + "rewards"), d = try file.tensor(prefix + "dones")
        guard a.shape == [stored], r.shape == [stored], d.shape == [stored] else { throw fail("arrays disagree in length") }
        let n = stored * observationCount
        if binary {
            byteStates.replaceSubrange(0..<n, with: states.bytes)
            byteNext.replaceSubrange(0..<n, with: next.bytes)
        } else {
            floatStates.replaceSubrange(0..<n, with: try file.tensor(prefix + "states").data)
            floatNext.replaceSubrange(0..<n, with: try file.tensor(prefix + "next_states").data)
        }
        actions.replaceSubrange(0..<stored, with: a.data)
        rewards.replaceSubrange(0..<stored, with: r.data)
        dones.replaceSubrange(0..<stored, with: d.data)
        self.position = position
        count = stored
    }
}

extension DQNTrainer {
    /// Writes checkpoints' companion file (atomically): replay memory, frame counter, training
    /// returns, and the current episode as (random state and inherited state before its reset,
    /// actions since), from which `restoreState` rebuilds the environment exactly.
    public func saveState(to path: String) throws {
        var file = SafeTensorsFile()
        agent.replay.save(into: &file, prefix: "replay.")
        file.set("episode_returns", Tensor(shape: [episodeReturns.count], data: episodeReturns.map { Float($0) }))
        file.set("episode_actions", IndexTensor(shape: [episodeActions.count], data: episodeActions))
        file.metadata["frame"] = String(frame)
        file.metadata["episode_random"] = episodeStart.random.serialized
        file.metadata["episode_inherited"] = String(episodeStart.inherited)
        try file.write(to: path)
    }

    /// Restores what `saveState` wrote into a freshly made trainer of the same preset and seed:
    /// the environment is reset from the recorded random state and the episode's actions are
    /// replayed, so the run continues exactly as if it had never stopped.
    public func restoreState(from path: String) throws {
        let file = try SafeTensorsFile(contentsOf: path)
        guard let frame = file.metadata["frame"].flatMap({ Int($0) }),
              let random = file.metadata["episode_random"].flatMap({ Generator(serialized: $0) }),
              let inherited = file.metadata["episode_inherited"].flatMap({ Int($0) }) else {
            throw RunError.invalid("\(path) is not a DQN trainer state (frame, episode_random or episode_inherited missing)")
        }
        try agent.replay.restore(from: file, prefix: "replay.", source: path)
        let actions = try file.indexTensor("episode_actions").data
        guard actions.allSatisfy({ $0 >= 0 && $0 < env.actionCount }) else {
            throw RunError.invalid("\(path): episode_actions outside 0..<\(env.actionCount)")
        }
        episodeReturns = try file.tensor("episode_returns").data.map { Double($0) }
        self.frame = frame
        startEpisode(random: random, inherited: inherited)
        for action in actions {
            let step = env.step(action)
            episodeActions.append(action)
            episodeReturn += step.reward
            observation = step.observation
            guard !step.terminated && !step.truncated else {
                throw RunError.invalid("\(path): the recorded episode ends before its last action; the environment differs from the one that wrote it")
            }
        }
    }

    /// Continues a resumed run: the companion file at `path`, and the agent's generator and update
    /// count from the last checkpoint, whose step (frame) the file must match.
    public func resume(from path: String, step: Int, generators: [String: Generator], extra: [String: Double]) throws {
        try restoreState(from: path)
        guard frame == step, let g = generators["agent"], let updates = extra["updates"] else {
            throw RunError.invalid("\(path) (frame \(frame)) does not belong to the last checkpoint (frame \(step))")
        }
        agent.generator = g
        agent.setUpdates(Int(updates))
        print("resumed at frame \(frame) (\(agent.replay.count) transitions in replay memory)")
    }
}
