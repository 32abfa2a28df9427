// Elementwise math (exp, log, square root, powers, absolute value, clamping) with pullbacks.
// Each is one kernel pass forward and one backward (Kernels.unary / Kernels.unaryBackward).

import VLKernels

extension Tensor {
    /// Applies `operation` elementwise and records the matching kernel backward.
    /// Same shape in and out.
    func applying(_ operation: UnaryOperation) -> Tensor {
        let x = detached()
        let y = Tensor.computed(shape: shape) { out in
            Kernels.unary(operation, x.pointer, into: out.baseAddress!, count: out.count)
        }
        return y.withPullback(inputs: [self]) { g in
            [
                Tensor.computed(shape: x.shape) { dx in
                    Kernels.unaryBackward(
                        operation, x: x.pointer, y: y.pointer, dy: g.pointer,
                        into: dx.baseAddress!, count: dx.count)
                }
            ]
        }
    }

    /// `eˣ` elementwise.
    public func exp() -> Tensor { applying(.exp) }

    /// Natural logarithm elementwise (−∞ at 0, NaN below).
    public func log() -> Tensor { applying(.log) }

    /// `√x` elementwise.
    public func squareRoot() -> Tensor { applying(.squareRoot) }

    /// `x²` elementwise.
    public func squared() -> Tensor { applying(.squared) }

    /// `|x|` elementwise; its gradient at 0 is 0, as in PyTorch.
    public func abs() -> Tensor { applying(.abs) }

    /// `x^exponent` elementwise (NaN for negative `x` and a non-integer exponent, as `powf`).
    public func power(_ exponent: Float) -> Tensor {
        if exponent == 1 { return self }
        if exponent == 2 { return squared() }
        return applying(.power(exponent))
    }

    /// Limits every value to `min...max`. The gradient passes where `min ≤ x ≤ max`
    /// (inclusive, as PyTorch's `clamp`) and is 0 elsewhere. Either bound may be left open.
    public func clamped(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        precondition(!(lower > upper), "clamped(min: \(lower), max: \(upper)) has min > max")
        return applying(.clamp(lower: lower, upper: upper))
    }
}
