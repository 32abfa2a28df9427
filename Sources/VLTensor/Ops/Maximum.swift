// Maximum, arg-maximum and log-sum-exp along an axis (torch.max(dim), torch.argmax,
// torch.logsumexp). The maximum's gradient goes to the first maximal element, as PyTorch does.

import VLKernels

extension Tensor {
    /// The tensor seen as `[outer, axis, inner]` around `axis` (already normalized).
    func extentsAround(axis: Int) -> (outer: Int, axis: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// `shape` with `axis` set to 1 (kept) or removed.
    func shapeReducing(axis: Int, keeping: Bool) -> [Int] {
        var result = shape
        if keeping { result[axis] = 1 } else { result.remove(at: axis) }
        return result
    }

    /// Largest value along `axis`. With `keepingAxis` the axis stays with extent 1.
    ///
    /// The gradient flows to the first maximal element of each slice only (PyTorch's
    /// `max(dim)` convention), so ties do not share it.
    public func max(alongAxis axis: Int, keepingAxis: Bool = false) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank)
        let (values, indices) = maximumAndIndices(alongAxis: axis)
        let kept = shapeReducing(axis: axis, keeping: true)
        let result = values.reshaped(shapeReducing(axis: axis, keeping: keepingAxis))
        let inputShape = shape
        return result.withPullback(inputs: [self]) { g in
            [Tensor.routingMaximumGradient(g.reshaped(kept), to: indices, shape: inputShape, axis: axis)]
        }
    }

    /// Index (in `0..<shape[axis]`) of the first largest value of every slice along `axis`,
    /// flattened in row-major order over the remaining axes. Not differentiable.
    public func argmax(alongAxis axis: Int) -> [Int] {
        maximumAndIndices(alongAxis: Shape.normalize(axis: axis, rank: rank)).indices
    }

    /// `log Σ exp(x)` along `axis`, computed stably (the maximum is subtracted before `exp`).
    /// With `keepingAxis` the axis stays with extent 1. Its gradient is the softmax along `axis`.
    public func logSumExp(alongAxis axis: Int, keepingAxis: Bool = false) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank)
        let (outer, extent, inner) = extentsAround(axis: axis)
        let x = detached()
        let kept = shapeReducing(axis: axis, keeping: true)
        let y = Tensor.computed(shape: kept) { out in
            Kernels.logSumExpAxis(
                x.pointer, into: out.baseAddress!, outer: outer, axis: extent, inner: inner)
        }
        return y.reshaped(shapeReducing(axis: axis, keeping: keepingAxis))
            .withPullback(inputs: [self]) { g in
                [(x - y).exp() * g.reshaped(kept)]
            }
    }

    /// Values and first indices of the maxima along normalized `axis`, shaped with the axis kept.
    private func maximumAndIndices(alongAxis axis: Int) -> (values: Tensor, indices: [Int]) {
        let (outer, extent, inner) = extentsAround(axis: axis)
        precondition(extent > 0, "maximum along empty axis \(axis) of shape \(shape)")
        var indices = [Int](repeating: 0, count: outer * inner)
        let x = detached()
        let values = Tensor.computed(shape: shapeReducing(axis: axis, keeping: true)) { out in
            indices.withUnsafeMutableBufferPointer { index in
                Kernels.maximumAxis(
                    x.pointer, values: out.baseAddress!, indices: index.baseAddress!,
                    outer: outer, axis: extent, inner: inner)
            }
        }
        return (values, indices)
    }

    /// Zeros of `shape` with each slice's gradient (from `g`, shaped with the axis kept)
    /// written at its arg-maximum.
    private static func routingMaximumGradient(
        _ g: Tensor, to indices: [Int], shape: [Int], axis: Int
    ) -> Tensor {
        let outer = shape[..<axis].reduce(1, *), extent = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        return Tensor.computed(shape: shape) { dx in
            dx.update(repeating: 0)
            let dy = g.pointer, dx = dx.baseAddress!
            indices.withUnsafeBufferPointer { index in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let slot = o * inner + i
                        dx[(o * extent + index[slot]) * inner + i] = dy[slot]
                    }
                }
            }
        }
    }
}
