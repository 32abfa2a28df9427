// Scaled dot-product attention (Vaswani et al. 2017) as OpenAI CLIP's nn.MultiheadAttention
// computes it per head: softmax(scale · q·kᵀ [+ causal mask]) · v, forward and backward.
// Work is split over batch × heads; the small per-head products run in a register-blocked Swift
// loop rather than BLAS, because they run inside a parallel region (see Kernels.threadCount).

/// Where one attention operand lives: element `(batch b, head h, token t, d)` is at
/// `b · batchStride + h · headStride + t · tokenStride + d` from the operand's pointer.
///
/// Contiguous `[batch, heads, tokens, headWidth]` tensors and heads interleaved in rows of
/// `[batch, tokens, width]` (CLIP's layout before its head split) are both layouts.
public struct HeadLayout: Sendable, Equatable {
    /// Distance between consecutive batch items.
    public var batchStride: Int
    /// Distance between consecutive heads of one batch item.
    public var headStride: Int
    /// Distance between consecutive tokens of one head (a row's leading dimension).
    public var tokenStride: Int

    /// A layout with the given strides, in elements.
    public init(batchStride: Int, headStride: Int, tokenStride: Int) {
        self.batchStride = batchStride
        self.headStride = headStride
        self.tokenStride = tokenStride
    }

    /// A contiguous `[batch, heads, tokens, headWidth]` array.
    public static func contiguous(heads: Int, tokens: Int, headWidth: Int) -> HeadLayout {
        HeadLayout(
            batchStride: heads * tokens * headWidth, headStride: tokens * headWidth,
            tokenStride: headWidth)
    }

    /// Rows of `rowWidth` values, `[batch, tokens, rowWidth]`, in which head `h` occupies
    /// columns `h · headWidth ..< (h + 1) · headWidth` from the operand's pointer.
    public static func interleaved(tokens: Int, rowWidth: Int, headWidth: Int) -> HeadLayout {
        HeadLayout(batchStride: tokens * rowWidth, headStride: headWidth, tokenStride: rowWidth)
    }

    @inline(__always)
    func offset(batch: Int, head: Int) -> Int { batch * batchStride + head * headStride }
}

/// Extents and options of one attention computation.
public struct AttentionShape: Sendable, Equatable {
    /// Independent sequences.
    public var batch: Int
    /// Heads per sequence.
    public var heads: Int
    /// Query rows per head.
    public var queryTokens: Int
    /// Key and value rows per head.
    public var keyTokens: Int
    /// Width of one head's query, key and value rows.
    public var headWidth: Int
    /// Multiplies `q · kᵀ` before the softmax; `1/√headWidth` in CLIP.
    public var scale: Float
    /// Query `i` attends only to keys `j ≤ i` (CLIP's text mask).
    public var causal: Bool

    /// Collects the extents and options of one attention computation.
    public init(
        batch: Int, heads: Int, queryTokens: Int, keyTokens: Int, headWidth: Int, scale: Float,
        causal: Bool
    ) {
        self.batch = batch
        self.heads = heads
        self.queryTokens = queryTokens
        self.keyTokens = keyTokens
        self.headWidth = headWidth
        self.scale = scale
        self.causal = causal
    }

    /// Keys visible to query `i`.
    @inline(__always)
    func visibleKeys(_ i: Int) -> Int { causal ? min(i + 1, keyTokens) : keyTokens }
}

