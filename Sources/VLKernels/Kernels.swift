// The kernel layer: loops over raw Float buffers and the one call into BLAS.
// Nothing here knows about shapes-as-types, tensors or gradients (llm.c's kernel/op split).

import Dispatch
import Synchronization

/// Namespace for the buffer kernels. Every function is pure: it reads its inputs and writes
/// only its output buffer.
public enum Kernels {
    private static let configuredThreads = Atomic<Int>(0)

    /// Threads used by kernels and by OpenBLAS, defaulting to every core.
    ///
    /// Kernels split work into at most this many chunks; OpenBLAS is told the same number,
    /// and kernels never call BLAS from inside a parallel region, so the two pools never
    /// oversubscribe the cores.
    public static var threadCount: Int {
        let value = configuredThreads.load(ordering: .relaxed)
        return value > 0 ? value : availableCores
    }

    /// Sets the thread count for kernels and OpenBLAS. Values below 1 mean "all cores".
    public static func setThreadCount(_ count: Int) {
        let resolved = count > 0 ? count : availableCores
        configuredThreads.store(resolved, ordering: .relaxed)
        BLAS.setThreads(resolved)
    }

    /// Cores the operating system reports as online.
    public static var availableCores: Int { max(1, System.onlineCores) }

    /// Runs `body(chunkStart, chunkEnd)` over `0..<count` split into contiguous chunks, in
    /// parallel when there are at least `minimumPerChunk` items per chunk.
    ///
    /// Chunk boundaries depend only on `count`, `minimumPerChunk` and the thread count, and each
    /// item is processed by exactly one chunk, so results never depend on scheduling.
    @inlinable
    public static func parallelChunks(
        _ count: Int, minimumPerChunk: Int = 4096, _ body: (Int, Int) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = min(threadCount, max(1, count / max(1, minimumPerChunk)))
        if chunks <= 1 {
            body(0, count)
            return
        }
        withoutActuallyEscaping(body) { body in
            // Each chunk touches a disjoint range of the caller's output, and
            // concurrentPerform returns only after every chunk has finished.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                body(count * chunk / chunks, count * (chunk + 1) / chunks)
            }
        }
    }
}
