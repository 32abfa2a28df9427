// Every way a PyTorch checkpoint (torch.save zip or TorchScript archive) can be rejected,
// each naming the file and the entry or tensor concerned.

/// Why a PyTorch checkpoint could not be read.
public enum TorchCheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// A pre-1.6 torch.save file (several pickles plus raw storages), which is not supported.
    case legacyFormat(file: String)
    /// The ZIP structure is damaged or not a PyTorch archive.
    case invalidArchive(file: String, reason: String)
    /// An entry that must be read is compressed; PyTorch stores tensor data uncompressed.
    case compressedEntry(file: String, entry: String, method: Int)
    /// A required entry (`data.pkl`, a storage under `data/`) is absent.
    case missingEntry(file: String, entry: String)
    /// The pickle could not be decoded, or names a global outside the allow-list.
    case invalidPickle(file: String, entry: String, error: PickleError)
    /// The pickle decodes but does not hold a state dict or a module.
    case unexpectedContent(file: String, reason: String)
    /// A tensor's view does not fit its storage, or its storage entry has the wrong size.
    case invalidTensor(file: String, tensor: String, reason: String)
    /// No tensor of that name is in the checkpoint.
    case missingTensor(file: String, tensor: String)
    /// The tensor's dtype cannot be converted to the requested type.
    case unsupportedConversion(file: String, tensor: String, dtype: ElementType, target: String)
    /// A stored integer does not fit in `Int`.
    case valueOutOfRange(file: String, tensor: String, index: Int)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read checkpoint: \(reason)"
        case .legacyFormat(let file):
            "\(file): legacy (pre-1.6) torch.save format is not supported; re-save it with a current "
                + "PyTorch (torch.save(torch.load(path), path)) or convert it to safetensors"
        case .invalidArchive(let file, let reason):
            "\(file): not a readable PyTorch ZIP archive: \(reason)"
        case .compressedEntry(let file, let entry, let method):
            "\(file): entry '\(entry)' is compressed (method \(method)); compressed entry not supported"
        case .missingEntry(let file, let entry):
            "\(file): archive has no entry '\(entry)'"
        case .invalidPickle(let file, let entry, let error):
            "\(file): \(entry): \(error)"
        case .unexpectedContent(let file, let reason):
            "\(file): \(reason)"
        case .invalidTensor(let file, let tensor, let reason):
            "\(file): tensor '\(tensor)': \(reason)"
        case .missingTensor(let file, let tensor):
            "\(file): no tensor named '\(tensor)'"
        case .unsupportedConversion(let file, let tensor, let dtype, let target):
            "\(file): tensor '\(tensor)' has dtype \(dtype.rawValue), which cannot be read as \(target)"
        case .valueOutOfRange(let file, let tensor, let index):
            "\(file): tensor '\(tensor)': element \(index) does not fit in Int"
        }
    }
}
