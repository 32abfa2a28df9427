// Reshape and permute: moving values without changing them.

import VLKernels

extension Tensor {
    /// The same values under a new shape with the same element count; one extent may be -1.
    /// Shares storage (no copy).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && scalarCount % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[inferred] = scalarCount / known
        }
        precondition(
            Tensor.elementCount(resolved) == scalarCount, "cannot reshape \(shape) to \(newShape)")
        if resolved == shape { return self }
        let inputShape = shape
        return Tensor(shape: resolved, storage: storage).withPullback(inputs: [self]) { g in
            [g.reshaped(inputShape)]
        }
    }

    /// Reorders the axes: result axis `i` is input axis `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.sorted() == Array(0..<rank), "\(axes) is not a permutation of 0..<\(rank)")
        if axes == Array(0..<rank) { return self }
        let ownStrides = Shape.strides(shape)
        let outShape = axes.map { shape[$0] }
        let readStrides = axes.map { ownStrides[$0] }
        let x = self
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in axes.enumerated() { inverse[axis] = position }
        return Tensor.computed(shape: outShape) { out in
            Kernels.stridedCopy(x.pointer, strides: readStrides, into: out.baseAddress!, shape: outShape)
        }.withPullback(inputs: [x]) { g in [g.permuted(inverse)] }
    }

    /// Swaps the last two axes.
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed() needs rank ≥ 2, got \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes)
    }
}
