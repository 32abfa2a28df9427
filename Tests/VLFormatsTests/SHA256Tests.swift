import Foundation
import Testing

@testable import VLFormats

@Suite("SHA-256")
struct SHA256Tests {
    /// FIPS 180-4 example vectors (one block, two blocks) and the empty message.
    @Test(
        "known digests",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ])
    func knownDigests(message: String, expected: String) {
        var hash = SHA256()
        hash.update(Array(message.utf8))
        #expect(hash.hexDigest() == expected)
    }

    @Test("a million 'a's fed in uneven pieces")
    func millionA() {
        var hash = SHA256()
        var fed = 0
        var piece = 1
        while fed < 1_000_000 {
            let count = min(piece, 1_000_000 - fed)
            hash.update([UInt8](repeating: UInt8(ascii: "a"), count: count))
            fed += count
            piece = piece * 7 % 997 + 1
        }
        #expect(hash.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

@Suite("SHA-256 of files")
struct SHA256FileTests {
    @Test("a file's digest equals its bytes' digest; a missing file names its path")
    func fileDigest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID()).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        try Data(bytes).write(to: url)
        var hash = SHA256()
        hash.update(bytes)
        #expect(try SHA256.hexDigest(ofFileAt: url) == hash.hexDigest())
        let missing = url.appendingPathExtension("missing")
        #expect(throws: SHA256.ReadError.self) { try SHA256.hexDigest(ofFileAt: missing) }
    }
}
