// Entropic optimal transport by Sinkhorn–Knopp iterations, as PLOT (Chen et al., ICLR 2023,
// CHENGY12/PLOT, plot-coop/trainers/plot.py) runs it: uniform marginals, r = c = 1 at the
// start, stop when the mean change of r drops below a threshold. Run in the log domain.

import Foundation

extension Tensor {
    /// Transport plans `T = diag(r) · K · diag(c)` with `K = exp(−cost / epsilon)` for a batch
    /// of cost matrices, with uniform marginals `1/rows` and `1/columns`.
    ///
    /// The iteration is PLOT's: starting from `r = c = 1`, repeat at most `maximumIterations`
    /// times `r ← u ⊘ (K c)`, `c ← v ⊘ (Kᵀ r)`, and stop after the first iteration whose
    /// `mean |r − r_previous|` (over the whole batch, as the official code measures it) is below
    /// `threshold`. Each plan sums to 1. The same iterates are computed on `log r` and `log c`
    /// with log-sum-exp, so small `epsilon` cannot underflow `K` into a NaN plan (the failure
    /// PLOT's code guards against by skipping the batch).
    ///
    /// Gradients: the result is built from differentiable ops, so when `cost` requires a
    /// gradient it flows back through the unrolled iterations. PLOT itself computes `T` under
    /// `torch.no_grad()` and differentiates only `Σ T ⊙ S` through the similarities `S`; to do
    /// the same, pass `cost.detached()` (which also records no graph) and multiply the result
    /// with the differentiable similarities.
    ///
    /// - Parameters:
    ///   - cost: `[batch, rows, columns]`; PLOT uses `1 − similarity` with rows the 49 local
    ///     image features and columns the N prompts, one matrix per (image, class) pair.
    ///   - epsilon: entropic regularization (PLOT: 0.1).
    ///   - maximumIterations: iteration cap (PLOT: 100).
    ///   - threshold: stopping threshold on the mean change of `r` (PLOT: 0.01).
    /// - Returns: the plans, `[batch, rows, columns]`.
    public static func sinkhorn(
        cost: Tensor, epsilon: Float = 0.1, maximumIterations: Int = 100, threshold: Float = 1e-2
    ) -> Tensor {
        precondition(cost.rank == 3, "sinkhorn needs [batch, rows, columns] costs, got \(cost.shape)")
        precondition(epsilon > 0, "sinkhorn epsilon \(epsilon) must be positive")
        let (batch, rows, columns) = (cost.shape[0], cost.shape[1], cost.shape[2])
        let logKernel = cost.scaled(by: -1 / epsilon)
        let logRowMarginal = -Foundation.log(Float(rows))
        let logColumnMarginal = -Foundation.log(Float(columns))
        var logR = Tensor.zeros([batch, rows, 1])
        var logC = Tensor.zeros([batch, 1, columns])
        var previousR = Tensor.ones([batch, rows, 1])
        for _ in 0..<maximumIterations {
            logR = logRowMarginal - (logKernel + logC).logSumExp(alongAxis: 2, keepingAxis: true)
            logC = logColumnMarginal - (logKernel + logR).logSumExp(alongAxis: 1, keepingAxis: true)
            let r = logR.detached().exp()
            let change = (r - previousR).abs().mean().item
            previousR = r
            if change < threshold { break }
        }
        return (logKernel + logR + logC).exp()
    }
}
