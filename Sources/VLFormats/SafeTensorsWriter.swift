// Writing safetensors files the way the reference writer (huggingface/safetensors) does:
// compact JSON header padded with spaces to a multiple of 8, tensors ordered by descending
// dtype then name, data written through AtomicFile.

import Foundation

/// Collects tensors and metadata, then writes them as one safetensors file.
///
/// ```swift
/// var writer = SafeTensorsWriter(metadata: ["format": "pt"])
/// try writer.add("weight", floats: values, shape: [4, 8])
/// try writer.write(to: url)
/// ```
public struct SafeTensorsWriter: Sendable {
    /// String pairs stored as `__metadata__` (omitted when empty; keys written in sorted order).
    public var metadata: [String: String]
    private var entries: [Entry] = []
    private var names: Set<String> = []

    private struct Entry: Sendable {
        var name: String
        var dtype: ElementType
        var shape: [Int]
        var bytes: [UInt8]
    }

    /// An empty file with optional metadata.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a floating-point tensor stored as `dtype` (`.float32`, `.float16`, `.bfloat16` or
    /// `.float64`; narrowing rounds to nearest even). `values` are row-major with `shape`.
    public mutating func add(
        _ name: String, floats values: UnsafeBufferPointer<Float>, shape: [Int],
        as dtype: ElementType = .float32
    ) throws(SafeTensorsError) {
        guard [.float32, .float16, .bfloat16, .float64].contains(dtype) else {
            throw .invalidTensorData(tensor: name, reason: "cannot store floats as \(dtype.rawValue)")
        }
        try checkNew(name, shape: shape, count: values.count)
        append(Entry(name: name, dtype: dtype, shape: shape, bytes: ElementCoding.encodeFloats(values, as: dtype)))
    }

    /// Adds a floating-point tensor from an array, stored as `dtype` (see the buffer variant).
    public mutating func add(
        _ name: String, floats values: [Float], shape: [Int], as dtype: ElementType = .float32
    ) throws(SafeTensorsError) {
        try values.withUnsafeBufferPointer { (buffer) throws(SafeTensorsError) in
            try add(name, floats: buffer, shape: shape, as: dtype)
        }
    }

    /// Adds an integer tensor stored as `dtype` (`.int64`, `.int32`, `.int16`, `.int8` or `.uint8`).
    public mutating func add(
        _ name: String, integers values: [Int], shape: [Int], as dtype: ElementType = .int64
    ) throws(SafeTensorsError) {
        guard [.int64, .int32, .int16, .int8, .uint8].contains(dtype) else {
            throw .invalidTensorData(tensor: name, reason: "cannot store integers as \(dtype.rawValue)")
        }
        try checkNew(name, shape: shape, count: values.count)
        switch ElementCoding.encodeIntegers(values, as: dtype) {
        case .success(let bytes):
            append(Entry(name: name, dtype: dtype, shape: shape, bytes: bytes))
        case .failure(let error):
            throw .invalidTensorData(
                tensor: name, reason: "value \(values[error.index]) does not fit in \(dtype.rawValue)")
        }
    }

    /// The complete file contents: length, padded header, data.
    public func encoded() -> Data {
        let ordered = orderedEntries()
        var data = headerBytes(ordered)
        for entry in ordered { data.append(contentsOf: entry.bytes) }
        return data
    }

    /// Writes the file atomically to `url`, streaming the tensors after the header.
    public func write(to url: URL) throws {
        let ordered = orderedEntries()
        try AtomicFile.write(to: url) { sink in
            try sink.write(headerBytes(ordered))
            for entry in ordered { try sink.write(entry.bytes) }
        }
    }

    // MARK: - Layout

    private func checkNew(_ name: String, shape: [Int], count: Int) throws(SafeTensorsError) {
        guard name != "__metadata__" else {
            throw .invalidTensorData(tensor: name, reason: "the name is reserved for metadata")
        }
        guard !names.contains(name) else { throw .invalidTensorData(tensor: name, reason: "added twice") }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidTensorData(tensor: name, reason: "negative extent in shape \(shape)")
        }
        var expected = 1
        for extent in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw .invalidTensorData(tensor: name, reason: "shape \(shape) is too large") }
            expected = product
        }
        guard expected == count else {
            throw .invalidTensorData(tensor: name, reason: "\(count) values cannot have shape \(shape)")
        }
    }

    private mutating func append(_ entry: Entry) {
        entries.append(entry)
        names.insert(entry.name)
    }

    /// Descending dtype (larger elements first, which keeps each tensor naturally aligned),
    /// then ascending name bytes: the reference writer's order.
    private func orderedEntries() -> [Entry] {
        entries.sorted { left, right in
            if left.dtype != right.dtype { return left.dtype.declarationIndex > right.dtype.declarationIndex }
            return left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
        }
    }

    /// The 8-byte length followed by the JSON header padded with spaces to a multiple of 8.
    private func headerBytes(_ ordered: [Entry]) -> Data {
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            members.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for entry in ordered {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            let end = offset + entry.bytes.count
            members.append(
                "\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var json = Array("{\(members.joined(separator: ","))}".utf8)
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        var data = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: json)
        return data
    }
}

/// A JSON string literal escaped as serde_json writes it (non-ASCII text is kept as UTF-8).
func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case "\u{08}": result += "\\b"
        case "\u{0C}": result += "\\f"
        case let control where control.value < 0x20:
            result += "\\u00" + (control.value < 0x10 ? "0" : "") + String(control.value, radix: 16)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
