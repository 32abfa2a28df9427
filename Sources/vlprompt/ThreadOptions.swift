// The `--threads` option every compute-heavy command shares.

import ArgumentParser
import VLKernels

/// How many threads kernels and OpenBLAS may use.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Threads for kernels and OpenBLAS (default: all cores).")
    var threads: Int?

    /// Applies the choice to ``Kernels/setThreadCount(_:)`` and returns the count in force.
    @discardableResult
    func apply() throws -> Int {
        if let threads {
            guard threads > 0 else { throw ValidationError("--threads must be positive, got \(threads)") }
            Kernels.setThreadCount(threads)
        } else {
            Kernels.setThreadCount(Kernels.availableCores)
        }
        return Kernels.threadCount
    }
}
