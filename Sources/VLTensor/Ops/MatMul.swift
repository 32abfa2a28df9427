// Matrix products, plain and batched, with optional transposes and their pullbacks.

import VLKernels

extension Tensor {
    /// `op(self) · op(other)` where `op` transposes the last two axes when asked.
    ///
    /// Shapes: `self` is `[batch…, m, k]` (`[batch…, k, m]` when `transposeSelf`), `other` is
    /// `[batch…, k, n]` (`[batch…, n, k]` when `transposeOther`) with equal batch axes, or either
    /// side is rank 2 and shared by every batch item. The result is `[batch…, m, n]`.
    public func matmul(
        _ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false
    ) -> Tensor {
        precondition(rank >= 2 && other.rank >= 2, "matmul needs rank ≥ 2: \(shape) · \(other.shape)")
        // A batched left side against a shared right matrix is one large GEMM.
        if rank > 2 && other.rank == 2 && !transposeSelf {
            let batch = Array(shape.dropLast(2))
            let product = reshaped([-1, shape[rank - 1]])
                .matmul(other, transposeOther: transposeOther)
            return product.reshaped(batch + [shape[rank - 2], product.shape[1]])
        }
        let a = self, b = other
        let m = transposeSelf ? a.shape[rank - 1] : a.shape[rank - 2]
        let k = transposeSelf ? a.shape[rank - 2] : a.shape[rank - 1]
        let kb = transposeOther ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transposeOther ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        precondition(k == kb, "matmul inner extents differ: \(a.shape) · \(b.shape)")
        let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
        precondition(
            aBatch == bBatch || aBatch.isEmpty || bBatch.isEmpty,
            "matmul batch axes differ: \(a.shape) · \(b.shape)")
        let batchShape = aBatch.isEmpty ? bBatch : aBatch
        let batch = batchShape.reduce(1, *)
        let aStep = aBatch.isEmpty ? 0 : m * k, bStep = bBatch.isEmpty ? 0 : k * n

        let result = Tensor.computed(shape: batchShape + [m, n]) { out in
            for index in 0..<batch {
                Kernels.matmul(
                    a.pointer + index * aStep, b.pointer + index * bStep,
                    into: out.baseAddress! + index * m * n, m: m, n: n, k: k,
                    transposeA: transposeSelf, transposeB: transposeOther)
            }
        }
        return result.withPullback(inputs: [a, b]) { g in
            let a0 = a.detached(), b0 = b.detached()
            let da: Tensor? =
                !a.requiresGradient ? nil
                : transposeSelf
                    ? b0.matmul(g, transposeSelf: transposeOther, transposeOther: true)
                    : g.matmul(b0, transposeOther: !transposeOther)
            let db: Tensor? =
                !b.requiresGradient ? nil
                : transposeOther
                    ? g.matmul(a0, transposeSelf: true, transposeOther: transposeSelf)
                    : a0.matmul(g, transposeSelf: !transposeSelf)
            return [da?.reduced(toShape: a.shape), db?.reduced(toShape: b.shape)]
        }
    }
}
