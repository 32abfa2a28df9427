// Elementwise unary functions and their derivatives, as counted loops over raw buffers.
// GELU is the exact erf form (PyTorch's default); quickGELU is x·σ(1.702x) (OpenAI CLIP).

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The elementwise functions the tensor layer differentiates by hand.
public enum UnaryOperation: Sendable, Equatable {
    case exp, log, squareRoot, tanh, sigmoid, relu, gelu, quickGELU, squared, abs
    /// `x^exponent`.
    case power(Float)
    /// `min(max(x, lower), upper)`.
    case clamp(lower: Float, upper: Float)

    /// Items per parallel chunk: cheap arithmetic needs more work per thread than `expf`.
    /// Passes over fewer than about a million items run on the calling thread: waking a worker
    /// and sharing a core with OpenBLAS's spinning threads costs more than it saves
    /// (docs/ARCHITECTURE.md, Threads).
    var minimumPerChunk: Int {
        switch self {
        case .relu, .squared, .abs, .clamp: 1 << 20
        default: 1 << 19
        }
    }
}

extension Kernels {
    /// `y[i] = f(x[i])` for `count` items.
    public static func unary(
        _ operation: UnaryOperation, _ x: UnsafePointer<Float>,
        into y: UnsafeMutablePointer<Float>, count: Int
    ) {
        parallelChunks(count, minimumPerChunk: operation.minimumPerChunk) { start, end in
            unaryChunk(operation, x + start, into: y + start, count: end - start)
        }
    }

    /// `dx[i] = dy[i] · f′(x[i])`, where `y = f(x)` is the forward result (several derivatives
    /// are cheapest in terms of it).
    public static func unaryBackward(
        _ operation: UnaryOperation, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
        dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        parallelChunks(count, minimumPerChunk: operation.minimumPerChunk) { start, end in
            unaryBackwardChunk(
                operation, x: x + start, y: y + start, dy: dy + start, into: dx + start,
                count: end - start)
        }
    }

    // MARK: - Forward

    static func unaryChunk(
        _ operation: UnaryOperation, _ x: UnsafePointer<Float>,
        into y: UnsafeMutablePointer<Float>, count n: Int
    ) {
        switch operation {
        case .exp: for i in 0..<n { y[i] = expf(x[i]) }
        case .log: for i in 0..<n { y[i] = logf(x[i]) }
        case .squareRoot: for i in 0..<n { y[i] = x[i].squareRoot() }
        case .tanh: for i in 0..<n { y[i] = tanhf(x[i]) }
        case .sigmoid: for i in 0..<n { y[i] = 1 / (1 + expf(-x[i])) }
        case .relu: for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
        case .gelu: for i in 0..<n { y[i] = 0.5 * x[i] * (1 + erff(x[i] * inverseSquareRootTwo)) }
        case .quickGELU: quickGELUForward(x, y, n)
        case .squared: for i in 0..<n { y[i] = x[i] * x[i] }
        case .abs: for i in 0..<n { y[i] = Swift.abs(x[i]) }
        case .power(let p): for i in 0..<n { y[i] = powf(x[i], p) }
        case .clamp(let lower, let upper):
            // Written as comparisons (not min/max) so NaN passes through as in PyTorch.
            for i in 0..<n { y[i] = x[i] < lower ? lower : (x[i] > upper ? upper : x[i]) }
        }
    }

    // MARK: - Backward

    static func unaryBackwardChunk(
        _ operation: UnaryOperation, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
        dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, count n: Int
    ) {
        switch operation {
        case .exp: for i in 0..<n { dx[i] = dy[i] * y[i] }
        case .log: for i in 0..<n { dx[i] = dy[i] / x[i] }
        case .squareRoot: for i in 0..<n { dx[i] = dy[i] * 0.5 / y[i] }
        case .tanh: for i in 0..<n { dx[i] = dy[i] * (1 - y[i] * y[i]) }
        case .sigmoid: for i in 0..<n { dx[i] = dy[i] * y[i] * (1 - y[i]) }
        case .relu: for i in 0..<n { dx[i] = x[i] > 0 ? dy[i] : 0 }
        case .gelu: geluBackward(x, dy, dx, n)
        case .quickGELU: quickGELUBackward(x, dy, dx, n)
        case .squared: for i in 0..<n { dx[i] = 2 * x[i] * dy[i] }
        case .abs:
            // The sign, with 0 at 0 (PyTorch's subgradient choice).
            for i in 0..<n { dx[i] = x[i] > 0 ? dy[i] : (x[i] < 0 ? -dy[i] : 0) }
        case .power(let p): powerBackward(p, x, dy, dx, n)
        case .clamp(let lower, let upper):
            // Inclusive bounds, as PyTorch's clamp_backward: the gradient passes at x == bound.
            for i in 0..<n { dx[i] = x[i] >= lower && x[i] <= upper ? dy[i] : 0 }
        }
    }

    /// `d/dx [x·Φ(x)] = Φ(x) + x·φ(x)` with the standard normal CDF Φ and density φ.
    private static func geluBackward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
        _ n: Int
    ) {
        for i in 0..<n {
            let cdf = 0.5 * (1 + erff(x[i] * inverseSquareRootTwo))
            let density = inverseSquareRootTwoPi * expf(-0.5 * x[i] * x[i])
            dx[i] = dy[i] * (cdf + x[i] * density)
        }
    }

    /// `x · σ(1.702 x)`, eight lanes at a time with ``VectorLanes/exp(_:)`` (a few ulp of
    /// `expf`; lanes whose exponent leaves its range take `expf`, so saturation is exact):
    /// CLIP's MLPs apply it to every hidden unit, where a scalar `expf` loop was a visible
    /// share of a text-encoder step.
    private static func quickGELUForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let slope = VectorLanes.Vector(repeating: -1.702)
        var i = 0
        while i + VectorLanes.width <= n {
            let v = VectorLanes.load(x + i)
            VectorLanes.store(v / (1 + VectorLanes.exp(v * slope)), y + i)
            i += VectorLanes.width
        }
        while i < n {
            y[i] = x[i] / (1 + expf(-1.702 * x[i]))
            i += 1
        }
    }

    /// `d/dx [x·s] = s + 1.702·x·s·(1 − s)` where `s = σ(1.702 x)`, vectorized as the forward.
    private static func quickGELUBackward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
        _ n: Int
    ) {
        let slope = VectorLanes.Vector(repeating: -1.702)
        var i = 0
        while i + VectorLanes.width <= n {
            let v = VectorLanes.load(x + i)
            let s = 1 / (1 + VectorLanes.exp(v * slope))
            VectorLanes.store(VectorLanes.load(dy + i) * (s + 1.702 * v * s * (1 - s)), dx + i)
            i += VectorLanes.width
        }
        while i < n {
            let s = 1 / (1 + expf(-1.702 * x[i]))
            dx[i] = dy[i] * (s + 1.702 * x[i] * s * (1 - s))
            i += 1
        }
    }

    /// `d/dx x^p = p·x^(p−1)`; `p = 0` gives 0 everywhere (PyTorch masks it the same way).
    private static func powerBackward(
        _ p: Float, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
        _ dx: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        if p == 0 {
            dx.update(repeating: 0, count: n)
            return
        }
        for i in 0..<n { dx[i] = dy[i] * p * powf(x[i], p - 1) }
    }

    static let inverseSquareRootTwo: Float = 0.707_106_781_186_547_52
    static let inverseSquareRootTwoPi: Float = 0.398_942_280_401_432_68
}
