// Layer normalization over the last axis (Ba, Kiros & Hinton 2016) with PyTorch's nn.LayerNorm
// semantics: biased variance and epsilon inside the square root. One fused pass forward and one
// backward, saving the per-row mean and reciprocal standard deviation as llm.c's layernorm does.

extension Kernels {
    /// Rows whose weight and bias gradients are summed together before blocks are added in
    /// order: fixed, so the result does not depend on the thread count.
    static let layerNormBlockRows = 32

    /// `y = (x − mean) · rstd · weight + bias` for each row of `x`.
    ///
    /// `x` and `y` are `[rows, width]`, `weight` and `bias` `[width]`; the row statistics are
    /// written to `mean` and `rstd` (`[rows]`, `rstd = 1/√(variance + epsilon)`) for the
    /// backward. The variance is two-pass (centred first) so large means cannot cancel it.
    public static func layerNorm(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        into y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
        rstd: UnsafeMutablePointer<Float>, rows: Int, width: Int, epsilon: Float
    ) {
        guard width > 0 else { return }
        // Memory-bound: below ~1 M values one thread beats waking a second (ARCHITECTURE, Threads).
        parallelChunks(rows, minimumPerChunk: max(1, (1 << 19) / width)) { start, end in
            for row in start..<end {
                let px = x + row * width
                let py = y + row * width
                let m = VectorLanes.sum(px, count: width) / Float(width)
                let variance = VectorLanes.squaredDeviations(px, from: m, count: width) / Float(width)
                let r = 1 / (variance + epsilon).squareRoot()
                mean[row] = m
                rstd[row] = r
                for i in 0..<width { py[i] = (px[i] - m) * r * weight[i] + bias[i] }
            }
        }
    }

    /// Gradients of ``layerNorm(_:weight:bias:into:mean:rstd:rows:width:epsilon:)``.
    ///
    /// With `x̂ = (x − mean) · rstd` and `g = dy · weight`, each row gets
    /// `dx = rstd · (g − mean(g) − x̂ · mean(g · x̂))`; `dweight = Σ_rows dy · x̂` and
    /// `dbias = Σ_rows dy` are overwritten (not accumulated). Shapes as in the forward.
    public static func layerNormBackward(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, mean: UnsafePointer<Float>,
        rstd: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, weightGradient dweight: UnsafeMutablePointer<Float>,
        biasGradient dbias: UnsafeMutablePointer<Float>, rows: Int, width: Int
    ) {
        guard width > 0 else { return }
        let blockRows = layerNormBlockRows
        let blocks = (rows + blockRows - 1) / blockRows
        // Per block: width weight-gradient partials, then width bias-gradient partials.
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: max(1, blocks * 2 * width))
        defer { partials.deallocate() }
        parallelChunks(blocks, minimumPerChunk: max(1, (1 << 19) / (blockRows * width))) { start, end in
            for block in start..<end {
                let pw = partials + block * 2 * width
                let pb = pw + width
                pw.update(repeating: 0, count: 2 * width)
                let last = min(rows, (block + 1) * blockRows)
                for row in (block * blockRows)..<last {
                    layerNormBackwardRow(
                        x + row * width, weight, mean[row], rstd[row], dy + row * width,
                        dx + row * width, pw, pb, width)
                }
            }
        }
        dweight.update(repeating: 0, count: width)
        dbias.update(repeating: 0, count: width)
        for block in 0..<blocks {
            let pw = partials + block * 2 * width
            let pb = pw + width
            for i in 0..<width {
                dweight[i] += pw[i]
                dbias[i] += pb[i]
            }
        }
    }

    /// One row of the layer-norm backward, adding this row's share into `dw` and `db`.
    @inline(__always)
    static func layerNormBackwardRow(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ mean: Float, _ rstd: Float,
        _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
        _ dw: UnsafeMutablePointer<Float>, _ db: UnsafeMutablePointer<Float>, _ width: Int
    ) {
        // First pass: the two row means the input gradient needs.
        typealias V = VectorLanes.Vector
        let vMean = V(repeating: mean)
        let vRstd = V(repeating: rstd)
        var lanesG = V()
        var lanesGX = V()
        var i = 0
        while i + VectorLanes.width <= width {
            let g = VectorLanes.load(dy + i) * VectorLanes.load(w + i)
            lanesG += g
            lanesGX += g * ((VectorLanes.load(x + i) - vMean) * vRstd)
            i += VectorLanes.width
        }
        var sumG = lanesG.sum()
        var sumGX = lanesGX.sum()
        while i < width {
            let g = dy[i] * w[i]
            sumG += g
            sumGX += g * ((x[i] - mean) * rstd)
            i += 1
        }
        let meanG = sumG / Float(width)
        let meanGX = sumGX / Float(width)
        // Second pass: input gradient and parameter-gradient partials.
        for i in 0..<width {
            let xhat = (x[i] - mean) * rstd
            dx[i] = rstd * (dy[i] * w[i] - meanG - xhat * meanGX)
            dw[i] += dy[i] * xhat
            db[i] += dy[i]
        }
    }
}
