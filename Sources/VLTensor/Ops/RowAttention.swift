// Multi-head attention over the rows of one packed token matrix, each query naming its key rows
// (VLKernels/RowAttention.swift). Ragged sequences and shared prefixes need no padding; the
// composed oracle (gather the keys, softmax, weighted sum) lives in the tests.

import VLKernels

extension Tensor {
    /// Multi-head attention where query `o` reads row `queries[o].query` of `packed` and attends
    /// to the key and value rows `queries[o].first` then `queries[o].second`.
    ///
    /// - Parameters:
    ///   - packed: `[rows, 3 · width]`, queries, keys and values side by side as
    ///     `nn.MultiheadAttention`'s in-projection lays them out (each split into `heads`).
    ///   - heads: number of heads; `width` must divide by it.
    ///   - queries: one entry per output row; every range must lie inside `0..<rows` and be
    ///     non-empty in total.
    ///   - scale: defaults to `1/√headWidth`.
    /// - Returns: `[queries.count, width]`, heads side by side, ready for the output projection.
    public static func attention(
        packed: Tensor, heads: Int, queries: [AttentionRows], scale: Float? = nil
    ) -> Tensor {
        precondition(
            packed.rank == 2 && heads > 0 && packed.shape[1] % (3 * heads) == 0,
            "row attention needs [rows, 3 · width] with width divisible by \(heads) heads, got \(packed.shape)")
        let rows = packed.shape[0]
        let width = packed.shape[1] / 3
        checkRanges(queries, rows: rows)
        let layout = PackedHeads(
            width: width, heads: heads, scale: scale ?? 1 / Float(width / heads).squareRoot())
        let offsets = Kernels.rowAttentionProbabilityOffsets(queries, heads: heads)
        let probabilities = TensorStorage(uninitializedCount: Swift.max(1, offsets[queries.count]))
        let x = packed.detached()
        let output = Tensor.computed(shape: [queries.count, width]) { out in
            Kernels.rowAttention(
                packed: x.pointer, layout: layout, queries: queries, probabilityOffsets: offsets,
                into: out.baseAddress!, probabilities: probabilities.base)
        }
        return output.withPullback(inputs: [packed]) { outputGradient in
            [
                Tensor.computed(shape: [rows, 3 * width]) { gradient in
                    Kernels.rowAttentionBackward(
                        packed: x.pointer, layout: layout, queries: queries, probabilityOffsets: offsets,
                        probabilities: probabilities.base, outputGradient: outputGradient.pointer,
                        rows: rows, into: gradient.baseAddress!)
                }
            ]
        }
    }

    /// Stops with a message naming the first query whose rows fall outside `0..<rows`.
    private static func checkRanges(_ queries: [AttentionRows], rows: Int) {
        for (index, entry) in queries.enumerated() {
            let inside = { (range: Range<Int>) in range.isEmpty || (range.lowerBound >= 0 && range.upperBound <= rows) }
            precondition(
                entry.query >= 0 && entry.query < rows && inside(entry.first) && inside(entry.second)
                    && entry.keyCount > 0,
                "attention query \(index) (\(entry)) does not fit \(rows) rows or sees no keys")
        }
    }
}
