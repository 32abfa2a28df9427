// Every way a safetensors file can be rejected, each naming the file and the tensor or key.
// The checks follow the validation rules of the reference implementation (huggingface/safetensors).

/// Why a safetensors file could not be read or written.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file is shorter than the 8-byte header length.
    case truncated(file: String, size: Int)
    /// The header length exceeds the reference limit of 100,000,000 bytes.
    case headerTooLarge(file: String, length: UInt64)
    /// The header length runs past the end of the file.
    case headerBeyondEnd(file: String, headerLength: UInt64, fileSize: Int)
    /// The header is not UTF-8, not JSON, or not a JSON object.
    case invalidHeader(file: String, reason: String)
    /// A key appears twice in one JSON object of the header.
    case duplicateKey(file: String, key: String)
    /// A tensor entry lacks a field or has one of the wrong form.
    case invalidEntry(file: String, tensor: String, reason: String)
    /// A tensor's dtype string is not one the format defines.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// `__metadata__` is not an object of strings.
    case invalidMetadata(file: String, key: String, reason: String)
    /// A tensor's byte range does not match its shape and dtype.
    case byteCountMismatch(file: String, tensor: String, expected: Int, actual: Int)
    /// A tensor's bytes overlap the previous tensor's (after sorting by offset).
    case overlappingTensors(file: String, tensor: String, previous: String)
    /// Unclaimed bytes lie before a tensor's data.
    case gapBeforeTensor(file: String, tensor: String, bytes: Int)
    /// The tensors' byte ranges do not end exactly at the end of the data buffer.
    case bufferLengthMismatch(file: String, dataEnd: Int, bufferLength: Int)
    /// No tensor of that name is in the file.
    case missingTensor(file: String, tensor: String)
    /// The tensor's dtype cannot be converted to the requested type.
    case unsupportedConversion(file: String, tensor: String, dtype: ElementType, target: String)
    /// A stored integer does not fit the requested type.
    case valueOutOfRange(file: String, tensor: String, index: Int)
    /// Data handed to the writer is inconsistent (count vs shape, reserved or repeated name).
    case invalidTensorData(tensor: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read safetensors file: \(reason)"
        case .truncated(let file, let size):
            "\(file): truncated: \(size) bytes, fewer than the 8-byte header length"
        case .headerTooLarge(let file, let length):
            "\(file): header length \(length) exceeds the limit of 100,000,000 bytes"
        case .headerBeyondEnd(let file, let headerLength, let fileSize):
            "\(file): header of \(headerLength) bytes does not fit in a file of \(fileSize) bytes"
        case .invalidHeader(let file, let reason):
            "\(file): invalid header: \(reason)"
        case .duplicateKey(let file, let key):
            "\(file): duplicate key '\(key)' in header"
        case .invalidEntry(let file, let tensor, let reason):
            "\(file): tensor '\(tensor)': \(reason)"
        case .unknownDType(let file, let tensor, let dtype):
            "\(file): tensor '\(tensor)': unknown dtype '\(dtype)'"
        case .invalidMetadata(let file, let key, let reason):
            "\(file): __metadata__ '\(key)': \(reason)"
        case .byteCountMismatch(let file, let tensor, let expected, let actual):
            "\(file): tensor '\(tensor)': data_offsets span \(actual) bytes, "
                + "but its shape and dtype need \(expected)"
        case .overlappingTensors(let file, let tensor, let previous):
            "\(file): tensor '\(tensor)' overlaps the data of tensor '\(previous)'"
        case .gapBeforeTensor(let file, let tensor, let bytes):
            "\(file): \(bytes) unclaimed bytes before tensor '\(tensor)'"
        case .bufferLengthMismatch(let file, let dataEnd, let bufferLength):
            "\(file): tensors end at byte \(dataEnd) of a data buffer of \(bufferLength) bytes"
        case .missingTensor(let file, let tensor):
            "\(file): no tensor named '\(tensor)'"
        case .unsupportedConversion(let file, let tensor, let dtype, let target):
            "\(file): tensor '\(tensor)' has dtype \(dtype.rawValue), which cannot be read as \(target)"
        case .valueOutOfRange(let file, let tensor, let index):
            "\(file): tensor '\(tensor)': element \(index) does not fit in the requested type"
        case .invalidTensorData(let tensor, let reason):
            "cannot write tensor '\(tensor)': \(reason)"
        }
    }
}
