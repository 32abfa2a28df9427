// The bytes of a whole file, memory-mapped read-only (or read into memory when mapping fails),
// kept alive as long as any reader refers to them.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only view of a file's bytes. Mapped with `mmap` where possible, so opening a large
/// checkpoint costs no copy; otherwise read into an owned buffer.
final class MappedFile: @unchecked Sendable {
    /// The file the bytes came from.
    let url: URL
    /// The file's bytes, valid for the lifetime of this object.
    let bytes: UnsafeRawBufferPointer
    private let isMapped: Bool

    /// Why a file could not be opened.
    struct OpenError: Error {
        var reason: String
    }

    /// Opens `url`, mapping it if the system allows and reading it otherwise.
    init(url: URL) throws(OpenError) {
        self.url = url
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw OpenError(reason: MappedFile.systemError()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw OpenError(reason: MappedFile.systemError()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw OpenError(reason: "not a regular file") }
        let size = Int(status.st_size)
        let address = size > 0 ? mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0) : nil
        if let address, address != MAP_FAILED {
            bytes = UnsafeRawBufferPointer(start: address, count: size)
            isMapped = true
        } else {
            bytes = try MappedFile.readWhole(descriptor, size: size)
            isMapped = false
        }
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    /// Reads `size` bytes from the start of an open file into a new buffer.
    private static func readWhole(_ descriptor: Int32, size: Int) throws(OpenError) -> UnsafeRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 64)
        var filled = 0
        while filled < size {
            let count = pread(descriptor, buffer.baseAddress! + filled, size - filled, off_t(filled))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                buffer.deallocate()
                throw OpenError(reason: count < 0 ? systemError() : "file shrank while reading")
            }
            filled += count
        }
        return UnsafeRawBufferPointer(start: buffer.baseAddress, count: size)
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
