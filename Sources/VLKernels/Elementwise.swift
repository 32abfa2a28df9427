// Elementwise arithmetic with NumPy broadcasting, expressed as strided loops.
// A stride of 0 repeats an operand along that axis; the innermost axis is the hot loop.

/// The binary arithmetic the tensor layer broadcasts.
public enum BinaryOperation: Sendable {
    case add, subtract, multiply, divide
}

extension Kernels {
    /// `out[i] = a[i] ∘ b[i]` over `shape`, reading `a` and `b` through per-axis strides (0 on
    /// broadcast axes). `out` is contiguous with `shape`'s element count.
    public static func binary(
        _ operation: BinaryOperation,
        _ a: UnsafePointer<Float>, strides aStrides: [Int],
        _ b: UnsafePointer<Float>, strides bStrides: [Int],
        into out: UnsafeMutablePointer<Float>, shape: [Int]
    ) {
        switch operation {
        case .add: broadcastLoop(a, aStrides, b, bStrides, out, shape) { $0 + $1 }
        case .subtract: broadcastLoop(a, aStrides, b, bStrides, out, shape) { $0 - $1 }
        case .multiply: broadcastLoop(a, aStrides, b, bStrides, out, shape) { $0 * $1 }
        case .divide: broadcastLoop(a, aStrides, b, bStrides, out, shape) { $0 / $1 }
        }
    }

    /// Shared driver: splits the outer index space across threads, then runs the innermost
    /// axis as a tight loop with the three common stride patterns special-cased.
    @inline(__always)
    static func broadcastLoop(
        _ a: UnsafePointer<Float>, _ aStrides: [Int], _ b: UnsafePointer<Float>,
        _ bStrides: [Int], _ out: UnsafeMutablePointer<Float>, _ shape: [Int],
        _ f: (Float, Float) -> Float
    ) {
        let rank = shape.count
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        guard rank > 0 else {
            out[0] = f(a[0], b[0])
            return
        }
        let inner = shape[rank - 1]
        let aInner = aStrides[rank - 1], bInner = bStrides[rank - 1]
        let rows = count / inner
        // Memory-bound: below ~2 M items one thread beats waking a second (ARCHITECTURE, Threads).
        parallelChunks(rows, minimumPerChunk: max(1, (1 << 20) / max(inner, 1))) { start, end in
            for row in start..<end {
                var aOffset = 0, bOffset = 0
                var rest = row
                for axis in stride(from: rank - 2, through: 0, by: -1) {
                    let index = rest % shape[axis]
                    rest /= shape[axis]
                    aOffset += index * aStrides[axis]
                    bOffset += index * bStrides[axis]
                }
                let pa = a + aOffset, pb = b + bOffset, po = out + row * inner
                if aInner == 1 && bInner == 1 {
                    for i in 0..<inner { po[i] = f(pa[i], pb[i]) }
                } else if aInner == 1 && bInner == 0 {
                    let y = pb[0]
                    for i in 0..<inner { po[i] = f(pa[i], y) }
                } else if aInner == 0 && bInner == 1 {
                    let x = pa[0]
                    for i in 0..<inner { po[i] = f(x, pb[i]) }
                } else {
                    for i in 0..<inner { po[i] = f(pa[i * aInner], pb[i * bInner]) }
                }
            }
        }
    }

    /// Sums `x`, seen as `[outer, axis, inner]`, over its middle axis into `out[outer, inner]`.
    /// Accumulates in `Float` in index order, so the result is independent of thread count.
    public static func sumAxis(
        _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
        outer: Int, axis: Int, inner: Int
    ) {
        parallelChunks(outer, minimumPerChunk: max(1, 16384 / max(1, axis * inner))) {
            start, end in
            for o in start..<end {
                let po = out + o * inner
                po.update(repeating: 0, count: inner)
                for a in 0..<axis {
                    let px = x + (o * axis + a) * inner
                    for i in 0..<inner { po[i] += px[i] }
                }
            }
        }
    }
}
