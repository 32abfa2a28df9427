// Inverted dropout with a counter-based mask, so a seed gives the same mask on any thread count.

import VLKernels

extension Tensor {
    /// Zeros each element with probability `probability` and scales the survivors by
    /// `1 / (1 − probability)`, so the expectation is unchanged (`F.dropout` in training mode).
    ///
    /// Element `i` is dropped when the counter-based uniform `RandomGenerator.uniform(seed:
    /// counter: i)` is below `probability`: the mask depends only on `seed` and the element's
    /// position. Use a fresh seed per step. `probability` 0 returns `self`; 1 returns zeros.
    public func dropout(probability: Float, seed: UInt64) -> Tensor {
        precondition((0...1).contains(probability), "dropout probability \(probability) not in 0...1")
        if probability == 0 { return self }
        let threshold = Double(probability)
        let scale: Float = probability < 1 ? 1 / (1 - probability) : 0
        let mask = Tensor.computed(shape: shape) { mask in
            let base = mask.baseAddress!
            Kernels.parallelChunks(mask.count, minimumPerChunk: 16384) { start, end in
                for i in start..<end {
                    let draw = RandomGenerator.uniform(seed: seed, counter: UInt64(i))
                    base[i] = draw < threshold ? 0 : scale
                }
            }
        }
        return self * mask
    }
}
