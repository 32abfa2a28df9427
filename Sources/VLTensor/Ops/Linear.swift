// An affine map `x · Wᵀ + b` as one GEMM: the bias is written into the output first and the
// product accumulated onto it (BLAS beta = 1), saving the separate broadcast pass and the
// zeroing BLAS does for beta = 0. Equal to `matmul(_:transposeOther:)` followed by `+ bias`.

import VLKernels

extension Tensor {
    /// `self · weightᵀ + bias` with PyTorch's `nn.Linear` layout.
    ///
    /// - Parameters:
    ///   - weight: `[outputWidth, inputWidth]`.
    ///   - bias: `[outputWidth]`, or nil.
    /// - Returns: `[…, outputWidth]` for `self` shaped `[…, inputWidth]`.
    public func linear(_ weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(
            rank >= 1 && weight.rank == 2 && shape[rank - 1] == weight.shape[1],
            "linear needs [..., in] inputs for a [out, in] weight \(weight.shape), got \(shape)")
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        if let bias { precondition(bias.shape == [outputs], "bias \(bias.shape) does not fit \(outputs) outputs") }
        let rows = scalarCount / Swift.max(inputs, 1)
        let x = detached(), w = weight.detached(), b = bias?.detached()
        let result = Tensor.computed(shape: Array(shape.dropLast()) + [outputs]) { out in
            if let b {
                for row in 0..<rows { (out.baseAddress! + row * outputs).update(from: b.pointer, count: outputs) }
            }
            Kernels.matmul(
                x.pointer, w.pointer, into: out.baseAddress!, m: rows, n: outputs, k: inputs, transposeB: true,
                beta: b == nil ? 0 : 1)
        }
        let inputShape = shape
        let parents = [self, weight] + (bias.map { [$0] } ?? [])
        return result.withPullback(inputs: parents) { g in
            let g2 = g.reshaped([rows, outputs])
            let dx = self.requiresGradient ? g2.matmul(w).reshaped(inputShape) : nil
            let dw = weight.requiresGradient ? g2.matmul(x.reshaped([rows, inputs]), transposeSelf: true) : nil
            let db = (bias?.requiresGradient ?? false) ? g2.sum(alongAxis: 0) : nil
            return [dx, dw] + (bias == nil ? [] : [db])
        }
    }
}
