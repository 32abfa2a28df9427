// The validated contents of a PyTorch ZIP archive held in memory: the flattened tensors and
// where each storage's bytes lie, with decoding of (possibly strided) views.

/// Everything ``TorchCheckpoint`` knows about an archive, independent of how its bytes were
/// obtained (so tests can check damaged archives in memory).
struct TorchArchive {
    var format: TorchCheckpoint.Format
    /// State-dict keys in pickle order.
    var names: [String]
    var tensors: [String: TorchTensorReference]
    /// Byte range of each storage's data within the archive bytes.
    var storageRanges: [String: Range<Int>]

    /// Decodes and validates the archive in `bytes`; `file` names it in errors.
    init(bytes: UnsafeRawBufferPointer, file: String, allowedClasses: Set<String>) throws(TorchCheckpointError) {
        let archive = try TorchArchive.openArchive(bytes, file: file)
        let root = try TorchArchive.rootFolder(archive, file: file)
        let pickle = try TorchArchive.readPickle(
            archive, entry: root + "data.pkl", reader: PickleReader(allowedClasses: allowedClasses), file: file)
        let flattened = try StateDictFlattener.flatten(pickle, file: file)
        var ranges: [String: Range<Int>] = [:]
        var storages: [String: TorchStorage] = [:]
        for (name, tensor) in flattened.tensors {
            let key = tensor.storage.key
            if let known = storages[key], known != tensor.storage {
                throw .invalidTensor(file: file, tensor: name, reason: "storage '\(key)' is described inconsistently")
            }
            if ranges[key] == nil {
                ranges[key] = try TorchArchive.storageRange(
                    tensor, name: name, archive: archive, root: root, fileBytes: bytes, file: file)
                storages[key] = tensor.storage
            }
            try TorchArchive.checkView(tensor, name: name, file: file)
        }
        format = flattened.format
        names = flattened.tensors.map(\.name)
        tensors = Dictionary(flattened.tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        storageRanges = ranges
    }

    // MARK: - Data access

    /// A floating-point view's elements in row-major order, widened to Float32.
    func floats(_ tensor: TorchTensorReference, fileBytes: UnsafeRawBufferPointer) -> [Float] {
        guard let span = elementSpan(tensor) else { return [] }
        let values = [Float](unsafeUninitializedCapacity: span.count) { buffer, initialized in
            ElementCoding.decodeFloats(bytes(tensor.storage, elements: span, fileBytes), as: tensor.dtype, into: buffer)
            initialized = span.count
        }
        return StridedCopy.gather(values, shape: tensor.shape, strides: tensor.strides)
    }

    /// An integer view's elements in row-major order.
    func integers(
        _ tensor: TorchTensorReference, fileBytes: UnsafeRawBufferPointer
    ) -> Result<[Int], ElementCoding.OutOfRange> {
        guard let span = elementSpan(tensor) else { return .success([]) }
        return ElementCoding.decodeIntegers(bytes(tensor.storage, elements: span, fileBytes), as: tensor.dtype)
            .map { StridedCopy.gather($0, shape: tensor.shape, strides: tensor.strides) }
    }

    /// The storage elements a view touches, from its offset to its last element; nil if empty.
    private func elementSpan(_ tensor: TorchTensorReference) -> Range<Int>? {
        guard tensor.elementCount > 0 else { return nil }
        let last = zip(tensor.shape, tensor.strides).reduce(tensor.offset) { $0 + ($1.0 - 1) * $1.1 }
        return tensor.offset..<(last + 1)
    }

    private func bytes(
        _ storage: TorchStorage, elements: Range<Int>, _ fileBytes: UnsafeRawBufferPointer
    ) -> UnsafeRawBufferPointer {
        let size = storage.dtype.bitWidth / 8
        let start = storageRanges[storage.key]!.lowerBound + elements.lowerBound * size
        return UnsafeRawBufferPointer(rebasing: fileBytes[start..<(start + elements.count * size)])
    }

    // MARK: - Opening

    /// The first bytes of a legacy torch.save file: pickle PROTO 2, LONG1 of the 10-byte magic
    /// number 0x1950a86a20f9469cfc6c.
    private static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    private static func openArchive(_ bytes: UnsafeRawBufferPointer, file: String) throws(TorchCheckpointError) -> ZipArchive {
        if bytes.starts(with: legacyMagic) { throw .legacyFormat(file: file) }
        do {
            return try ZipArchive(bytes: bytes)
        } catch {
            throw translate(error, file: file)
        }
    }

    /// The single top-level folder holding `data.pkl` (its name varies: the archive name,
    /// `archive`, a model name); `byteorder`, when present, must say little-endian.
    private static func rootFolder(_ archive: ZipArchive, file: String) throws(TorchCheckpointError) -> String {
        let candidates = archive.entries.map(\.name).filter { name in
            name.hasSuffix("/data.pkl") && name.dropLast("/data.pkl".count).firstIndex(of: "/") == nil
        }
        guard candidates.count == 1 else {
            if candidates.isEmpty { throw .missingEntry(file: file, entry: "<root>/data.pkl") }
            throw .invalidArchive(file: file, reason: "several top-level data.pkl entries")
        }
        let root = String(candidates[0].dropLast("data.pkl".count))
        if archive.contains(root + "byteorder") {
            let order: UnsafeRawBufferPointer
            do { order = try archive.data(of: root + "byteorder") } catch { throw translate(error, file: file) }
            guard Array(order) == Array("little".utf8) else {
                throw .invalidArchive(file: file, reason: "byte order '\(String(decoding: order, as: UTF8.self))' is not little")
            }
        }
        return root
    }

    private static func readPickle(
        _ archive: ZipArchive, entry: String, reader: PickleReader, file: String
    ) throws(TorchCheckpointError) -> Pickle {
        let bytes: UnsafeRawBufferPointer
        do { bytes = try archive.data(of: entry) } catch { throw translate(error, file: file) }
        do {
            return try reader.read(bytes)
        } catch {
            throw .invalidPickle(file: file, entry: entry, error: error)
        }
    }

    /// Locates `<root>/data/<key>` and checks it holds exactly the storage's elements.
    private static func storageRange(
        _ tensor: TorchTensorReference, name: String, archive: ZipArchive, root: String,
        fileBytes: UnsafeRawBufferPointer, file: String
    ) throws(TorchCheckpointError) -> Range<Int> {
        let entry = root + "data/" + tensor.storage.key
        let data: UnsafeRawBufferPointer
        do { data = try archive.data(of: entry) } catch { throw translate(error, file: file) }
        let (expected, overflow) = tensor.storage.count.multipliedReportingOverflow(by: tensor.dtype.bitWidth / 8)
        guard !overflow, data.count == expected else {
            throw .invalidTensor(
                file: file, tensor: name,
                reason: "storage '\(entry)' has \(data.count) bytes, not \(tensor.storage.count) "
                    + "\(tensor.dtype.rawValue) elements")
        }
        let start = data.baseAddress.map { $0 - fileBytes.baseAddress! } ?? 0
        return start..<(start + data.count)
    }

    /// Every element the view addresses must lie inside its storage.
    private static func checkView(_ tensor: TorchTensorReference, name: String, file: String) throws(TorchCheckpointError) {
        var count = 1
        var last = tensor.offset
        for (extent, stride) in zip(tensor.shape, tensor.strides) {
            let (product, countOverflow) = count.multipliedReportingOverflow(by: extent)
            let (reach, reachOverflow) = (extent == 0 ? 0 : extent - 1).multipliedReportingOverflow(by: stride)
            let (sum, sumOverflow) = last.addingReportingOverflow(reach)
            guard !countOverflow, !reachOverflow, !sumOverflow else {
                throw .invalidTensor(file: file, tensor: name, reason: "shape \(tensor.shape) is too large")
            }
            count = product
            last = sum
        }
        guard count == 0 || last < tensor.storage.count else {
            throw .invalidTensor(
                file: file, tensor: name,
                reason: "view (offset \(tensor.offset), shape \(tensor.shape), strides \(tensor.strides)) "
                    + "reaches element \(last) of a storage of \(tensor.storage.count)")
        }
    }

    private static func translate(_ error: ZipArchive.Failure, file: String) -> TorchCheckpointError {
        switch error {
        case .invalid(let reason): .invalidArchive(file: file, reason: reason)
        case .compressedEntry(let name, let method): .compressedEntry(file: file, entry: name, method: Int(method))
        case .missingEntry(let name): .missingEntry(file: file, entry: name)
        }
    }
}

/// Copies a strided view into row-major order.
enum StridedCopy {
    /// `span` holds the storage from the view's offset on; returns the view's elements in
    /// row-major order. A contiguous view is returned as is.
    static func gather<T>(_ span: [T], shape: [Int], strides: [Int]) -> [T] {
        let count = shape.reduce(1, *)
        if span.count == count && isRowMajor(shape: shape, strides: strides) { return span }
        var result: [T] = []
        result.reserveCapacity(count)
        var index = [Int](repeating: 0, count: shape.count)
        var position = 0
        for _ in 0..<count {
            result.append(span[position])
            // Odometer increment over the axes, last axis fastest.
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                position += strides[axis]
                if index[axis] < shape[axis] { break }
                position -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// Whether `strides` are the row-major strides of `shape` (axes of extent 1 may have any stride).
    static func isRowMajor(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            if shape[axis] != 1 && strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }
}
