// SHA-256 against the FIPS 180-4 example digests (NIST CSRC "SHA256.pdf" and the one-million-'a'
// vector), fed whole, in pieces of every alignment, and from a file.

import Foundation
import Testing

@testable import VLFormats

@Suite("SHA-256")
struct SHA256Tests {
    static let vectors: [(message: [UInt8], digest: String)] = [
        ([], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (Array("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            Array(repeating: UInt8(ascii: "a"), count: 1_000_000),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        ),
    ]

    @Test("published digests", arguments: 0..<4)
    func published(index: Int) {
        var hash = SHA256()
        hash.update(Self.vectors[index].message)
        #expect(hash.hexDigest == Self.vectors[index].digest)
    }

    @Test("feeding in pieces gives the digest of the whole, for every split point")
    func pieces() {
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var whole = SHA256()
        whole.update(message)
        for split in 0...message.count {
            var hash = SHA256()
            hash.update(Array(message[..<split]))
            hash.update(Array(message[split...]))
            #expect(hash.digest == whole.digest, "split at \(split)")
        }
    }

    @Test("a file's digest equals its bytes' digest; a missing file names its path")
    func file() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(UUID()).bin")
        try Data(Self.vectors[2].message).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try SHA256.hexDigest(ofFileAt: url) == Self.vectors[2].digest)
        let missing = url.appendingPathExtension("missing")
        #expect {
            try SHA256.hexDigest(ofFileAt: missing)
        } throws: { error in
            (error as? SHA256.ReadError)?.path == missing.path
        }
    }
}
