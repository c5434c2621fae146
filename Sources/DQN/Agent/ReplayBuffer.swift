// Replay memory: a ring buffer allocated once, sampled into reusable batch arrays.
import WorkbenchCore

/// Transitions (s, a, r, s', done) in preallocated storage; adding never allocates, and the oldest
/// transition is overwritten once `capacity` is reached. Binary observations (MinAtar) are stored
/// as bytes, 4x smaller than floats (100,000 MinAtar transitions: 80 MB instead of 320 MB).
public final class ReplayBuffer {
    public let capacity: Int
    public let observationCount: Int
    public let binary: Bool
    var floatStates: [Float], floatNext: [Float]
    var byteStates: [UInt8], byteNext: [UInt8]
    var actions: [Int], rewards: [Float], dones: [Float]
    /// Next slot to write.
    public internal(set) var position = 0
    public internal(set) var count = 0

    public init(capacity: Int, observationCount: Int, binary: Bool) {
        precondition(capacity > 0 && observationCount > 0, "ReplayBuffer: capacity \(capacity), observation size \(observationCount)")
        self.capacity = capacity
        self.observationCount = observationCount
        self.binary = binary
        let n = capacity * observationCount
        floatStates = binary ? [] : [Float](repeating: 0, count: n)
        floatNext = binary ? [] : [Float](repeating: 0, count: n)
        byteStates = binary ? [UInt8](repeating: 0, count: n) : []
        byteNext = binary ? [UInt8](repeating: 0, count: n) : []
        actions = [Int](repeating: 0, count: capacity)
        rewards = [Float](repeating: 0, count: capacity)
        dones = [Float](repeating: 0, count: capacity)
    }

    /// Stores one transition; `done` means s' is terminal (no bootstrap), not a time-limit truncation.
    public func add(state: UnsafePointer<Float>, action: Int, reward: Float, nextState: UnsafePointer<Float>, done: Bool) {
        let base = position * observationCount
        if binary {
            byteStates.withUnsafeMutableBufferPointer { s in
                byteNext.withUnsafeMutableBufferPointer { n in
                    for i in 0..<observationCount {
                        s[base + i] = state[i] != 0 ? 1 : 0
                        n[base + i] = nextState[i] != 0 ? 1 : 0
                    }
                }
            }
        } else {
            floatStates.withUnsafeMutableBufferPointer { s in
                floatNext.withUnsafeMutableBufferPointer { n in
                    (s.baseAddress! + base).update(from: state, count: observationCount)
                    (n.baseAddress! + base).update(from: nextState, count: observationCount)
                }
            }
        }
        actions[position] = action
        rewards[position] = reward
        dones[position] = done ? 1 : 0
        position = (position + 1) % capacity
        count = min(count + 1, capacity)
    }

    /// Convenience for tests: add from arrays.
    public func add(state: [Float], action: Int, reward: Float, nextState: [Float], done: Bool) {
        precondition(state.count == observationCount && nextState.count == observationCount,
                     "ReplayBuffer.add: observations of \(state.count)/\(nextState.count) floats, expected \(observationCount)")
        state.withUnsafeBufferPointer { s in
            nextState.withUnsafeBufferPointer { n in
                add(state: s.baseAddress!, action: action, reward: reward, nextState: n.baseAddress!, done: done)
            }
        }
    }

    /// A sampled minibatch, flat: states [B * obs], actions [B], rewards [B], next states, dones.
    public struct Batch {
        public var indices: [Int]
        public var states: [Float], nextStates: [Float]
        public var actions: [Int], rewards: [Float], dones: [Float]
    }

    /// Copies the transitions at `indices` into `batch` (whose arrays are reused when large enough).
    public func gather(_ indices: [Int], into batch: inout Batch) {
        let b = indices.count, n = observationCount
        if batch.states.count != b * n {
            batch.states = [Float](repeating: 0, count: b * n)
            batch.nextStates = [Float](repeating: 0, count: b * n)
            batch.actions = [Int](repeating: 0, count: b)
            batch.rewards = [Float](repeating: 0, count: b)
            batch.dones = [Float](repeating: 0, count: b)
        }
        batch.indices = indices
        batch.states.withUnsafeMutableBufferPointer { s in
            batch.nextStates.withUnsafeMutableBufferPointer { ns in
                for (row, idx) in indices.enumerated() {
                    precondition(idx >= 0 && idx < count, "ReplayBuffer: index \(idx) outside the \(count) stored transitions")
                    let src = idx * n, dst = row * n
                    if binary {
                        for i in 0..<n { s[dst + i] = Float(byteStates[src + i]); ns[dst + i] = Float(byteNext[src + i]) }
                    } else {
                        for i in 0..<n { s[dst + i] = floatStates[src + i]; ns[dst + i] = floatNext[src + i] }
                    }
                }
            }
        }
        for (row, idx) in indices.enumerated() {
            batch.actions[row] = actions[idx]
            batch.rewards[row] = rewards[idx]
            batch.dones[row] = dones[idx]
        }
    }

    /// `batchSize` uniform indices with replacement.
    public func sample(_ batchSize: Int, generator g: inout Generator, into batch: inout Batch) {
        precondition(count > 0, "ReplayBuffer.sample: the buffer is empty")
        var indices = batch.indices.count == batchSize ? batch.indices : [Int](repeating: 0, count: batchSize)
        for i in 0..<batchSize { indices[i] = g.integer(below: count) }
        gather(indices, into: &batch)
    }

    public static func emptyBatch() -> Batch {
        Batch(indices: [], states: [], nextStates: [], actions: [], rewards: [], dones: [])
    }
}
