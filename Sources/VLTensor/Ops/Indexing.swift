// Slicing, concatenation, stacking and index selection (torch.narrow, cat, stack, index_select,
// index_add), with pullbacks. Embedding lookup is `gatherRows`; its pullback is a scatter-add.

import VLKernels

extension Tensor {
    /// The elements at positions `range` along `axis`; the other axes are unchanged.
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank)
        let (outer, extent, inner) = extentsAround(axis: axis)
        precondition(
            range.lowerBound >= 0 && range.upperBound <= extent,
            "slice \(range) out of bounds for axis \(axis) of shape \(shape)")
        var outShape = shape
        outShape[axis] = range.count
        let x = detached()
        let result = Tensor.computed(shape: outShape) { out in
            Kernels.copyBlocks(
                x.pointer + range.lowerBound * inner, sourceStride: extent * inner,
                into: out.baseAddress!, destinationStride: range.count * inner,
                rows: outer, width: range.count * inner)
        }
        let inputShape = shape
        return result.withPullback(inputs: [self]) { g in
            [
                Tensor.computed(shape: inputShape) { dx in
                    dx.update(repeating: 0)
                    Tensor.write(g, into: dx.baseAddress!, shape: inputShape, axis: axis, at: range.lowerBound)
                }
            ]
        }
    }

    /// Joins `tensors` along `axis`. They must agree on every other extent.
    public static func concatenated(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenated needs at least one tensor")
        let first = tensors[0]
        let axis = Shape.normalize(axis: axis, rank: first.rank)
        for tensor in tensors {
            precondition(
                tensor.rank == first.rank
                    && tensor.shapeReducing(axis: axis, keeping: true)
                        == first.shapeReducing(axis: axis, keeping: true),
                "cannot concatenate \(tensor.shape) with \(first.shape) along axis \(axis)")
        }
        let extents = tensors.map { $0.shape[axis] }
        var outShape = first.shape
        outShape[axis] = extents.reduce(0, +)
        let result = Tensor.computed(shape: outShape) { out in
            var offset = 0
            for tensor in tensors {
                write(tensor, into: out.baseAddress!, shape: outShape, axis: axis, at: offset)
                offset += tensor.shape[axis]
            }
        }
        return result.withPullback(inputs: tensors) { g in
            var start = 0
            return zip(tensors, extents).map { tensor, extent in
                defer { start += extent }
                return tensor.requiresGradient
                    ? g.slice(alongAxis: axis, start..<(start + extent)) : nil
            }
        }
    }

    /// Joins equally shaped `tensors` along a new axis inserted at `axis` (0…rank).
    public static func stacked(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stacked needs at least one tensor")
        let shape = tensors[0].shape
        precondition(
            tensors.allSatisfy { $0.shape == shape },
            "stacked needs equal shapes, got \(tensors.map(\.shape))")
        let axis = Shape.normalize(axis: axis, rank: shape.count + 1)
        var expanded = shape
        expanded.insert(1, at: axis)
        return concatenated(tensors.map { $0.reshaped(expanded) }, alongAxis: axis)
    }

    /// Rows `indices` of a `[rows, width]` table, as `[indices.count, width]`: an embedding
    /// lookup. The pullback scatter-adds into the table, so repeated indices accumulate.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        precondition(rank == 2, "gatherRows needs a [rows, width] table, got \(shape)")
        return selecting(indices, alongAxis: 0)
    }

    /// The slices at `indices` along `axis`, in that order (`torch.index_select`); the axis
    /// takes extent `indices.count`. Indices may repeat.
    public func selecting(_ indices: [Int], alongAxis axis: Int) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank)
        let (outer, extent, inner) = extentsAround(axis: axis)
        Tensor.checkIndices(indices, below: extent, what: "axis \(axis) of shape \(shape)")
        var outShape = shape
        outShape[axis] = indices.count
        let x = detached()
        let result = Tensor.computed(shape: outShape) { out in
            Kernels.gather(
                x.pointer, indices: indices, into: out.baseAddress!,
                outer: outer, axis: extent, inner: inner)
        }
        let inputShape = shape
        return result.withPullback(inputs: [self]) { g in
            [Tensor.scatterAdded(g, intoZerosOf: inputShape, at: indices, axis: axis)]
        }
    }

    /// This `[rows, …]` tensor with `source` (`[indices.count, …]`) added at rows `indices`
    /// (`torch.index_add` along axis 0). Repeated indices accumulate.
    public func scatterAdding(_ source: Tensor, rows indices: [Int]) -> Tensor {
        precondition(rank >= 1, "scatterAdding needs rank ≥ 1, got \(shape)")
        precondition(
            source.shape == [indices.count] + shape.dropFirst(),
            "scatterAdding source \(source.shape) does not fit \(indices.count) rows of \(shape)")
        Tensor.checkIndices(indices, below: shape[0], what: "axis 0 of shape \(shape)")
        let result = Tensor.scatterAdded(
            source.detached(), intoZerosOf: shape, at: indices, axis: 0, adding: detached())
        return result.withPullback(inputs: [self, source]) { g in
            [g, source.requiresGradient ? g.selecting(indices, alongAxis: 0) : nil]
        }
    }

    /// `[labels.count, classes]` with a 1 at each label's column and 0 elsewhere.
    public static func oneHot(labels: [Int], classes: Int) -> Tensor {
        checkIndices(labels, below: classes, what: "\(classes) classes")
        return Tensor.computed(shape: [labels.count, classes]) { out in
            out.update(repeating: 0)
            for (row, label) in labels.enumerated() { out[row * classes + label] = 1 }
        }
    }

    // MARK: - Helpers (no graph)

    /// Writes `part` over positions `start..<start + part.shape[axis]` along `axis` of the
    /// buffer `out` of `shape`; the other extents of `part` equal `shape`'s.
    private static func write(
        _ part: Tensor, into out: UnsafeMutablePointer<Float>, shape: [Int], axis: Int,
        at start: Int
    ) {
        let (outer, extent, inner) = part.extentsAround(axis: axis)
        let total = shape[axis]
        Kernels.copyBlocks(
            part.pointer, sourceStride: extent * inner, into: out + start * inner,
            destinationStride: total * inner, rows: outer, width: extent * inner)
    }

    /// `source` scatter-added at `indices` along `axis` into zeros of `shape`, or into a copy of
    /// `base` when given. Values only.
    private static func scatterAdded(
        _ source: Tensor, intoZerosOf shape: [Int], at indices: [Int], axis: Int,
        adding base: Tensor? = nil
    ) -> Tensor {
        let outer = shape[..<axis].reduce(1, *), extent = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        return Tensor.computed(shape: shape) { out in
            if let base {
                out.baseAddress!.update(from: base.pointer, count: out.count)
            } else {
                out.update(repeating: 0)
            }
            Kernels.scatterAdd(
                source.pointer, indices: indices, into: out.baseAddress!,
                outer: outer, axis: extent, inner: inner)
        }
    }

    /// Stops with a message naming the first index outside `0..<bound`.
    static func checkIndices(_ indices: [Int], below bound: Int, what: String) {
        if let bad = indices.first(where: { $0 < 0 || $0 >= bound }) {
            preconditionFailure("index \(bad) out of range for \(what)")
        }
    }
}
