// Test inputs for the non-fused ops that keep finite differences away from kinks and ties.

import VLTensor

enum BasicOpInputs {
    /// Uniform values in `range`, each moved by 0.1 when it lies within 0.05 of a kink, so a
    /// central difference with step 0.01 never straddles one.
    static func uniform(
        _ shape: [Int], in range: ClosedRange<Float>, seed: UInt64, avoiding kinks: [Float]
    ) -> Tensor {
        let values = Tensor.uniform(shape, in: range, seed: seed).array.map { x in
            kinks.contains { Swift.abs(x - $0) < 0.05 } ? x + 0.1 : x
        }
        return Tensor(values, shape: shape)
    }

    /// Distinct values `0.1 · k` in a scrambled order, so every maximum is unique with a margin
    /// far above the finite-difference step.
    static func distinct(_ shape: [Int], offset: Float = -1) -> Tensor {
        let count = shape.reduce(1, *)
        let stride = stride(coprimeTo: count)
        let values = (0..<count).map { offset + 0.1 * Float((($0 * stride) + 3) % count) }
        return Tensor(values, shape: shape)
    }

    /// Weights for turning a tensor into a scalar without making its gradient uniform.
    static func weights(_ shape: [Int], seed: UInt64 = 99) -> Tensor {
        Tensor.uniform(shape, in: -1...1, seed: seed)
    }

    private static func stride(coprimeTo count: Int) -> Int {
        var candidate = 7
        while gcd(candidate, count) != 1 { candidate += 2 }
        return candidate
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
