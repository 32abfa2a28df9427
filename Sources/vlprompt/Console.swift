// Where commands write: standard output for results, standard error for per-input problems.
// Tests substitute a capturing console to check both streams without spawning a process.

import Foundation

/// A command's two output streams, one line per call.
struct Console: Sendable {
    /// Writes one line of results.
    var output: @Sendable (String) -> Void
    /// Writes one line about a problem (a file that failed, a text that was rejected).
    var errors: @Sendable (String) -> Void

    /// The process's standard output and standard error.
    static let standard = Console(
        output: { print($0) },
        errors: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
}
