import Foundation

// Seeded random numbers that reproduce across runs, machines and thread counts.
//
// Values are counter-based: element i of a draw is a hash of (seed, stream, i), so the same
// seed gives the same tensor however the work is split.

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator with good statistical quality,
/// used both sequentially and as the counter-based hash.
public struct RandomGenerator: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return RandomGenerator.mix(state)
    }

    /// A uniform value in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift; negligible bias for small bounds).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int((UInt64(bound).multipliedFullWidth(by: next())).high)
    }

    /// A seed for an independent sub-stream, derived from this one without advancing it.
    public func derived(_ stream: UInt64) -> UInt64 {
        RandomGenerator.mix(state ^ RandomGenerator.mix(stream &+ 0xD1B5_4A32_D192_ED03))
    }

    /// The SplitMix64 finalizer: a bijective avalanche of 64 bits.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The uniform [0, 1) value at `counter` of the stream named by `seed`.
    @inlinable
    public static func uniform(seed: UInt64, counter: UInt64) -> Double {
        let bits = mix(mix(seed) &+ (counter &+ 1) &* 0x9E37_79B9_7F4A_7C15)
        return Double(bits >> 11) * 0x1p-53
    }
}

extension Tensor {
    /// Values drawn uniformly from `range`, reproducibly from `seed`.
    public static func uniform(_ shape: [Int], in range: ClosedRange<Float> = 0...1, seed: UInt64) -> Tensor {
        let low = Double(range.lowerBound), width = Double(range.upperBound - range.lowerBound)
        return Tensor.computed(shape: shape) { out in
            for i in 0..<out.count {
                out[i] = Float(low + width * RandomGenerator.uniform(seed: seed, counter: UInt64(i)))
            }
        }
    }

    /// Values drawn from a normal distribution (Box–Muller on counter-based uniforms).
    public static func normal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, seed: UInt64
    ) -> Tensor {
        Tensor.computed(shape: shape) { out in
            for i in 0..<out.count {
                let u1 = RandomGenerator.uniform(seed: seed, counter: 2 * UInt64(i))
                let u2 = RandomGenerator.uniform(seed: seed, counter: 2 * UInt64(i) + 1)
                let radius = (-2 * Foundation.log(1 - u1)).squareRoot()
                let z = radius * cos(2 * Double.pi * u2)
                out[i] = mean + standardDeviation * Float(z)
            }
        }
    }
}

