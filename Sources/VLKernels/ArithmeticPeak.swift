// The machine's float32 arithmetic ceiling: eight-lane multiply-adds with no memory traffic, on
// every kernel thread at once. Benchmarks divide work by it to say how fast any float32 code
// could run there (a bound neither VLPrompt nor PyTorch can pass).

import Dispatch

extension Kernels {
    /// Independent multiply-add chains per thread: enough to cover the instruction's latency
    /// (4–5 cycles) times the two units a core has.
    private static let peakChains = 12

    /// Float32 GFLOP/s of ``threadCount`` threads each running `iterations` rounds of twelve
    /// independent eight-lane multiply-adds (one fused instruction each where the build has
    /// fused multiply-adds; a multiply-add counts as two operations). The best of `repetitions`.
    public static func multiplyAddPeak(iterations: Int = 10_000_000, repetitions: Int = 3) -> Double {
        let threads = threadCount
        let flops = Double(threads * iterations * peakChains * VectorLanes.width * 2)
        var best = Double.infinity
        let clock = ContinuousClock()
        for _ in 0..<max(1, repetitions) {
            let start = clock.now
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                multiplyAddChains(iterations: iterations)
            }
            let elapsed = clock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return flops / best / 1e9
    }

    /// Twelve chains of `iterations` dependent multiply-adds; returns their sum so the work is
    /// not optimized away.
    @discardableResult
    @inline(never)
    static func multiplyAddChains(iterations: Int) -> Float {
        typealias V = VectorLanes.Vector
        let factor: Float = 0.999_9
        let step = V(repeating: 1e-4)
        var c0 = V(repeating: 0), c1 = V(repeating: 1), c2 = V(repeating: 2), c3 = V(repeating: 3)
        var c4 = V(repeating: 4), c5 = V(repeating: 5), c6 = V(repeating: 6), c7 = V(repeating: 7)
        var c8 = V(repeating: 8), c9 = V(repeating: 9), c10 = V(repeating: 10), c11 = V(repeating: 11)
        for _ in 0..<iterations {
            c0 = VectorLanes.multiplyAdd(factor, c0, step)
            c1 = VectorLanes.multiplyAdd(factor, c1, step)
            c2 = VectorLanes.multiplyAdd(factor, c2, step)
            c3 = VectorLanes.multiplyAdd(factor, c3, step)
            c4 = VectorLanes.multiplyAdd(factor, c4, step)
            c5 = VectorLanes.multiplyAdd(factor, c5, step)
            c6 = VectorLanes.multiplyAdd(factor, c6, step)
            c7 = VectorLanes.multiplyAdd(factor, c7, step)
            c8 = VectorLanes.multiplyAdd(factor, c8, step)
            c9 = VectorLanes.multiplyAdd(factor, c9, step)
            c10 = VectorLanes.multiplyAdd(factor, c10, step)
            c11 = VectorLanes.multiplyAdd(factor, c11, step)
        }
        let total = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11))
        return total.sum()
    }
}
