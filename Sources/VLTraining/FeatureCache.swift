// An on-disk cache of frozen image features, keyed by everything that decides them: the model's
// content hash, the preprocessing, the image file's bytes and the augmentation pass. One small
// file per entry, written atomically (temporary file + rename), checked on read; an entry that
// is missing, truncated, corrupt or written for another key is a miss, never an error.

import Foundation
import VLFormats
import VLImage

/// Image features stored on disk, one file per (model, preprocessing, image bytes, pass).
///
/// Concurrent runs may share a directory: every entry is written to a unique temporary file
/// and renamed into place, so a reader sees a whole entry or none, and two writers of the same
/// key write the same bytes. A killed process leaves at most a hidden temporary file.
public struct FeatureCache: Sendable {
    /// The folder holding the entries (`ab/abcdef….features`).
    public let directory: URL

    /// A cache in `directory` (created on the first store).
    public init(directory: URL) { self.directory = directory }

    /// `$VLPROMPT_CACHE` when set, else `~/.cache/vlprompt/features`.
    public static func defaultDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let path = environment["VLPROMPT_CACHE"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/vlprompt/features")
    }

    /// Which pass over an image produced the features.
    public enum Pass: Sendable, Hashable, CustomStringConvertible {
        /// The deterministic test transform (evaluation, linear probe, training without augmentation).
        case evaluation
        /// A random training augmentation, identified by its settings, seed, epoch and item.
        case augmented(settings: String, seed: UInt64, epoch: Int, item: Int)

        public var description: String {
            switch self {
            case .evaluation: "evaluation"
            case .augmented(let settings, let seed, let epoch, let item):
                "augmented \(settings) seed \(seed) epoch \(epoch) item \(item)"
            }
        }
    }

    /// What identifies one entry.
    public struct Key: Sendable, Hashable {
        /// The model's weights, as ``VLCLIP/CLIP/contentHash()`` computes them.
        public var model: String
        /// The preprocessing, as ``FeatureCache/identity(of:)`` spells it.
        public var preprocessing: String
        /// SHA-256 of the image file's bytes.
        public var content: String
        /// The pass.
        public var pass: Pass

        /// A key from its parts.
        public init(model: String, preprocessing: String, content: String, pass: Pass = .evaluation) {
            self.model = model
            self.preprocessing = preprocessing
            self.content = content
            self.pass = pass
        }

        /// The key as stored in the entry and hashed into its file name.
        var text: String {
            "vlprompt-features 1\nmodel \(model)\npreprocessing \(preprocessing)\ncontent \(content)\npass \(pass)\n"
        }
    }

    /// A stable spelling of everything in `preprocessing` that changes pixels.
    public static func identity(of preprocessing: CLIPPreprocessing) -> String {
        let normalization = preprocessing.normalization
        return "resize \(preprocessing.shortSide) \(preprocessing.filter) crop \(preprocessing.cropSize) "
            + "\(preprocessing.cropRounding) mean \(normalization.mean) std \(normalization.standardDeviation) "
            + "\(normalization.rescaling) alpha \(preprocessing.alpha)"
    }

    /// The file holding `key`'s entry.
    public func url(for key: Key) -> URL {
        var hash = SHA256()
        hash.update(Array(key.text.utf8))
        let name = hash.hexDigest()
        return directory.appendingPathComponent(String(name.prefix(2)))
            .appendingPathComponent(name + ".features")
    }

    /// The features stored for `key`, or `nil` when there is no usable entry.
    public func features(for key: Key) -> [Float]? {
        guard let data = try? Data(contentsOf: url(for: key)) else { return nil }
        return Entry.decode(data, key: key.text)
    }

    /// Stores `features` for `key`, replacing any entry atomically: a unique temporary file in
    /// the entry's folder, renamed into place. Unlike ``VLFormats/AtomicFile`` it does not
    /// `fsync`: an entry lost or emptied by a power failure fails its checksum and is
    /// recomputed, and syncing every small entry made filling the cache I/O-bound.
    public func store(_ features: [Float], for key: Key) throws {
        let url = url(for: key)
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        // Plain POSIX calls: Foundation's `Data.write` syncs every file on Linux.
        let bytes = Entry.encode(features, key: key.text)
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FeatureCacheError(path: url.path, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let reason = String(cString: strerror(errno))
        close(descriptor)
        guard written == bytes.count else {
            unlink(temporary.path)
            throw FeatureCacheError(path: url.path, reason: "cannot write: \(reason)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw FeatureCacheError(path: url.path, reason: "cannot rename the temporary file: \(reason)")
        }
    }
}

/// A cache entry that could not be written.
public struct FeatureCacheError: Error, CustomStringConvertible {
    /// The entry's file.
    public var path: String
    /// What went wrong.
    public var reason: String

    public var description: String { "\(path): \(reason) (pass --no-cache to run without the feature cache)" }
}

/// An entry's bytes: magic, key length and key, value count and little-endian Float32 values,
/// then the SHA-256 of everything before it.
enum Entry {
    static let magic = Array("VLFEAT01".utf8)

    static func encode(_ features: [Float], key: String) -> Data {
        var bytes = magic
        let keyBytes = Array(key.utf8)
        append(UInt32(keyBytes.count), to: &bytes)
        bytes += keyBytes
        append(UInt32(features.count), to: &bytes)
        bytes.reserveCapacity(bytes.count + 4 * features.count + 32)
        for value in features { append(value.bitPattern, to: &bytes) }
        var hash = SHA256()
        hash.update(bytes)
        return Data(bytes + hash.digest())
    }

    /// The values, or `nil` when the bytes are not a whole, intact entry for `key`.
    static func decode(_ data: Data, key: String) -> [Float]? {
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count + 8 + 32, Array(bytes.prefix(magic.count)) == magic else { return nil }
        let body = bytes.count - 32
        var hash = SHA256()
        hash.update(bytes[0..<body])
        guard hash.digest() == Array(bytes[body...]) else { return nil }
        var offset = magic.count
        let keyLength = Int(readUInt32(bytes, at: offset))
        offset += 4
        guard offset + keyLength + 4 <= body,
            bytes[offset..<(offset + keyLength)].elementsEqual(key.utf8)
        else { return nil }
        offset += keyLength
        let count = Int(readUInt32(bytes, at: offset))
        offset += 4
        guard offset + 4 * count == body else { return nil }
        return (0..<count).map { Float(bitPattern: readUInt32(bytes, at: offset + 4 * $0)) }
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
