// OpenAI's released CLIP checkpoints and their published SHA-256 digests (the second-to-last
// URL path component in openai/CLIP's `clip._MODELS`; formats.md §3.3).

import Foundation
import VLFormats

/// Checks a local copy of an OpenAI CLIP release against the digest OpenAI published for it.
public enum OpenAIReleases {
    /// Published SHA-256 digests by release file name.
    public static let digests: [String: String] = [
        "ViT-B-32.pt": "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af",
        "ViT-B-16.pt": "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f",
    ]

    /// A file whose contents differ from the release its name claims to be.
    public struct ChecksumMismatch: Error, Equatable, CustomStringConvertible {
        public let path: String
        public let expected: String
        public let found: String

        public var description: String {
            "\(path): SHA-256 \(found) does not match OpenAI's published \(expected); "
                + "the file is damaged, truncated or a different checkpoint"
        }
    }

    /// Whether `url` names a release with a known digest (by its file name alone).
    public static func isKnownRelease(_ url: URL) -> Bool {
        digests[url.lastPathComponent] != nil
    }

    /// Hashes the file at `url` and compares it with the published digest for its name.
    ///
    /// - Returns: false (without reading the file) when the name is not a known release.
    /// - Throws: ``ChecksumMismatch`` when the digests differ, `SHA256.ReadError` when the file
    ///   cannot be read.
    @discardableResult
    public static func verify(_ url: URL) throws -> Bool {
        guard let expected = digests[url.lastPathComponent] else { return false }
        let found = try SHA256.hexDigest(ofFileAt: url)
        guard found == expected else { throw ChecksumMismatch(path: url.path, expected: expected, found: found) }
        return true
    }
}