extension Kernels {
    /// `out = softmax(scale · q·kᵀ) · v` for every batch item and head.
    ///
    /// `query`, `key`, `value` and `out` are read or written through their layouts;
    /// `probabilities` receives the softmax, `[batch, heads, queryTokens, keyTokens]`, which the
    /// backward needs (masked entries are exactly 0).
    public static func attention(
        query q: UnsafePointer<Float>, _ queryLayout: HeadLayout,
        key k: UnsafePointer<Float>, _ keyLayout: HeadLayout,
        value v: UnsafePointer<Float>, _ valueLayout: HeadLayout,
        into out: UnsafeMutablePointer<Float>, _ outputLayout: HeadLayout,
        probabilities: UnsafeMutablePointer<Float>, shape s: AttentionShape
    ) {
        let tq = s.queryTokens
        let tk = s.keyTokens
        let d = s.headWidth
        let items = s.batch * s.heads
        parallelChunks(items, minimumPerChunk: 1) { start, end in
            let keysTransposed = UnsafeMutablePointer<Float>.allocate(capacity: max(1, d * tk))
            defer { keysTransposed.deallocate() }
            for item in start..<end {
                let b = item / s.heads
                let h = item % s.heads
                let p = probabilities + item * tq * tk
                transpose(
                    k + keyLayout.offset(batch: b, head: h), rows: tk, columns: d,
                    stride: keyLayout.tokenStride, into: keysTransposed)
                smallMatmul(
                    q + queryLayout.offset(batch: b, head: h), lda: queryLayout.tokenStride,
                    keysTransposed, ldb: tk, into: p, ldc: tk, m: tq, n: tk, k: d, alpha: s.scale)
                for i in 0..<tq {
                    let visible = s.visibleKeys(i)
                    let row = p + i * tk
                    softmaxRow(row, into: row, count: visible)
                    (row + visible).update(repeating: 0, count: tk - visible)
                }
                smallMatmul(
                    p, lda: tk, v + valueLayout.offset(batch: b, head: h),
                    ldb: valueLayout.tokenStride, into: out + outputLayout.offset(batch: b, head: h),
                    ldc: outputLayout.tokenStride, m: tq, n: d, k: tk, alpha: 1)
            }
        }
    }

