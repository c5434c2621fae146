// Seeded random numbers. Every source of randomness in the workbench (weights, shuffling,
// dropout masks, exploration, noise) draws from an explicitly passed `Generator`.
//
// Algorithm: xoshiro256** (Blackman & Vigna 2018), its 256-bit state seeded from a UInt64 with
// SplitMix64 as its authors recommend.
//   - uniform Float in [0, 1): the top 24 bits of one draw times 2^-24 (every value exact);
//   - normal: Box-Muller on two uniform Doubles in (0, 1], both values of a pair used;
//   - bernoulli(p): uniform < p;
//   - permutation / integers below n: Lemire's unbiased multiply-shift with rejection.
// Same seed, same sequence, on every machine. The numbers differ from PyTorch's generator;
// fixtures therefore pass every random tensor explicitly.

public struct Generator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64
    private var spareNormal: Double?

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The full state as text (`s0 s1 s2 s3 [spare]` in hex), for checkpoints: a generator
    /// restored from it continues the exact same sequence.
    public var serialized: String {
        var words = [s0, s1, s2, s3].map { String($0, radix: 16) }
        if let z = spareNormal { words.append(String(z.bitPattern, radix: 16)) }
        return words.joined(separator: " ")
    }

    /// Restores a state written by `serialized`; nil if the text is not one.
    public init?(serialized text: String) {
        let words = text.split(separator: " ").map { UInt64($0, radix: 16) }
        guard words.count == 4 || words.count == 5, words.allSatisfy({ $0 != nil }) else { return nil }
        s0 = words[0]!; s1 = words[1]!; s2 = words[2]!; s3 = words[3]!
        spareNormal = words.count == 5 ? Double(bitPattern: words[4]!) : nil
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * uniform() }

    /// Standard normal (or N(mean, std)).
    public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        if let z = spareNormal {
            spareNormal = nil
            return mean + std * Float(z)
        }
        let u1 = Double((next() >> 11) + 1) * 0x1p-53  // (0, 1]
        let u2 = Double(next() >> 11) * 0x1p-53
        let r = (-2 * dlog(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareNormal = r * dsin(theta)
        return mean + std * Float(r * dcos(theta))
    }

    /// True with probability `p`.
    public mutating func bernoulli(_ p: Float) -> Bool { uniform() < p }

    /// Uniform integer in `0..<n` (unbiased).
    public mutating func integer(below n: Int) -> Int {
        precondition(n > 0, "integer(below:) needs n > 0, got \(n)")
        return Int(next(upperBound: UInt64(n)))
    }

    /// A uniformly random permutation of `0..<n` (Fisher-Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        var i = n - 1
        while i > 0 {
            p.swapAt(i, integer(below: i + 1))
            i -= 1
        }
        return p
    }
}

extension Tensor {
    /// Uniform in [low, high) (`torch.rand` scaled).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, generator g: inout Generator) -> Tensor {
        Tensor(shape: shape) { buf in
            for i in buf.indices { buf[i] = g.uniform(low, high) }
        }
    }

    /// Normal with the given mean and standard deviation (`torch.randn` scaled).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, generator g: inout Generator) -> Tensor {
        Tensor(shape: shape) { buf in
            for i in buf.indices { buf[i] = g.normal(mean: mean, std: std) }
        }
    }

    /// 1 with probability `p`, else 0.
    public static func bernoulli(_ shape: [Int], p: Float, generator g: inout Generator) -> Tensor {
        Tensor(shape: shape) { buf in
            for i in buf.indices { buf[i] = g.bernoulli(p) ? 1 : 0 }
        }
    }
}

