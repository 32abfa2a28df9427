// Clipping gradients by their global L2 norm, as torch.nn.utils.clip_grad_norm_ does (L2P
// clips at 1.0).

import VLTensor

/// Gradients after clipping, with the norm they had before.
public struct ClippedGradients: Sendable {
    /// The gradients, scaled by `min(1, maximumNorm / (norm + 1e-6))`, shapes unchanged.
    public var gradients: [String: Tensor]
    /// The global L2 norm before clipping, `√(Σ over every tensor and element of g²)`.
    public var norm: Double
}

/// Scales all `gradients` by one factor so their global L2 norm is at most `maximumNorm`.
///
/// Follows `torch.nn.utils.clip_grad_norm_(norm_type=2)`: the factor is
/// `maximumNorm / (norm + 1e-6)` clamped to at most 1, and gradients are left as they are when
/// it is 1. The norm is accumulated in `Double`, in sorted name order. As in PyTorch, an
/// infinite norm scales every gradient to 0 and a NaN norm makes them NaN; check ``ClippedGradients/norm``
/// to skip such a step.
///
/// - Parameter maximumNorm: the largest allowed norm, ≥ 0.
public func clippedByGlobalNorm(
    _ gradients: [String: Tensor], maximumNorm: Double
) -> ClippedGradients {
    precondition(maximumNorm >= 0, "maximum gradient norm \(maximumNorm) is negative")
    var sumOfSquares: Double = 0
    for name in gradients.keys.sorted() {
        for value in gradients[name]!.scalars { sumOfSquares += Double(value) * Double(value) }
    }
    let norm = sumOfSquares.squareRoot()
    // PyTorch's constant: keeps the factor finite when every gradient is zero.
    let factor = maximumNorm / (norm + 1e-6)
    guard !(factor >= 1) else { return ClippedGradients(gradients: gradients, norm: norm) }
    return ClippedGradients(gradients: gradients.mapValues { $0 * Float(factor) }, norm: norm)
}
