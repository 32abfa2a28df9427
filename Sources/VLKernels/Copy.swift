// Strided copies: the one loop behind permutes, transposes and broadcasts.

extension Kernels {
    /// Writes the tensor read from `x` through per-axis `strides` (any of which may be 0, to
    /// repeat) into contiguous `out` of `shape`.
    public static func stridedCopy(
        _ x: UnsafePointer<Float>, strides: [Int], into out: UnsafeMutablePointer<Float>,
        shape: [Int]
    ) {
        let rank = shape.count
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        guard rank > 0 else {
            out[0] = x[0]
            return
        }
        let inner = shape[rank - 1]
        let innerStride = strides[rank - 1]
        let rows = count / inner
        parallelChunks(rows, minimumPerChunk: max(1, 32768 / max(inner, 1))) { start, end in
            for row in start..<end {
                var offset = 0
                var rest = row
                for axis in stride(from: rank - 2, through: 0, by: -1) {
                    offset += (rest % shape[axis]) * strides[axis]
                    rest /= shape[axis]
                }
                let px = x + offset, po = out + row * inner
                if innerStride == 1 {
                    po.update(from: px, count: inner)
                } else if innerStride == 0 {
                    po.update(repeating: px[0], count: inner)
                } else {
                    for i in 0..<inner { po[i] = px[i * innerStride] }
                }
            }
        }
    }
}