    /// Gradients of ``attention(query:_:key:_:value:_:into:_:probabilities:shape:)``.
    ///
    /// With `P` the saved probabilities and `dO` the output gradient: `dv = Pᵀ·dO`,
    /// `dP = dO·vᵀ`, `dS = P ∘ (dP − rowsum(P ∘ dP))`, `dq = scale · dS·k`, `dk = scale · dSᵀ·q`.
    /// The gradients are written (not accumulated) through the layouts of their inputs, and
    /// together cover exactly the elements those layouts address.
    public static func attentionBackward(
        query q: UnsafePointer<Float>, _ queryLayout: HeadLayout,
        key k: UnsafePointer<Float>, _ keyLayout: HeadLayout,
        value v: UnsafePointer<Float>, _ valueLayout: HeadLayout,
        probabilities: UnsafePointer<Float>,
        outputGradient dOut: UnsafePointer<Float>, _ outputLayout: HeadLayout,
        queryGradient dq: UnsafeMutablePointer<Float>, keyGradient dk: UnsafeMutablePointer<Float>,
        valueGradient dv: UnsafeMutablePointer<Float>, shape s: AttentionShape
    ) {
        let tq = s.queryTokens
        let tk = s.keyTokens
        let d = s.headWidth
        parallelChunks(s.batch * s.heads, minimumPerChunk: 1) { start, end in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, 2 * tq * tk + d * tk))
            defer { scratch.deallocate() }
            let transposed = scratch
            let scores = scratch + tq * tk
            let valuesTransposed = scores + tq * tk
            for item in start..<end {
                let b = item / s.heads
                let h = item % s.heads
                let p = probabilities + item * tq * tk
                let qh = q + queryLayout.offset(batch: b, head: h)
                let kh = k + keyLayout.offset(batch: b, head: h)
                let vh = v + valueLayout.offset(batch: b, head: h)
                let dOh = dOut + outputLayout.offset(batch: b, head: h)
                // dv = Pᵀ · dO
                transpose(p, rows: tq, columns: tk, stride: tk, into: transposed)
                smallMatmul(
                    transposed, lda: tq, dOh, ldb: outputLayout.tokenStride,
                    into: dv + valueLayout.offset(batch: b, head: h), ldc: valueLayout.tokenStride,
                    m: tk, n: d, k: tq, alpha: 1)
                // dS = P ∘ (dO · vᵀ − rowsum)
                transpose(vh, rows: tk, columns: d, stride: valueLayout.tokenStride, into: valuesTransposed)
                smallMatmul(
                    dOh, lda: outputLayout.tokenStride, valuesTransposed, ldb: tk, into: scores,
                    ldc: tk, m: tq, n: tk, k: d, alpha: 1)
                for i in 0..<tq {
                    let pi = p + i * tk
                    let si = scores + i * tk
                    let inner = VectorLanes.dot(pi, si, count: tk)
                    for j in 0..<tk { si[j] = pi[j] * (si[j] - inner) }
                }
                // dq = scale · dS · k;  dk = scale · dSᵀ · q
                smallMatmul(
                    scores, lda: tk, kh, ldb: keyLayout.tokenStride,
                    into: dq + queryLayout.offset(batch: b, head: h), ldc: queryLayout.tokenStride,
                    m: tq, n: d, k: tk, alpha: s.scale)
                transpose(scores, rows: tq, columns: tk, stride: tk, into: transposed)
                smallMatmul(
                    transposed, lda: tq, qh, ldb: queryLayout.tokenStride,
                    into: dk + keyLayout.offset(batch: b, head: h), ldc: keyLayout.tokenStride,
                    m: tk, n: d, k: tq, alpha: s.scale)
            }
        }
    }

    // MARK: - Small dense helpers

    /// `dst[c · rows + r] = src[r · stride + c]`: a `[rows, columns]` block with row stride
    /// `stride`, transposed into contiguous `[columns, rows]`.
    @inline(__always)
    static func transpose(
        _ src: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let row = src + r * stride
            for c in 0..<columns { dst[c * rows + r] = row[c] }
        }
    }

    /// `c = alpha · a · b` for small row-major blocks with leading dimensions: `a` is `[m, k]`,
    /// `b` `[k, n]`, `c` `[m, n]` (overwritten). `b` is taken in panels of eight columns; the last
    /// partial panel is copied into zero-padded rows first, so every column runs in the vector
    /// loop (a scalar tail of 2 columns in 50 used to double the time of `q · kᵀ`).
    static func smallMatmul(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int, alpha: Float
    ) {
        let width = VectorLanes.width
        var j = 0
        while j + 2 * width <= n {
            doubleColumnPanel(a, lda: lda, b + j, ldb: ldb, into: c + j, ldc: ldc, m: m, k: k, alpha: alpha)
            j += 2 * width
        }
        while j + width <= n {
            columnPanel(a, lda: lda, b + j, ldb: ldb, into: c + j, ldc: ldc, m: m, k: k, alpha: alpha, columns: width)
            j += width
        }
        guard j < n else { return }
        let columns = n - j
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, k * width)) { buffer in
            let panel = buffer.baseAddress!
            for p in 0..<k {
                let row = panel + p * width
                VectorLanes.store(VectorLanes.Vector(), row)
                row.update(from: b + p * ldb + j, count: columns)
            }
            columnPanel(a, lda: lda, panel, ldb: width, into: c + j, ldc: ldc, m: m, k: k, alpha: alpha, columns: columns)
        }
    }

    /// `c[:, 0..<16] = alpha · a · b[:, 0..<16]`: four rows by sixteen columns of `c` (eight
    /// independent multiply-add chains, enough to hide their latency) stay in registers while `k`
    /// streams past.
    @inline(__always)
    static func doubleColumnPanel(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, alpha: Float
    ) {
        typealias V = VectorLanes.Vector
        let width = VectorLanes.width
        var i = 0
        while i + 4 <= m {
            let a0 = a + i * lda
            let a1 = a0 + lda
            let a2 = a1 + lda
            let a3 = a2 + lda
            var c00 = V(), c01 = V(), c10 = V(), c11 = V()
            var c20 = V(), c21 = V(), c30 = V(), c31 = V()
            var pb = b
            for p in 0..<k {
                let b0 = VectorLanes.load(pb)
                let b1 = VectorLanes.load(pb + width)
                c00 = VectorLanes.multiplyAdd(a0[p], b0, c00)
                c01 = VectorLanes.multiplyAdd(a0[p], b1, c01)
                c10 = VectorLanes.multiplyAdd(a1[p], b0, c10)
                c11 = VectorLanes.multiplyAdd(a1[p], b1, c11)
                c20 = VectorLanes.multiplyAdd(a2[p], b0, c20)
                c21 = VectorLanes.multiplyAdd(a2[p], b1, c21)
                c30 = VectorLanes.multiplyAdd(a3[p], b0, c30)
                c31 = VectorLanes.multiplyAdd(a3[p], b1, c31)
                pb += ldb
            }
            let pc = c + i * ldc
            VectorLanes.store(alpha * c00, pc)
            VectorLanes.store(alpha * c01, pc + width)
            VectorLanes.store(alpha * c10, pc + ldc)
            VectorLanes.store(alpha * c11, pc + ldc + width)
            VectorLanes.store(alpha * c20, pc + 2 * ldc)
            VectorLanes.store(alpha * c21, pc + 2 * ldc + width)
            VectorLanes.store(alpha * c30, pc + 3 * ldc)
            VectorLanes.store(alpha * c31, pc + 3 * ldc + width)
            i += 4
        }
        while i < m {
            let ai = a + i * lda
            var c0 = V(), c1 = V()
            var pb = b
            for p in 0..<k {
                c0 = VectorLanes.multiplyAdd(ai[p], VectorLanes.load(pb), c0)
                c1 = VectorLanes.multiplyAdd(ai[p], VectorLanes.load(pb + width), c1)
                pb += ldb
            }
            VectorLanes.store(alpha * c0, c + i * ldc)
            VectorLanes.store(alpha * c1, c + i * ldc + width)
            i += 1
        }
    }

    /// `c[:, 0..<columns] = alpha · a · b[:, 0..<8]` for one eight-column panel of `b` (readable
    /// for all eight columns). Four rows by eight columns of `c` stay in registers while `k`
    /// streams past, so each `b` load feeds four multiply-adds; only `columns` of `c` are written.
    @inline(__always)
    static func columnPanel(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, alpha: Float, columns: Int
    ) {
        typealias V = VectorLanes.Vector
        @inline(__always)
        func write(_ v: V, _ destination: UnsafeMutablePointer<Float>) {
            if columns == VectorLanes.width {
                VectorLanes.store(alpha * v, destination)
            } else {
                let scaled = alpha * v
                for lane in 0..<columns { destination[lane] = scaled[lane] }
            }
        }
        var i = 0
        while i + 4 <= m {
            let a0 = a + i * lda
            let a1 = a0 + lda
            let a2 = a1 + lda
            let a3 = a2 + lda
            var c0 = V()
            var c1 = V()
            var c2 = V()
            var c3 = V()
            var pb = b
            for p in 0..<k {
                let bv = VectorLanes.load(pb)
                c0 = VectorLanes.multiplyAdd(a0[p], bv, c0)
                c1 = VectorLanes.multiplyAdd(a1[p], bv, c1)
                c2 = VectorLanes.multiplyAdd(a2[p], bv, c2)
                c3 = VectorLanes.multiplyAdd(a3[p], bv, c3)
                pb += ldb
            }
            let pc = c + i * ldc
            write(c0, pc)
            write(c1, pc + ldc)
            write(c2, pc + 2 * ldc)
            write(c3, pc + 3 * ldc)
            i += 4
        }
        while i < m {
            let ai = a + i * lda
            var ci = V()
            for p in 0..<k { ci = VectorLanes.multiplyAdd(ai[p], VectorLanes.load(b + p * ldb), ci) }
            write(ci, c + i * ldc)
            i += 1
        }
    }
}
