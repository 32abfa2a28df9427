// Broadcasting arithmetic: + − × ÷ and negation, with their pullbacks.

import VLKernels

extension Tensor {
    /// Applies `operation` with NumPy broadcasting; the result has the broadcast shape.
    static func broadcasting(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = a.shape == b.shape ? a.shape : Shape.broadcast(a.shape, b.shape)
        let aStrides = Shape.broadcastStrides(a.shape, to: shape)
        let bStrides = Shape.broadcastStrides(b.shape, to: shape)
        return Tensor.computed(shape: shape) { out in
            Kernels.binary(
                operation, a.pointer, strides: aStrides, b.pointer, strides: bStrides,
                into: out.baseAddress!, shape: shape)
        }
    }

    /// Sums a broadcast gradient back down to `shape` (the shared un-broadcasting step, so no op
    /// repeats it).
    public func reduced(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let offset = rank - target.count
        precondition(offset >= 0, "cannot reduce \(shape) to \(target)")
        let axes = (0..<rank).filter { axis in
            axis < offset || (target[axis - offset] == 1 && shape[axis] != 1)
        }
        return sum(alongAxes: axes, keepingAxes: true).reshaped(target)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(.add, a, b).withPullback(inputs: [a, b]) { g in
            [
                a.requiresGradient ? g.reduced(toShape: a.shape) : nil,
                b.requiresGradient ? g.reduced(toShape: b.shape) : nil,
            ]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(.subtract, a, b).withPullback(inputs: [a, b]) { g in
            [
                a.requiresGradient ? g.reduced(toShape: a.shape) : nil,
                b.requiresGradient ? (-g).reduced(toShape: b.shape) : nil,
            ]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(.multiply, a, b).withPullback(inputs: [a, b]) { g in
            [
                a.requiresGradient ? (g * b.detached()).reduced(toShape: a.shape) : nil,
                b.requiresGradient ? (g * a.detached()).reduced(toShape: b.shape) : nil,
            ]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(.divide, a, b).withPullback(inputs: [a, b]) { g in
            let b0 = b.detached()
            return [
                a.requiresGradient ? (g / b0).reduced(toShape: a.shape) : nil,
                b.requiresGradient
                    ? (-(g * a.detached()) / (b0 * b0)).reduced(toShape: b.shape) : nil,
            ]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        x.scaled(by: -1)
    }

    public static func + (a: Tensor, b: Float) -> Tensor { a.shifted(by: b) }
    public static func - (a: Tensor, b: Float) -> Tensor { a.shifted(by: -b) }
    public static func * (a: Tensor, b: Float) -> Tensor { a.scaled(by: b) }
    public static func / (a: Tensor, b: Float) -> Tensor { a.scaled(by: 1 / b) }
    public static func + (a: Float, b: Tensor) -> Tensor { b.shifted(by: a) }
    public static func * (a: Float, b: Tensor) -> Tensor { b.scaled(by: a) }
    public static func - (a: Float, b: Tensor) -> Tensor { b.scaled(by: -1).shifted(by: a) }

    /// `x · factor`.
    public func scaled(by factor: Float) -> Tensor {
        let x = self
        return Tensor.computed(shape: shape) { out in
            for i in 0..<out.count { out[i] = x.pointer[i] * factor }
        }.withPullback(inputs: [x]) { g in [g.scaled(by: factor)] }
    }

    /// `x + offset`.
    public func shifted(by offset: Float) -> Tensor {
        let x = self
        return Tensor.computed(shape: shape) { out in
            for i in 0..<out.count { out[i] = x.pointer[i] + offset }
        }.withPullback(inputs: [x]) { g in [g] }
    }
}
