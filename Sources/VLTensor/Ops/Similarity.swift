// L2 normalization and cosine similarity, composed (F.normalize and F.cosine_similarity).

extension Tensor {
    /// Scales every slice along `axis` to unit L2 norm: `x / max(‖x‖, epsilon)`, as
    /// `F.normalize(x, dim: axis, eps: epsilon)`.
    ///
    /// The bound is applied to the squared norm (`max(‖x‖², ε²)`, the same value) so an all-zero
    /// slice gets a zero gradient instead of `0 · ∞`.
    public func normalized(alongAxis axis: Int = -1, epsilon: Float = 1e-12) -> Tensor {
        let squaredNorm = squared().sum(alongAxis: axis, keepingAxis: true)
        return self / squaredNorm.clamped(min: epsilon * epsilon).squareRoot()
    }

    /// Cosine of the angle between slices of `self` and `other` along `axis` (which is removed):
    /// `x·y / (max(‖x‖, ε) · max(‖y‖, ε))`, as current `F.cosine_similarity`. The two broadcast.
    public func cosineSimilarity(
        _ other: Tensor, alongAxis axis: Int = -1, epsilon: Float = 1e-8
    ) -> Tensor {
        let product =
            normalized(alongAxis: axis, epsilon: epsilon)
            * other.normalized(alongAxis: axis, epsilon: epsilon)
        return product.sum(alongAxis: axis)
    }
}
