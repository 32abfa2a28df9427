// Bad files must throw an ImageError that names the file and the problem, never crash.

import Foundation
import Testing
import VLImage
import VLTensor
import VLTestSupport

@Suite("corrupt and unsupported inputs")
struct CorruptInputTests {
    /// Writes `bytes` to a temporary file called `name` and decodes it, returning the error.
    private func decodingError(_ bytes: Data, named name: String, pixelLimit: Int = RGBImage.defaultPixelLimit) throws -> ImageError? {
        let url = try temporaryDirectory().appendingPathComponent(name)
        try bytes.write(to: url)
        do {
            _ = try RGBImage(contentsOf: url, pixelLimit: pixelLimit)
            return nil
        } catch {
            #expect(error.source == url.path)
            #expect(error.description.contains(name), "\(error) should name \(name)")
            return error
        }
    }

    private func fixtureBytes(_ file: String) throws -> Data { try Data(contentsOf: ImageFixtures.url(file)) }

    @Test("truncated JPEGs and PNGs are corrupt", arguments: [
        ("rgb_420.jpg", 0.5), ("progressive.jpg", 0.5), ("rgb_420.jpg", 0.995), ("rgb.png", 0.5), ("interlaced.png", 0.7),
        ("rgb.png", 0.02),
    ])
    func truncated(file: String, fraction: Double) throws {
        let bytes = try fixtureBytes(file)
        let error = try decodingError(bytes.prefix(Int(Double(bytes.count) * fraction)), named: "cut_" + file)
        #expect(error?.kind == .corrupt, "\(String(describing: error))")
    }

    @Test("a JPEG missing only its end marker is truncated, as Pillow says")
    func missingEndOfImage() throws {
        let bytes = try fixtureBytes("rgb_444_37x53.jpg")
        let error = try decodingError(bytes.dropLast(2), named: "no_eoi.jpg")
        #expect(error?.kind == .corrupt)
        #expect(error?.detail.contains("truncated") == true, "\(String(describing: error))")
    }

    @Test("a corrupted PNG chunk checksum is reported")
    func badChecksum() throws {
        var bytes = try fixtureBytes("rgb.png")
        bytes[30] ^= 0xFF  // inside IHDR's payload or checksum: the CRC no longer matches
        #expect(try decodingError(bytes, named: "bad_crc.png")?.kind == .corrupt)
    }

    @Test("random bytes are an unknown format")
    func randomBytes() throws {
        var bytes = pseudorandomBytes(500, seed: 3)
        bytes[0] = 0x00  // never a JPEG or PNG start by accident
        #expect(try decodingError(bytes, named: "noise.bin")?.kind == .unknownFormat)
    }

    @Test("random bytes after a valid signature are corrupt", arguments: ["jpg", "png"])
    func randomBodies(kind: String) throws {
        let signature: [UInt8] = kind == "jpg" ? [0xFF, 0xD8, 0xFF] : [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let bytes = Data(signature) + pseudorandomBytes(400, seed: 7)
        #expect(try decodingError(bytes, named: "garbage.\(kind)")?.kind == .corrupt)
    }

    /// Reproducible noise bytes.
    private func pseudorandomBytes(_ count: Int, seed: UInt64) -> Data {
        var generator = RandomGenerator(seed: seed)
        return Data((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
    }

    @Test("an empty file is reported as empty")
    func emptyFile() throws {
        #expect(try decodingError(Data(), named: "empty.jpg")?.kind == .emptyFile)
    }

    @Test("a text file named .jpg is an unknown format")
    func textFile() throws {
        let error = try decodingError(Data("just some text, not a picture\n".utf8), named: "notes.jpg")
        #expect(error?.kind == .unknownFormat)
        #expect(error?.detail.contains("6a 75 73 74") == true, "shows the first bytes: \(String(describing: error))")
    }

    @Test("a GIF is named as an unsupported format")
    func gif() throws {
        let error = try decodingError(Data("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8), named: "anim.gif")
        #expect(error?.kind == .unsupportedFormat)
        #expect(error?.detail.contains("GIF") == true)
    }

    @Test("a PNG declaring zero width is a zero-size image")
    func zeroSizePNG() throws {
        var bytes = try fixtureBytes("rgb.png")
        bytes.replaceSubrange(16..<20, with: [0, 0, 0, 0])
        #expect(try decodingError(bytes, named: "zero.png")?.kind == .zeroSize)
    }

    @Test("a JPEG declaring zero height is a zero-size image")
    func zeroSizeJPEG() throws {
        var bytes = try fixtureBytes("tiny_1x1.jpg")
        let frame = try #require(startOfFrame(in: bytes))
        bytes.replaceSubrange((frame + 5)..<(frame + 7), with: [0, 0])  // SOF height field
        #expect(try decodingError(bytes, named: "zero.jpg")?.kind == .zeroSize)
    }

    @Test("images beyond the pixel limit are refused before decoding", arguments: ["rgb_420.jpg", "rgb.png"])
    func tooLarge(file: String) throws {
        let error = try decodingError(try fixtureBytes(file), named: "big_" + file, pixelLimit: 100)
        #expect(error?.kind == .tooLarge)
    }

    @Test("a missing file is unreadable")
    func missingFile() throws {
        let url = try temporaryDirectory().appendingPathComponent("absent.png")
        #expect {
            try RGBImage(contentsOf: url)
        } throws: { error in
            (error as? ImageError)?.kind == .unreadable && "\(error)".contains("absent.png")
        }
    }

    /// Offset of the first SOF0/SOF2 marker.
    private func startOfFrame(in bytes: Data) -> Int? {
        let array = Array(bytes)
        return (0..<(array.count - 1)).first { array[$0] == 0xFF && (array[$0 + 1] == 0xC0 || array[$0 + 1] == 0xC2) }
    }
}
