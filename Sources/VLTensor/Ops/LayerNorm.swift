// Layer normalization over the last axis (Ba, Kiros & Hinton 2016) as PyTorch's nn.LayerNorm
// computes it (biased variance, epsilon 1e-5 by default), on the fused kernel pair.

import VLKernels

extension Tensor {
    /// Normalizes each row along the last axis to zero mean and unit variance, then applies
    /// `weight` and `bias`.
    ///
    /// - Parameters:
    ///   - weight: `[width]`, the last extent of `self` (`[…, width]`, any leading shape).
    ///   - bias: `[width]`.
    ///   - epsilon: added to the (biased) variance inside the square root.
    /// - Returns: the shape of `self`.
    public func layerNorm(weight: Tensor, bias: Tensor, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank >= 1, "layerNorm needs rank ≥ 1, got \(shape)")
        let width = shape[rank - 1]
        precondition(
            weight.shape == [width] && bias.shape == [width],
            "layerNorm of \(shape) needs weight and bias [\(width)], got \(weight.shape), \(bias.shape)")
        let rows = width == 0 ? 0 : scalarCount / width
        let x = self
        let mean = TensorStorage(uninitializedCount: rows)
        let rstd = TensorStorage(uninitializedCount: rows)
        let output = Tensor.computed(shape: shape) { y in
            Kernels.layerNorm(
                x.pointer, weight: weight.pointer, bias: bias.pointer, into: y.baseAddress!,
                mean: mean.base, rstd: rstd.base, rows: rows, width: width, epsilon: epsilon)
        }
        return output.withPullback(inputs: [x, weight, bias]) { dy in
            let dx = TensorStorage(uninitializedCount: x.scalarCount)
            let dweight = TensorStorage(uninitializedCount: width)
            let dbias = TensorStorage(uninitializedCount: width)
            Kernels.layerNormBackward(
                x.pointer, weight: weight.pointer, mean: mean.base, rstd: rstd.base,
                outputGradient: dy.pointer, into: dx.base, weightGradient: dweight.base,
                biasGradient: dbias.base, rows: rows, width: width)
            return [
                Tensor(shape: x.shape, storage: dx), Tensor(shape: [width], storage: dweight),
                Tensor(shape: [width], storage: dbias),
            ]
        }
    }
}
