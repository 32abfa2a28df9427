// A minimal read-only ZIP reader (PKWARE APPNOTE 6.3): the central directory, ZIP64 records,
// and stored entries, which is what PyTorch's archive writer produces for tensor data.

/// The entries of a ZIP file held in memory (typically a ``MappedFile``).
///
/// Sizes and offsets come from the central directory (PyTorch sets the data-descriptor flag,
/// so local headers carry zero sizes). Every offset is checked against the file size.
struct ZipArchive {
    /// One file in the archive.
    struct Entry {
        var name: String
        /// 0 = stored, 8 = deflate, …
        var compressionMethod: UInt16
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    /// Why the bytes are not a readable ZIP archive, or an entry cannot be read.
    enum Failure: Error, Equatable {
        case invalid(String)
        case compressedEntry(name: String, method: UInt16)
        case missingEntry(String)
    }

    /// Entries in central-directory order.
    let entries: [Entry]
    private let bytes: UnsafeRawBufferPointer
    private let index: [String: Int]

    /// Reads the central directory of the archive in `bytes`, which must outlive the archive.
    init(bytes: UnsafeRawBufferPointer) throws(Failure) {
        self.bytes = bytes
        let directory = try ZipArchive.locateDirectory(bytes)
        var entries: [Entry] = []
        var offset = directory.offset
        for _ in 0..<directory.count {
            let (entry, next) = try ZipArchive.readDirectoryEntry(bytes, at: offset)
            entries.append(entry)
            offset = next
        }
        self.entries = entries
        self.index = Dictionary(entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether the archive has an entry called `name`.
    func contains(_ name: String) -> Bool { index[name] != nil }

    /// The bytes of a stored (uncompressed) entry, a view into the archive's memory.
    func data(of name: String) throws(Failure) -> UnsafeRawBufferPointer {
        guard let position = index[name] else { throw .missingEntry(name) }
        let entry = entries[position]
        guard entry.compressionMethod == 0 else {
            throw .compressedEntry(name: name, method: entry.compressionMethod)
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw .invalid("stored entry '\(name)' has different compressed and uncompressed sizes")
        }
        let header = entry.localHeaderOffset
        guard header <= bytes.count else { throw .invalid("local header of '\(name)' lies outside the file") }
        guard try read(UInt32.self, at: header) == 0x0403_4B50 else {
            throw .invalid("no local header for '\(name)' at offset \(header)")
        }
        let nameLength = Int(try read(UInt16.self, at: header + 26))
        let extraLength = Int(try read(UInt16.self, at: header + 28))
        let start = header + 30 + nameLength + extraLength
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw .invalid("data of '\(name)' runs past the end of the file")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<(start + entry.compressedSize)])
    }

    // MARK: - Central directory

    private struct DirectoryLocation {
        var offset: Int
        var count: Int
    }

