// Attention over rows of one packed token matrix, where each query row names the key rows it
// sees as up to two contiguous ranges. Sequences of different lengths, and many sequences that
// share leading tokens (a prompt prefix encoded once), then need no padding and no copies.

/// The key rows one query row attends to: the union of two contiguous ranges of rows.
///
/// A causal row `t` of a sequence starting at row `s` sees `s..<(t + 1)`; a row of a suffix
/// that continues a shared prefix at rows `p..<q` sees `p..<q` and its own rows up to itself.
public struct AttentionRows: Sendable, Hashable {
    /// The row whose query attends.
    public var query: Int
    /// The first range of key (and value) rows.
    public var first: Range<Int>
    /// The second range of key rows; may be empty.
    public var second: Range<Int>

    /// The keys of `query` are `first` followed by `second`.
    public init(query: Int, first: Range<Int>, second: Range<Int> = 0..<0) {
        self.query = query
        self.first = first
        self.second = second
    }

    /// Number of keys the query sees.
    @inlinable
    public var keyCount: Int { first.count + second.count }
}

/// Where the heads of a packed `[rows, 3 · width]` in-projection output live.
public struct PackedHeads: Sendable, Equatable {
    /// Width of the query (and of the key and the value) part of a row.
    public var width: Int
    /// Heads, each `width / heads` columns of each part.
    public var heads: Int
    /// `1/√headWidth` in CLIP.
    public var scale: Float

    /// Heads of `width / heads` columns with the given softmax scale.
    public init(width: Int, heads: Int, scale: Float) {
        precondition(heads > 0 && width % heads == 0, "width \(width) does not split into \(heads) heads")
        self.width = width
        self.heads = heads
        self.scale = scale
    }

    /// Columns per head.
    public var headWidth: Int { width / heads }
    /// Values per packed row: query, key and value side by side.
    public var rowWidth: Int { 3 * width }
}

extension Kernels {
    /// Offsets of each query's saved probabilities: `offsets[o]` is where query `o`'s rows
    /// (`heads` of `keyCount` values) start, and `offsets[queries.count]` the total.
    public static func rowAttentionProbabilityOffsets(_ queries: [AttentionRows], heads: Int) -> [Int] {
        var offsets = [Int](repeating: 0, count: queries.count + 1)
        for (o, query) in queries.enumerated() {
            offsets[o + 1] = offsets[o] + heads * query.keyCount
        }
        return offsets
    }

    /// `out[o] = Σ_j softmax_j(scale · q[query_o] · k[j]) · v[j]` per head, over the keys `j` of
    /// `queries[o]`; heads are written side by side into `out`'s `[queries.count, width]` rows.
    ///
    /// `packed` is `[rows, 3 · width]` (query, key, value parts, each split into heads as
    /// `nn.MultiheadAttention` splits them). `probabilities` receives each query's softmax per
    /// head at ``rowAttentionProbabilityOffsets(_:heads:)``; the backward reads it.
    public static func rowAttention(
        packed: UnsafePointer<Float>, layout: PackedHeads, queries: [AttentionRows],
        probabilityOffsets: [Int], into out: UnsafeMutablePointer<Float>,
        probabilities: UnsafeMutablePointer<Float>
    ) {
        let d = layout.headWidth
        let width = layout.width
        let keys = KeyRows(queries, rowWidth: layout.rowWidth)
        probabilityOffsets.withUnsafeBufferPointer { offsets in
            parallelChunks(queries.count, minimumPerChunk: 8) { start, end in
                for o in start..<end {
                    let rows = keys.rows(of: o)
                    let q = packed + keys.queryStarts[o]
                    for h in 0..<layout.heads {
                        let p = probabilities + offsets[o] + h * rows.count
                        for (j, row) in rows.enumerated() {
                            p[j] = layout.scale * VectorLanes.dot(q + h * d, packed + row + width + h * d, count: d)
                        }
                        softmaxRow(p, into: p, count: rows.count)
                        let destination = out + o * width + h * d
                        destination.update(repeating: 0, count: d)
                        for (j, row) in rows.enumerated() {
                            addScaled(packed + row + 2 * width + h * d, p[j], into: destination, count: d)
                        }
                    }
                }
            }
        }
    }

