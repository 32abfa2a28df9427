// Parsing and validation of a safetensors header (8-byte length, JSON table of tensors),
// enforcing the rules of the reference implementation listed in formats.md §3.1.

/// Where one tensor's data lies in a safetensors file, and how to read it.
public struct SafeTensorInfo: Sendable, Equatable {
    /// The tensor's key in the header.
    public let name: String
    /// Element type of the stored data.
    public let dtype: ElementType
    /// Extent of each axis; `[]` for a scalar.
    public let shape: [Int]
    /// Byte range within the data buffer (which starts after the header).
    public let byteRange: Range<Int>

    /// Number of elements (1 for a scalar, 0 when any axis is 0).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// The validated contents of a header.
struct SafeTensorsHeader {
    /// Upper bound on the header length, as in the reference implementation.
    static let maximumLength: UInt64 = 100_000_000

    /// Tensors in the order the header lists them.
    var tensors: [SafeTensorInfo]
    var metadata: [String: String]
    /// Byte offset of the data buffer in the file.
    var dataStart: Int

    /// Parses and validates the header of a whole file's `bytes`; `file` names it in errors.
    init(fileBytes bytes: UnsafeRawBufferPointer, file: String) throws(SafeTensorsError) {
        guard bytes.count >= 8 else { throw .truncated(file: file, size: bytes.count) }
        let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard length <= SafeTensorsHeader.maximumLength else {
            throw .headerTooLarge(file: file, length: length)
        }
        guard length <= UInt64(bytes.count - 8) else {
            throw .headerBeyondEnd(file: file, headerLength: length, fileSize: bytes.count)
        }
        dataStart = 8 + Int(length)
        let root = try SafeTensorsHeader.parseJSON(Array(bytes[8..<dataStart]), file: file)
        metadata = [:]
        tensors = []
        for (key, value) in root {
            if key == "__metadata__" {
                metadata = try SafeTensorsHeader.parseMetadata(value, file: file)
            } else {
                tensors.append(try SafeTensorsHeader.parseEntry(key, value, file: file))
            }
        }
        try SafeTensorsHeader.checkLayout(tensors, bufferLength: bytes.count - dataStart, file: file)
    }

    /// Decodes the header text into the members of its top-level object.
    private static func parseJSON(
        _ text: [UInt8], file: String
    ) throws(SafeTensorsError) -> [(key: String, value: JSONValue)] {
        guard String(validating: text, as: UTF8.self) != nil else {
            throw .invalidHeader(file: file, reason: "not valid UTF-8")
        }
        guard text.first == UInt8(ascii: "{") else {
            throw .invalidHeader(file: file, reason: "does not start with '{'")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(text)
        } catch let error as JSONDuplicateKeyError {
            throw .duplicateKey(file: file, key: error.key)
        } catch {
            throw .invalidHeader(file: file, reason: "\(error)")
        }
        guard case .object(let members) = root else {
            throw .invalidHeader(file: file, reason: "not a JSON object")
        }
        return members
    }

    private static func parseMetadata(
        _ value: JSONValue, file: String
    ) throws(SafeTensorsError) -> [String: String] {
        guard case .object(let members) = value else {
            throw .invalidMetadata(file: file, key: "__metadata__", reason: "is \(value.kind), not an object")
        }
        var metadata: [String: String] = [:]
        for (key, entry) in members {
            guard case .string(let text) = entry else {
                throw .invalidMetadata(file: file, key: key, reason: "value is \(entry.kind), not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    /// Reads `{"dtype": …, "shape": […], "data_offsets": [begin, end]}`; other fields are ignored,
    /// as the reference reader ignores them.
    private static func parseEntry(
        _ name: String, _ value: JSONValue, file: String
    ) throws(SafeTensorsError) -> SafeTensorInfo {
        func invalid(_ reason: String) -> SafeTensorsError {
            .invalidEntry(file: file, tensor: name, reason: reason)
        }
        guard case .object(let members) = value else { throw invalid("entry is \(value.kind), not an object") }
        let fields = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard case .string(let dtypeName)? = fields["dtype"] else { throw invalid("missing string 'dtype'") }
        guard let dtype = ElementType(rawValue: dtypeName) else {
            throw .unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        guard case .array(let extents)? = fields["shape"] else { throw invalid("missing array 'shape'") }
        let shape = extents.compactMap(\.nonNegativeInteger)
        guard shape.count == extents.count else { throw invalid("shape must list non-negative integers") }
        guard case .array(let offsets)? = fields["data_offsets"], offsets.count == 2,
            let begin = offsets[0].nonNegativeInteger, let end = offsets[1].nonNegativeInteger
        else { throw invalid("'data_offsets' must be two non-negative integers") }
        guard begin <= end else { throw invalid("data_offsets [\(begin), \(end)] end before they begin") }
        let info = SafeTensorInfo(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
        try checkByteCount(info, file: file)
        return info
    }

    /// `end − begin` must equal `product(shape) × bits / 8`, with whole bytes.
    private static func checkByteCount(_ info: SafeTensorInfo, file: String) throws(SafeTensorsError) {
        var bits = info.dtype.bitWidth
        for extent in info.shape {
            let (product, overflow) = bits.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw .invalidEntry(file: file, tensor: info.name, reason: "shape \(info.shape) is too large")
            }
            bits = product
        }
        guard bits % 8 == 0 else {
            throw .invalidEntry(
                file: file, tensor: info.name,
                reason: "shape \(info.shape) of \(info.dtype.rawValue) is not a whole number of bytes")
        }
        guard bits / 8 == info.byteRange.count else {
            throw .byteCountMismatch(
                file: file, tensor: info.name, expected: bits / 8, actual: info.byteRange.count)
        }
    }

    /// Sorted by offset, the tensors must tile the data buffer exactly: no hole, no overlap.
    private static func checkLayout(
        _ tensors: [SafeTensorInfo], bufferLength: Int, file: String
    ) throws(SafeTensorsError) {
        let sorted = tensors.sorted {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound)
        }
        var end = 0
        var previous: String?
        for info in sorted {
            if info.byteRange.lowerBound < end, let previous {
                throw .overlappingTensors(file: file, tensor: info.name, previous: previous)
            }
            if info.byteRange.lowerBound > end {
                throw .gapBeforeTensor(file: file, tensor: info.name, bytes: info.byteRange.lowerBound - end)
            }
            end = info.byteRange.upperBound
            previous = info.name
        }
        guard end == bufferLength else {
            throw .bufferLengthMismatch(file: file, dataEnd: end, bufferLength: bufferLength)
        }
    }
}
