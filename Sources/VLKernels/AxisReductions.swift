// Maximum, first arg-maximum and stable log-sum-exp along the middle axis of `[outer, axis, inner]`.
// Ties go to the first maximal element, as torch.max(dim) and torch.argmax return on CPU.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Kernels {
    /// For `x` seen as `[outer, axis, inner]`, writes the maximum over the middle axis to
    /// `values[outer, inner]` and the index (in `0..<axis`) of its first occurrence to
    /// `indices[outer, inner]`. A NaN counts as larger than every number, so it propagates.
    /// `axis` must be at least 1.
    public static func maximumAxis(
        _ x: UnsafePointer<Float>, values: UnsafeMutablePointer<Float>,
        indices: UnsafeMutablePointer<Int>, outer: Int, axis: Int, inner: Int
    ) {
        precondition(axis > 0, "maximum over an empty axis")
        parallelChunks(outer, minimumPerChunk: max(1, 16384 / max(1, axis * inner))) {
            start, end in
            for o in start..<end {
                let px = x + o * axis * inner
                let pv = values + o * inner, pi = indices + o * inner
                pv.update(from: px, count: inner)
                pi.update(repeating: 0, count: inner)
                for a in 1..<axis {
                    let row = px + a * inner
                    for i in 0..<inner where row[i] > pv[i] || (row[i].isNaN && !pv[i].isNaN) {
                        pv[i] = row[i]
                        pi[i] = a
                    }
                }
            }
        }
    }

    /// For `x` seen as `[outer, axis, inner]`, writes `log Σ_a exp(x[o, a, i])` to
    /// `out[outer, inner]`.
    ///
    /// Subtracts the maximum before exponentiating so `exp` cannot overflow; a slice whose
    /// maximum is ±∞ returns that maximum (all −∞ gives −∞, as `torch.logsumexp` does).
    public static func logSumExpAxis(
        _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
        outer: Int, axis: Int, inner: Int
    ) {
        precondition(axis > 0, "log-sum-exp over an empty axis")
        parallelChunks(outer, minimumPerChunk: max(1, 4096 / max(1, axis * inner))) {
            start, end in
            // One scratch row of running sums per chunk; `out` holds the running maxima.
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: inner)
            defer { sums.deallocate() }
            for o in start..<end {
                logSumExpSlice(x + o * axis * inner, out + o * inner, sums, axis, inner)
            }
        }
    }

    /// One `[axis, inner]` slice of ``logSumExpAxis(_:into:outer:axis:inner:)``: maxima across
    /// rows first, then the shifted sums, both sweeping rows so memory is read contiguously.
    private static func logSumExpSlice(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        _ sums: UnsafeMutablePointer<Float>, _ axis: Int, _ inner: Int
    ) {
        out.update(from: x, count: inner)
        for a in 1..<axis {
            let row = x + a * inner
            for i in 0..<inner where row[i] > out[i] || row[i].isNaN { out[i] = row[i] }
        }
        sums.update(repeating: 0, count: inner)
        for a in 0..<axis {
            let row = x + a * inner
            for i in 0..<inner { sums[i] += expf(row[i] - out[i]) }
        }
        for i in 0..<inner where out[i].isFinite { out[i] += logf(sums[i]) }
    }
}
