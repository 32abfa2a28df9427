// Conversion between stored little-endian element bytes and Float / Int values.
// BF16 is the high half of an IEEE binary32; F16 is IEEE binary16 (Swift's native Float16).

/// Decoding and encoding of raw little-endian element bytes. Loads are unaligned-safe, so
/// bytes may start anywhere in a mapped file.
enum ElementCoding {
    /// Decodes `output.count` floating-point elements of `type` from `bytes`.
    /// The caller checks that `type.convertsToFloat` and that `bytes` holds exactly that many.
    static func decodeFloats(
        _ bytes: UnsafeRawBufferPointer, as type: ElementType,
        into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(type.convertsToFloat && bytes.count == output.count * type.bitWidth / 8)
        switch type {
        case .float32:
            #if _endian(little)
                if let source = bytes.baseAddress, let target = output.baseAddress {
                    UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: bytes.count)
                }
            #else
                for i in output.indices {
                    output[i] = Float(bitPattern: load(UInt32.self, bytes, i))
                }
            #endif
        case .float16:
            for i in output.indices {
                output[i] = Float(Float16(bitPattern: load(UInt16.self, bytes, i)))
            }
        case .bfloat16:
            // bfloat16 is the top 16 bits of a Float32, so widening is a shift.
            for i in output.indices {
                output[i] = Float(bitPattern: UInt32(load(UInt16.self, bytes, i)) << 16)
            }
        case .float64:
            for i in output.indices {
                output[i] = Float(Double(bitPattern: load(UInt64.self, bytes, i)))
            }
        default:
            preconditionFailure("\(type) is not a floating-point type")
        }
    }

    /// Decodes integer (or boolean) elements of `type` from `bytes`. Returns the index of the
    /// first element that does not fit in `Int` (only possible for U64) instead of wrapping it.
    static func decodeIntegers(
        _ bytes: UnsafeRawBufferPointer, as type: ElementType
    ) -> Result<[Int], OutOfRange> {
        precondition(type.convertsToInteger)
        let count = bytes.count / (type.bitWidth / 8)
        var values = [Int](repeating: 0, count: count)
        for i in 0..<count {
            switch type {
            case .bool: values[i] = load(UInt8.self, bytes, i) == 0 ? 0 : 1
            case .uint8: values[i] = Int(load(UInt8.self, bytes, i))
            case .int8: values[i] = Int(Int8(bitPattern: load(UInt8.self, bytes, i)))
            case .int16: values[i] = Int(Int16(bitPattern: load(UInt16.self, bytes, i)))
            case .uint16: values[i] = Int(load(UInt16.self, bytes, i))
            case .int32: values[i] = Int(Int32(bitPattern: load(UInt32.self, bytes, i)))
            case .uint32: values[i] = Int(load(UInt32.self, bytes, i))
            case .int64: values[i] = Int(Int64(bitPattern: load(UInt64.self, bytes, i)))
            case .uint64:
                guard let value = Int(exactly: load(UInt64.self, bytes, i)) else {
                    return .failure(OutOfRange(index: i))
                }
                values[i] = value
            default: preconditionFailure("\(type) is not an integer type")
            }
        }
        return .success(values)
    }

    /// The element at `index` does not fit the target type.
    struct OutOfRange: Error {
        var index: Int
    }

    /// Encodes floats as `type` (F32, F16 or BF16, rounding to nearest even as PyTorch does).
    static func encodeFloats(_ values: UnsafeBufferPointer<Float>, as type: ElementType) -> [UInt8] {
        switch type {
        case .float32: return encode(values.map { $0.bitPattern })
        case .float16: return encode(values.map { Float16($0).bitPattern })
        case .bfloat16: return encode(values.map(bfloat16Bits))
        case .float64: return encode(values.map { Double($0).bitPattern })
        default: preconditionFailure("\(type) is not a floating-point type")
        }
    }

    /// Encodes integers as `type`, or reports the first value that does not fit.
    static func encodeIntegers(_ values: [Int], as type: ElementType) -> Result<[UInt8], OutOfRange> {
        func narrowed<T: FixedWidthInteger>(_: T.Type) -> Result<[T], OutOfRange> {
            var result = [T]()
            result.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                guard let narrow = T(exactly: value) else { return .failure(OutOfRange(index: index)) }
                result.append(narrow)
            }
            return .success(result)
        }
        switch type {
        case .int64: return .success(encode(values.map { Int64($0) }))
        case .int32: return narrowed(Int32.self).map(encode)
        case .int16: return narrowed(Int16.self).map(encode)
        case .int8: return narrowed(Int8.self).map(encode)
        case .uint8: return narrowed(UInt8.self).map(encode)
        default: preconditionFailure("\(type) is not a writable integer type")
        }
    }

    /// Round-to-nearest-even truncation of a Float32 to its top 16 bits; NaN stays a quiet NaN.
    static func bfloat16Bits(_ value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        let roundingBias = ((bits >> 16) & 1) + 0x7FFF
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    private static func load<T: FixedWidthInteger>(
        _: T.Type, _ bytes: UnsafeRawBufferPointer, _ index: Int
    ) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
    }

    private static func encode<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * MemoryLayout<T>.size)
        bytes.withUnsafeMutableBytes { raw in
            for (i, value) in values.enumerated() {
                raw.storeBytes(
                    of: value.littleEndian, toByteOffset: i * MemoryLayout<T>.size, as: T.self)
            }
        }
        return bytes
    }
}
