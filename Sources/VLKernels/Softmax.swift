// Row-wise softmax and log-softmax over the last axis, fused forward and backward, with the
// same numerics as PyTorch's CPU kernels: subtract the row max so `exp` cannot overflow.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Kernels {
    /// `y = exp(x − max) / Σ exp(x − max)` for each row; `x` and `y` are `[rows, width]`.
    public static func softmax(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, width: Int
    ) {
        parallelChunks(rows, minimumPerChunk: max(1, 8192 / max(width, 1))) { start, end in
            for row in start..<end {
                softmaxRow(x + row * width, into: y + row * width, count: width)
            }
        }
    }

    /// `dx = y · (dy − Σ dy · y)` per row, from the softmax output `y`. All `[rows, width]`.
    public static func softmaxBackward(
        output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, rows: Int, width: Int
    ) {
        parallelChunks(rows, minimumPerChunk: max(1, 8192 / max(width, 1))) { start, end in
            for row in start..<end {
                let py = y + row * width
                let pdy = dy + row * width
                let pdx = dx + row * width
                let inner = VectorLanes.dot(py, pdy, count: width)
                for i in 0..<width { pdx[i] = py[i] * (pdy[i] - inner) }
            }
        }
    }

    /// `y = x − max − log Σ exp(x − max)` for each row; `x` and `y` are `[rows, width]`.
    public static func logSoftmax(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, width: Int
    ) {
        parallelChunks(rows, minimumPerChunk: max(1, 8192 / max(width, 1))) { start, end in
            for row in start..<end {
                let px = x + row * width
                let py = y + row * width
                let maximum = VectorLanes.maximum(px, count: width)
                // exp(x − max) goes to `y` only as scratch for the sum.
                let total = exponentiate(px, minus: maximum, into: py, count: width)
                let shift = maximum + logf(total)
                for i in 0..<width { py[i] = px[i] - shift }
            }
        }
    }

    /// `dx = dy − exp(y) · Σ dy` per row, from the log-softmax output `y`. All `[rows, width]`.
    public static func logSoftmaxBackward(
        output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, rows: Int, width: Int
    ) {
        parallelChunks(rows, minimumPerChunk: max(1, 8192 / max(width, 1))) { start, end in
            for row in start..<end {
                let py = y + row * width
                let pdy = dy + row * width
                let pdx = dx + row * width
                let total = VectorLanes.sum(pdy, count: width)
                exponentiate(py, minus: 0, into: pdx, count: width)
                for i in 0..<width { pdx[i] = pdy[i] - pdx[i] * total }
            }
        }
    }

    /// Softmax of one row of `count` values (also used by attention). A row whose values are
    /// all `-∞` has no defined softmax and gives NaN, as in PyTorch.
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        let maximum = VectorLanes.maximum(x, count: count)
        let total = exponentiate(x, minus: maximum, into: y, count: count)
        let inverse = 1 / total
        for i in 0..<count { y[i] *= inverse }
    }

    /// Writes `exp(x[i] − shift)` to `y` and returns their sum.
    @inline(__always) @discardableResult
    static func exponentiate(
        _ x: UnsafePointer<Float>, minus shift: Float, into y: UnsafeMutablePointer<Float>, count: Int
    ) -> Float {
        let vShift = VectorLanes.Vector(repeating: shift)
        var lanes = VectorLanes.Vector()
        var i = 0
        while i + VectorLanes.width <= count {
            let e = VectorLanes.exp(VectorLanes.load(x + i) - vShift)
            VectorLanes.store(e, y + i)
            lanes += e
            i += VectorLanes.width
        }
        var total = lanes.sum()
        if i < count {
            // The last partial vector: padding lanes hold `shift` (exp(0) = 1) and are dropped.
            var tail = vShift
            for lane in 0..<(count - i) { tail[lane] = x[i + lane] }
            let e = VectorLanes.exp(tail - vShift)
            for lane in 0..<(count - i) {
                y[i + lane] = e[lane]
                total += e[lane]
            }
        }
        return total
    }
}
