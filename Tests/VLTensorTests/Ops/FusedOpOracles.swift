// Composed and naive twins of the fused ops: the readable definitions the fused kernels are
// tested against (STYLE.md §4.4, llm.c's "version 1 = CPU reference"). Test target only.

import Foundation
import VLTensor

/// Elementwise maps with pullbacks, built only from the public `computed`/`withPullback` API so
/// the oracles below do not depend on any fused kernel.
enum Oracle {
    static func map(_ x: Tensor, _ f: (Float) -> Float, derivative: @escaping (Float) -> Float) -> Tensor {
        let y = Tensor(x.array.map(f), shape: x.shape)
        return y.withPullback(inputs: [x]) { g in
            [Tensor(zip(x.array, g.array).map { derivative($0) * $1 }, shape: x.shape)]
        }
    }

    static func exp(_ x: Tensor) -> Tensor {
        map(x, { Foundation.exp($0) }, derivative: { Foundation.exp($0) })
    }
    static func log(_ x: Tensor) -> Tensor { map(x, { Foundation.log($0) }, derivative: { 1 / $0 }) }
    static func reciprocalSquareRoot(_ x: Tensor) -> Tensor {
        map(x, { 1 / $0.squareRoot() }, derivative: { -0.5 / ($0 * $0.squareRoot()) })
    }

    /// The row max along the last axis, as a constant `[…, 1]` (softmax is shift invariant, so
    /// no gradient needs to flow through it).
    static func rowMax(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        let values = x.array
        let maxima = stride(from: 0, to: values.count, by: width).map { values[$0..<($0 + width)].max()! }
        return Tensor(maxima, shape: Array(x.shape.dropLast()) + [1])
    }

    /// `(x − mean) / √(var + ε) · w + b` from means, products and a reciprocal square root.
    static func layerNorm(_ x: Tensor, _ w: Tensor, _ b: Tensor, epsilon: Float = 1e-5) -> Tensor {
        let centered = x - x.mean(alongAxis: -1, keepingAxis: true)
        let variance = (centered * centered).mean(alongAxis: -1, keepingAxis: true)
        return centered * reciprocalSquareRoot(variance + epsilon) * w + b
    }

    /// `exp(x − max) / Σ exp(x − max)` along the last axis.
    static func softmax(_ x: Tensor) -> Tensor {
        let e = exp(x - rowMax(x))
        return e / e.sum(alongAxis: -1, keepingAxis: true)
    }

    /// `x − max − log Σ exp(x − max)` along the last axis.
    static func logSoftmax(_ x: Tensor) -> Tensor {
        let shifted = x - rowMax(x)
        return shifted - log(exp(shifted).sum(alongAxis: -1, keepingAxis: true))
    }

    /// Attention as batched matmuls, an additive `-∞` mask above the diagonal, and the composed
    /// softmax: the textbook definition.
    static func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool) -> Tensor {
        let (queryTokens, keyTokens) = (q.shape[2], k.shape[2])
        var scores = q.matmul(k, transposeOther: true) * (1 / Float(q.shape[3]).squareRoot())
        if causal {
            let mask = (0..<queryTokens * keyTokens).map { index in
                index % keyTokens > index / keyTokens ? -Float.infinity : 0
            }
            scores = scores + Tensor(mask, shape: [queryTokens, keyTokens])
        }
        return softmax(scores).matmul(v)
    }

    /// A strided convolution with kernel = stride = `size`, no bias, as a sextuple loop in
    /// `Double`, flattened to `[batch, patches, width]`.
    static func patchConvolution(_ x: Tensor, _ w: Tensor, size: Int) -> Tensor {
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let outputs = w.shape[0]
        let rows = height / size
        let columns = width / size
        let xs = x.array
        let ws = w.array
        var out = [Float](repeating: 0, count: batch * rows * columns * outputs)
        for b in 0..<batch {
            for py in 0..<rows {
                for px in 0..<columns {
                    for o in 0..<outputs {
                        var sum = 0.0
                        for c in 0..<channels {
                            for ky in 0..<size {
                                for kx in 0..<size {
                                    let pixel =
                                        ((b * channels + c) * height + py * size + ky) * width + px * size
                                        + kx
                                    let tap = ((o * channels + c) * size + ky) * size + kx
                                    sum += Double(xs[pixel]) * Double(ws[tap])
                                }
                            }
                        }
                        out[((b * rows + py) * columns + px) * outputs + o] = Float(sum)
                    }
                }
            }
        }
        return Tensor(out, shape: [batch, rows * columns, outputs])
    }
}

/// Gradients of `f(inputs)` weighted by `seed` (so every output element matters), with respect
/// to each input, in input order.
func weightedGradients(
    of f: ([Tensor]) -> Tensor, at inputs: [Tensor], seed: Tensor
) -> [Tensor] {
    let leaves = inputs.map { $0.requiringGradient() }
    let gradients = (f(leaves) * seed).sum().gradients()
    return leaves.map { gradients.gradient(for: $0) }
}
