// Reading safetensors files (huggingface/safetensors format): a validated header over the
// memory-mapped file, and conversions of stored tensors to Float or Int arrays.

import Foundation

/// A safetensors file opened for reading.
///
/// Opening maps the file and validates the whole header (formats.md §3.1), so every later
/// read stays inside the file. Tensor data is decoded only when asked for.
///
/// ```swift
/// let file = try SafeTensorsFile(url: weightsURL)
/// let weight = try file.floats("visual.proj")
/// ```
public final class SafeTensorsFile: Sendable {
    /// The file this was read from.
    public let url: URL
    /// Tensor names in the order the header lists them.
    public let names: [String]
    /// The string pairs of `__metadata__` (empty when absent).
    public let metadata: [String: String]
    private let infos: [String: SafeTensorInfo]
    private let file: MappedFile
    private let dataStart: Int

    /// Opens and validates the file at `url`.
    public init(url: URL) throws(SafeTensorsError) {
        do {
            file = try MappedFile(url: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.reason)
        }
        let header = try SafeTensorsHeader(fileBytes: file.bytes, file: url.path)
        self.url = url
        names = header.tensors.map(\.name)
        metadata = header.metadata
        infos = Dictionary(uniqueKeysWithValues: header.tensors.map { ($0.name, $0) })
        dataStart = header.dataStart
    }

    /// Tensor names in ascending byte order.
    public var sortedNames: [String] {
        names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Whether the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { infos[name] != nil }

    /// The dtype, shape and location of tensor `name`.
    public func info(_ name: String) throws(SafeTensorsError) -> SafeTensorInfo {
        guard let info = infos[name] else { throw .missingTensor(file: url.path, tensor: name) }
        return info
    }

    /// Calls `body` with the raw little-endian bytes of tensor `name`. The bytes may be
    /// unaligned and are valid only inside `body`.
    public func withBytes<Result>(
        of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        try body(bytes(try info(name)))
    }

    /// Tensor `name` (F32, F16, BF16 or F64) as Float32 values in row-major order.
    public func floats(_ name: String) throws(SafeTensorsError) -> [Float] {
        let info = try floatInfo(name)
        return [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            ElementCoding.decodeFloats(bytes(info), as: info.dtype, into: buffer)
            initialized = info.elementCount
        }
    }

    /// Decodes tensor `name` (F32, F16, BF16 or F64) into `output`, which must hold exactly
    /// its element count.
    public func floats(
        _ name: String, into output: UnsafeMutableBufferPointer<Float>
    ) throws(SafeTensorsError) {
        let info = try floatInfo(name)
        precondition(output.count == info.elementCount, "output for '\(name)' has the wrong size")
        ElementCoding.decodeFloats(bytes(info), as: info.dtype, into: output)
    }

    /// Tensor `name` (I64, I32, I16, I8, U64, U32, U16, U8 or BOOL) as `Int` values.
    public func integers(_ name: String) throws(SafeTensorsError) -> [Int] {
        let info = try info(name)
        guard info.dtype.convertsToInteger else {
            throw .unsupportedConversion(file: url.path, tensor: name, dtype: info.dtype, target: "Int")
        }
        switch ElementCoding.decodeIntegers(bytes(info), as: info.dtype) {
        case .success(let values): return values
        case .failure(let error): throw .valueOutOfRange(file: url.path, tensor: name, index: error.index)
        }
    }

    private func floatInfo(_ name: String) throws(SafeTensorsError) -> SafeTensorInfo {
        let info = try info(name)
        guard info.dtype.convertsToFloat else {
            throw .unsupportedConversion(file: url.path, tensor: name, dtype: info.dtype, target: "Float")
        }
        return info
    }

    private func bytes(_ info: SafeTensorInfo) -> UnsafeRawBufferPointer {
        let start = dataStart + info.byteRange.lowerBound
        return UnsafeRawBufferPointer(rebasing: file.bytes[start..<(start + info.byteRange.count)])
    }
}
