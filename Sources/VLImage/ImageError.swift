// Why an image could not be read, naming the file (or the caller's name for a buffer).

/// An image that could not be read or decoded.
public struct ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarsely, for callers that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be read from disk.
        case unreadable = "cannot read file"
        /// The file has no bytes at all.
        case emptyFile = "empty file"
        /// The bytes are neither JPEG nor PNG.
        case unknownFormat = "unknown image format"
        /// A recognized format (GIF, WebP, …) that is not decoded.
        case unsupportedFormat = "unsupported image format"
        /// Truncated or malformed data.
        case corrupt = "corrupt or truncated image data"
        /// The header declares zero width or height.
        case zeroSize = "zero-size image"
        /// A valid file using a feature not decoded (unusual color space, 12-bit JPEG, …).
        case unsupportedContent = "unsupported image content"
        /// More pixels than the decoding limit allows.
        case tooLarge = "image too large"
        /// The pixel buffer could not be allocated.
        case outOfMemory = "out of memory"
    }

    /// The file path, or the name the caller gave a memory buffer.
    public let source: String
    /// The class of problem.
    public let kind: Kind
    /// What exactly was found, in the decoder's words where it gave any.
    public let detail: String

    /// An error about `source`.
    public init(source: String, kind: Kind, detail: String) {
        self.source = source
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(source): \(kind.rawValue): \(detail)" }
}
