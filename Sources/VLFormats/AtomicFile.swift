// Crash-safe file replacement: write a temporary file beside the target, fsync it, then
// rename it over the target, so readers see either the old file or the complete new one.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Atomic whole-file writes. On any failure the target is left untouched and the temporary
/// file is removed.
public enum AtomicFile {
    /// Replaces the file at `url` with `data`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { sink in try sink.write(data) }
    }

    /// Replaces the file at `url` with whatever `body` writes to the sink it is given, so large
    /// files can be streamed without assembling them in memory.
    public static func write(to url: URL, _ body: (Sink) throws -> Void) throws {
        let temporary = temporaryURL(beside: url)
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AtomicFileError(file: url.path, operation: "create a temporary file", reason: systemError())
        }
        do {
            try fill(descriptor, url: url, body)
        } catch {
            unlink(temporary.path)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = systemError()
            unlink(temporary.path)
            throw AtomicFileError(file: url.path, operation: "rename the temporary file", reason: reason)
        }
        syncDirectory(of: url)
    }

    /// Runs `body` on the open descriptor, flushes it to disk and closes it.
    private static func fill(_ descriptor: Int32, url: URL, _ body: (Sink) throws -> Void) throws {
        do {
            try body(Sink(descriptor: descriptor, file: url.path))
        } catch {
            close(descriptor)
            throw error
        }
        let synced = fsync(descriptor) == 0
        let syncReason = synced ? "" : systemError()
        let closed = close(descriptor) == 0
        guard synced, closed else {
            throw AtomicFileError(
                file: url.path, operation: "flush the data", reason: synced ? systemError() : syncReason)
        }
    }

    /// A unique hidden name in the target's directory, so the final rename stays on one file system.
    private static func temporaryURL(beside url: URL) -> URL {
        url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    }

    /// Makes the rename itself durable; best effort, as some file systems refuse it.
    private static func syncDirectory(of url: URL) {
        let descriptor = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    fileprivate static func systemError() -> String { String(cString: strerror(errno)) }

    /// Appends bytes to the temporary file of an atomic write.
    public struct Sink {
        fileprivate let descriptor: Int32
        fileprivate let file: String

        /// Appends `bytes` (a `Data`, `[UInt8]`, or raw buffer) to the file.
        public func write(_ bytes: some ContiguousBytes) throws {
            try bytes.withUnsafeBytes { raw in
                var written = 0
                while written < raw.count {
                    let count = systemWrite(descriptor, raw.baseAddress! + written, raw.count - written)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else {
                        throw AtomicFileError(file: file, operation: "write", reason: systemError())
                    }
                    written += count
                }
            }
        }
    }
}

/// Why an atomic write failed.
public struct AtomicFileError: Error, CustomStringConvertible {
    /// The target file.
    public var file: String
    /// The step that failed.
    public var operation: String
    /// The system's explanation.
    public var reason: String

    public var description: String { "\(file): cannot \(operation): \(reason)" }
}

/// POSIX `write`, reachable from inside `Sink.write`, whose name shadows it.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