    /// Gradient of ``rowAttention(packed:layout:queries:probabilityOffsets:into:probabilities:)``
    /// with respect to `packed`, written over `packedGradient` (`[rows, 3 · width]`; rows no
    /// query touches get zeros).
    ///
    /// With `P` the saved softmax and `g` the output gradient of a query and head:
    /// `dv_j += P_j · g`, `dP_j = g · v_j`, `dS_j = P_j (dP_j − Σ_i P_i dP_i)`,
    /// `dq += scale · Σ_j dS_j k_j`, `dk_j += scale · dS_j · q`. Keys are shared between queries,
    /// so the work is split by head (each head owns its columns) and every head visits the
    /// queries in order: the sums never depend on the thread count.
    public static func rowAttentionBackward(
        packed: UnsafePointer<Float>, layout: PackedHeads, queries: [AttentionRows],
        probabilityOffsets: [Int], probabilities: UnsafePointer<Float>,
        outputGradient: UnsafePointer<Float>, rows: Int, into packedGradient: UnsafeMutablePointer<Float>
    ) {
        let d = layout.headWidth
        let width = layout.width
        packedGradient.update(repeating: 0, count: rows * layout.rowWidth)
        let keys = KeyRows(queries, rowWidth: layout.rowWidth)
        let longest = queries.map(\.keyCount).max() ?? 0
        probabilityOffsets.withUnsafeBufferPointer { offsets in
            parallelChunks(layout.heads, minimumPerChunk: 1) { startHead, endHead in
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: max(1, longest))
                defer { scores.deallocate() }
                for h in startHead..<endHead {
                    let column = h * d
                    for o in 0..<queries.count {
                        let rows = keys.rows(of: o)
                        let p = probabilities + offsets[o] + h * rows.count
                        let g = outputGradient + o * width + column
                        var inner: Float = 0
                        for (j, row) in rows.enumerated() {
                            scores[j] = VectorLanes.dot(g, packed + row + 2 * width + column, count: d)
                            inner += p[j] * scores[j]
                            addScaled(g, p[j], into: packedGradient + row + 2 * width + column, count: d)
                        }
                        let q = packed + keys.queryStarts[o] + column
                        let dq = packedGradient + keys.queryStarts[o] + column
                        for (j, row) in rows.enumerated() {
                            let dS = layout.scale * p[j] * (scores[j] - inner)
                            addScaled(packed + row + width + column, dS, into: dq, count: d)
                            addScaled(q, dS, into: packedGradient + row + width + column, count: d)
                        }
                    }
                }
            }
        }
    }

    /// Each query's packed-row start and its keys' row starts, flattened once so the inner
    /// loops are pointer arithmetic.
    struct KeyRows {
        let queryStarts: [Int]
        let keyStarts: [Int]
        let firstKey: [Int]

        init(_ queries: [AttentionRows], rowWidth: Int) {
            var starts: [Int] = []
            var first = [0]
            starts.reserveCapacity(queries.reduce(0) { $0 + $1.keyCount })
            for query in queries {
                for row in query.first { starts.append(row * rowWidth) }
                for row in query.second { starts.append(row * rowWidth) }
                first.append(starts.count)
            }
            queryStarts = queries.map { $0.query * rowWidth }
            keyStarts = starts
            firstKey = first
        }

        /// The packed offsets of query `o`'s keys.
        @inline(__always)
        func rows(of o: Int) -> ArraySlice<Int> { keyStarts[firstKey[o]..<firstKey[o + 1]] }
    }

    /// `y[i] += a · x[i]` for `count` values.
    @inline(__always)
    static func addScaled(
        _ x: UnsafePointer<Float>, _ a: Float, into y: UnsafeMutablePointer<Float>, count: Int
    ) {
        let va = VectorLanes.Vector(repeating: a)
        var i = 0
        while i + VectorLanes.width <= count {
            VectorLanes.store(VectorLanes.load(y + i) + va * VectorLanes.load(x + i), y + i)
            i += VectorLanes.width
        }
        while i < count {
            y[i] += a * x[i]
            i += 1
        }
    }
}
