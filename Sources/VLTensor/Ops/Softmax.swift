// Softmax and log-softmax along an axis, on fused row kernels with hand-written pullbacks.
// The last axis is the fast path; other axes are moved last and back with `permuted`.

import VLKernels

extension Tensor {
    /// `exp(x) / Σ exp(x)` along `axis` (the row max is subtracted first, so large inputs
    /// cannot overflow). Same shape in and out.
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        alongLastAxis(axis) { $0.rowKernel(Kernels.softmax, backward: Kernels.softmaxBackward) }
    }

    /// `x − log Σ exp(x)` along `axis`, computed without forming `exp(x)` at full range.
    /// Same shape in and out.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        alongLastAxis(axis) {
            $0.rowKernel(Kernels.logSoftmax, backward: Kernels.logSoftmaxBackward)
        }
    }

    /// Applies a last-axis operation along `axis` by moving that axis last and back.
    private func alongLastAxis(_ axis: Int, _ operation: (Tensor) -> Tensor) -> Tensor {
        precondition(rank >= 1, "softmax needs rank ≥ 1, got \(shape)")
        let resolved = Shape.normalize(axis: axis, rank: rank)
        if resolved == rank - 1 { return operation(self) }
        var axes = Array(0..<rank)
        axes.swapAt(resolved, rank - 1)
        return operation(permuted(axes)).permuted(axes)
    }

    /// A row-wise kernel over the last axis whose backward needs only its output.
    private func rowKernel(
        _ forward: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void,
        backward:
            @escaping (
                UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int
            ) -> Void
    ) -> Tensor {
        let width = shape[rank - 1]
        let rows = width == 0 ? 0 : scalarCount / width
        let x = self
        let output = Tensor.computed(shape: shape) { forward(x.pointer, $0.baseAddress!, rows, width) }
        let y = output
        return output.withPullback(inputs: [x]) { dy in
            [
                Tensor.computed(shape: y.shape) {
                    backward(y.pointer, dy.pointer, $0.baseAddress!, rows, width)
                }
            ]
        }
    }
}
