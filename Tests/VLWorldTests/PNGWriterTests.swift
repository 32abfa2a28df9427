import Foundation
import Testing
@testable import VLWorld

@Suite("PNG writer and contact sheets")
struct PNGWriterTests {
    /// A PNG chunk as read back from the file.
    struct Chunk {
        let type: String
        let data: [UInt8]
        let storedCRC: UInt32
    }

    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func chunks(of file: [UInt8]) -> [Chunk] {
        var chunks: [Chunk] = []
        var offset = 8
        while offset + 12 <= file.count {
            let length = Int(bigEndian(file[offset..<(offset + 4)]))
            let type = String(decoding: file[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let data = Array(file[(offset + 8)..<(offset + 8 + length)])
            let crc = bigEndian(file[(offset + 8 + length)..<(offset + 12 + length)])
            chunks.append(Chunk(type: type, data: data, storedCRC: crc))
            offset += 12 + length
        }
        #expect(offset == file.count, "trailing bytes after the last chunk")
        return chunks
    }

    /// Bit-by-bit CRC-32 (the definition, not the table the writer uses).
    static func referenceCRC(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    /// Inflates a zlib stream made only of stored blocks, checking every header field.
    static func inflateStored(_ stream: [UInt8]) -> [UInt8] {
        #expect(stream[0] & 0x0F == 8, "compression method must be deflate")
        #expect((Int(stream[0]) << 8 | Int(stream[1])) % 31 == 0, "zlib header check bits")
        var output: [UInt8] = []
        var offset = 2
        var isFinal = false
        while !isFinal {
            isFinal = stream[offset] & 1 == 1
            #expect((stream[offset] >> 1) & 3 == 0, "block type must be stored")
            let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            let complement = Int(stream[offset + 3]) | Int(stream[offset + 4]) << 8
            #expect(length ^ complement == 0xFFFF)
            output += stream[(offset + 5)..<(offset + 5 + length)]
            offset += 5 + length
        }
        #expect(offset + 4 == stream.count)
        var low = 1
        var high = 0
        for byte in output {
            low = (low + Int(byte)) % 65_521
            high = (high + low) % 65_521
        }
        #expect(bigEndian(stream[offset...]) == UInt32(high << 16 | low), "Adler-32")
        return output
    }

    @Test("checksums match published values")
    func knownChecksums() {
        #expect(PNGWriter.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(PNGWriter.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGWriter.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
    }

    @Test("the file has the PNG structure and decodes to the pixels", arguments: [(3, 2), (160, 150)])
    func structure(width: Int, height: Int) {
        let pixels: [UInt8] = (0..<(width * height * 3)).map { index in
            let value: Int = (index * 7 + index / 5) % 256
            return UInt8(value)
        }
        let file = PNGWriter.encode(pixels: pixels, width: width, height: height)
        #expect(Array(file.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let chunks = PNGWriterTests.chunks(of: file)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        for chunk in chunks {
            let expected = PNGWriterTests.referenceCRC(Array(chunk.type.utf8) + chunk.data)
            #expect(chunk.storedCRC == expected, "\(chunk.type) CRC")
        }
        let header = chunks[0].data
        #expect(PNGWriterTests.bigEndian(header[0..<4]) == UInt32(width))
        #expect(PNGWriterTests.bigEndian(header[4..<8]) == UInt32(height))
        #expect(Array(header[8...]) == [8, 2, 0, 0, 0])
        let rows = PNGWriterTests.inflateStored(chunks[1].data)
        #expect(rows.count == height * (width * 3 + 1))
        var decoded: [UInt8] = []
        for row in 0..<height {
            let start = row * (width * 3 + 1)
            #expect(rows[start] == 0, "row \(row) filter type")
            decoded += rows[(start + 1)..<(start + 1 + width * 3)]
        }
        #expect(decoded == pixels)
    }

    @Test("writing replaces the file atomically and leaves no temporary behind")
    func atomicWrite() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vlworld-png-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("sheet.png").path
        try PNGWriter.write(pixels: [UInt8](repeating: 9, count: 12), width: 2, height: 2, to: path)
        try PNGWriter.write(pixels: [UInt8](repeating: 200, count: 27), width: 3, height: 3, to: path)
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == PNGWriter.encode(pixels: [UInt8](repeating: 200, count: 27), width: 3, height: 3))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["sheet.png"])
    }

    @Test("writing into a missing directory throws")
    func missingDirectory() {
        #expect(throws: (any Error).self) {
            try PNGWriter.write(pixels: [0, 0, 0], width: 1, height: 1, to: "/nonexistent-vlworld/x.png")
        }
    }

    @Test("contact sheets place scaled images on a grid with gaps")
    func contactSheet() {
        let red: [UInt8] = [255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0]
        let blue: [UInt8] = [0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255]
        let sheet = ContactSheet.compose([red, blue, red], size: 2, columns: 2, scale: 2, gap: 1, gapColor: 7)
        #expect(sheet.width == 2 * 5 + 1 && sheet.height == 2 * 5 + 1)
        func color(_ x: Int, _ y: Int) -> [UInt8] {
            let offset = (y * sheet.width + x) * 3
            return Array(sheet.pixels[offset..<(offset + 3)])
        }
        #expect(color(0, 0) == [7, 7, 7])
        #expect(color(1, 1) == [255, 0, 0] && color(4, 4) == [255, 0, 0])
        #expect(color(5, 1) == [7, 7, 7])
        #expect(color(6, 1) == [0, 0, 255] && color(9, 4) == [0, 0, 255])
        #expect(color(1, 6) == [255, 0, 0])
        #expect(color(6, 6) == [7, 7, 7], "the empty fourth cell stays gap-colored")
    }
}
