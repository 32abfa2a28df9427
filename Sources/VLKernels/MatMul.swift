// Matrix multiplication: the only caller of cblas_sgemm, and its naive twin for tests.

import CBLAS

/// Thin wrapper over OpenBLAS's CBLAS interface.
public enum BLAS {
    /// Tells OpenBLAS how many threads its GEMM may use.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }
}

extension Kernels {
    /// `c = alpha · op(a) · op(b) + beta · c` for row-major matrices.
    ///
    /// `op(a)` is `[m, k]` (stored `[k, m]` when `transposeA`), `op(b)` is `[k, n]` (stored
    /// `[n, k]` when `transposeB`), `c` is `[m, n]`. With `beta = 0`, `c` need not be initialized.
    public static func matmul(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            scale(c, count: m * n, by: beta)
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n), beta, c, Int32(n))
    }

    /// The definition of ``matmul(_:_:into:m:n:k:transposeA:transposeB:alpha:beta:)`` as a
    /// triple loop with a `Double` accumulator: the oracle its tests compare against.
    public static func matmulNaive(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += Double(x) * Double(y)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * n + j])
                c[i * n + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }

    /// `x *= factor` over `count` items; `factor == 0` writes zeros (so NaN garbage is cleared).
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        if factor == 0 {
            x.update(repeating: 0, count: count)
        } else if factor != 1 {
            for i in 0..<count { x[i] *= factor }
        }
    }
}