    /// Finds the end-of-central-directory record (and its ZIP64 version when present).
    private static func locateDirectory(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> DirectoryLocation {
        let end = try findEndRecord(bytes)
        var count = Int(try read(UInt16.self, bytes, at: end + 10))
        var size = Int(try read(UInt32.self, bytes, at: end + 12))
        var offset = Int(try read(UInt32.self, bytes, at: end + 16))
        if end >= 20, try read(UInt32.self, bytes, at: end - 20) == 0x0706_4B50 {
            let record = try checkedInt(try read(UInt64.self, bytes, at: end - 20 + 8), "ZIP64 record offset")
            guard record <= end, try read(UInt32.self, bytes, at: record) == 0x0606_4B50 else {
                throw .invalid("ZIP64 end-of-directory locator points to no record")
            }
            count = try checkedInt(try read(UInt64.self, bytes, at: record + 32), "entry count")
            size = try checkedInt(try read(UInt64.self, bytes, at: record + 40), "directory size")
            offset = try checkedInt(try read(UInt64.self, bytes, at: record + 48), "directory offset")
        }
        guard offset <= bytes.count, size <= bytes.count - offset else {
            throw .invalid("central directory at \(offset) (\(size) bytes) lies outside the file")
        }
        // Each directory entry takes at least 46 bytes; a larger count is a lie.
        guard count <= size / 46 else { throw .invalid("central directory too small for \(count) entries") }
        return DirectoryLocation(offset: offset, count: count)
    }

    /// The end-of-central-directory signature, searched backwards over the maximal comment.
    private static func findEndRecord(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> Int {
        guard bytes.count >= 22 else { throw .invalid("too short for a ZIP file (\(bytes.count) bytes)") }
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        for position in stride(from: bytes.count - 22, through: lowest, by: -1)
        where bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self) == UInt32(0x0605_4B50).littleEndian {
            return position
        }
        throw .invalid("no end-of-central-directory record")
    }

    /// Reads one central-directory header; returns it and the offset of the next.
    private static func readDirectoryEntry(
        _ bytes: UnsafeRawBufferPointer, at offset: Int
    ) throws(Failure) -> (Entry, Int) {
        guard try read(UInt32.self, bytes, at: offset) == 0x0201_4B50 else {
            throw .invalid("bad central directory entry at offset \(offset)")
        }
        let method = try read(UInt16.self, bytes, at: offset + 10)
        var compressed = UInt64(try read(UInt32.self, bytes, at: offset + 20))
        var uncompressed = UInt64(try read(UInt32.self, bytes, at: offset + 24))
        let nameLength = Int(try read(UInt16.self, bytes, at: offset + 28))
        let extraLength = Int(try read(UInt16.self, bytes, at: offset + 30))
        let commentLength = Int(try read(UInt16.self, bytes, at: offset + 32))
        var headerOffset = UInt64(try read(UInt32.self, bytes, at: offset + 42))
        let nameStart = offset + 46
        let extraStart = nameStart + nameLength
        let next = extraStart + extraLength + commentLength
        guard next <= bytes.count else { throw .invalid("central directory entry at \(offset) is truncated") }
        let name = String(decoding: bytes[nameStart..<extraStart], as: UTF8.self)
        try applyZip64Extra(
            bytes, extraStart..<(extraStart + extraLength),
            uncompressed: &uncompressed, compressed: &compressed, headerOffset: &headerOffset)
        let entry = Entry(
            name: name, compressionMethod: method,
            compressedSize: try checkedInt(compressed, "size of '\(name)'"),
            uncompressedSize: try checkedInt(uncompressed, "size of '\(name)'"),
            localHeaderOffset: try checkedInt(headerOffset, "offset of '\(name)'"))
        return (entry, next)
    }

    /// Replaces 0xFFFFFFFF placeholders with the 64-bit values of the ZIP64 extra field (id 1),
    /// which lists only the fields that overflowed, in this order.
    private static func applyZip64Extra(
        _ bytes: UnsafeRawBufferPointer, _ extra: Range<Int>,
        uncompressed: inout UInt64, compressed: inout UInt64, headerOffset: inout UInt64
    ) throws(Failure) {
        var position = extra.lowerBound
        while position + 4 <= extra.upperBound {
            let id = try read(UInt16.self, bytes, at: position)
            let size = Int(try read(UInt16.self, bytes, at: position + 2))
            let fieldEnd = position + 4 + size
            guard fieldEnd <= extra.upperBound else { throw .invalid("extra field overruns its entry") }
            if id == 1 {
                var cursor = position + 4
                func next() throws(Failure) -> UInt64 {
                    guard cursor + 8 <= fieldEnd else { throw .invalid("short ZIP64 extra field") }
                    defer { cursor += 8 }
                    return try read(UInt64.self, bytes, at: cursor)
                }
                if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
                if compressed == 0xFFFF_FFFF { compressed = try next() }
                if headerOffset == 0xFFFF_FFFF { headerOffset = try next() }
            }
            position = fieldEnd
        }
    }

    // MARK: - Bounds-checked little-endian loads

    private func read<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) throws(Failure) -> T {
        try ZipArchive.read(type, bytes, at: offset)
    }

    private static func read<T: FixedWidthInteger>(
        _: T.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int
    ) throws(Failure) -> T {
        guard offset >= 0, offset <= bytes.count - MemoryLayout<T>.size else {
            throw .invalid("offset \(offset) lies outside the file")
        }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    private static func checkedInt(_ value: UInt64, _ what: String) throws(Failure) -> Int {
        guard let result = Int(exactly: value) else { throw .invalid("\(what) is too large") }
        return result
    }
}
