// Block copies, gathers and scatter-adds: the loops behind slicing, concatenation, embedding
// lookup (torch.index_select) and its pullback (index_add). Indices are trusted here; the tensor
// layer checks them.

extension Kernels {
    /// Copies `rows` blocks of `width` contiguous values: block `r` is read at
    /// `source + r · sourceStride` and written at `destination + r · destinationStride`.
    public static func copyBlocks(
        _ source: UnsafePointer<Float>, sourceStride: Int,
        into destination: UnsafeMutablePointer<Float>, destinationStride: Int,
        rows: Int, width: Int
    ) {
        guard width > 0 else { return }
        parallelChunks(rows, minimumPerChunk: max(1, 65536 / width)) { start, end in
            for r in start..<end {
                (destination + r * destinationStride).update(
                    from: source + r * sourceStride, count: width)
            }
        }
    }

    /// `out[o, j, i] = x[o, indices[j], i]`: selects rows of the middle axis of `x`, seen as
    /// `[outer, axis, inner]`, into `out` shaped `[outer, indices.count, inner]`.
    public static func gather(
        _ x: UnsafePointer<Float>, indices: [Int], into out: UnsafeMutablePointer<Float>,
        outer: Int, axis: Int, inner: Int
    ) {
        let count = indices.count
        guard inner > 0 else { return }
        indices.withUnsafeBufferPointer { index in
            let index = index.baseAddress!
            parallelChunks(outer * count, minimumPerChunk: max(1, 65536 / inner)) { start, end in
                for row in start..<end {
                    let o = row / count, j = row % count
                    (out + row * inner).update(from: x + (o * axis + index[j]) * inner, count: inner)
                }
            }
        }
    }

    /// `out[o, indices[j], i] += source[o, j, i]`: the adjoint of
    /// ``gather(_:indices:into:outer:axis:inner:)``. Repeated indices accumulate.
    ///
    /// Work is split over `outer` and over column ranges of `inner`, never over `j`, so no two
    /// threads add into the same element and the summation order is fixed.
    public static func scatterAdd(
        _ source: UnsafePointer<Float>, indices: [Int], into out: UnsafeMutablePointer<Float>,
        outer: Int, axis: Int, inner: Int
    ) {
        let count = indices.count
        guard inner > 0, count > 0 else { return }
        indices.withUnsafeBufferPointer { index in
            let index = index.baseAddress!
            for o in 0..<outer {
                let ps = source + o * count * inner, po = out + o * axis * inner
                parallelChunks(inner, minimumPerChunk: max(64, 65536 / count)) { start, end in
                    for j in 0..<count {
                        let from = ps + j * inner, to = po + index[j] * inner
                        for i in start..<end { to[i] += from[i] }
                    }
                }
            }
        }
    }
}
