// A minimal PNG encoder (PNG specification, W3C 2003): 8-bit RGB, filter type 0 on every row,
// and a zlib stream (RFC 1950) of stored, uncompressed deflate blocks (RFC 1951 §3.2.4).
// CRC-32 and Adler-32 are computed here, so no compression library is needed.

import Foundation

/// Encodes RGB images as PNG files.
public enum PNGWriter {
    /// The 8-byte signature that opens every PNG file.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG bytes of an RGB image given row-major as `[height, width, 3]` bytes.
    public static func encode(pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        precondition(width > 0 && height > 0, "image must be non-empty, got \(width)×\(height)")
        precondition(pixels.count == width * height * 3, "\(pixels.count) bytes is not a \(width)×\(height) RGB image")
        var header: [UInt8] = []
        appendBigEndian(UInt32(width), to: &header)
        appendBigEndian(UInt32(height), to: &header)
        header += [8, 2, 0, 0, 0]  // bit depth 8, RGB, deflate, adaptive filtering, no interlace
        var file = signature
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", zlibStored(scanlines(pixels, width: width, height: height)), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// Writes the PNG of `pixels` to `path` atomically: a temporary file in the same directory,
    /// then a rename, so readers never see a partial file.
    ///
    /// - Throws: the file system's error, naming `path`.
    public static func write(pixels: [UInt8], width: Int, height: Int, to path: String) throws {
        let bytes = encode(pixels: pixels, width: width, height: height)
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Rows prefixed by their filter-type byte (0: none).
    static func scanlines(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        var rows: [UInt8] = []
        rows.reserveCapacity((width * 3 + 1) * height)
        for row in 0..<height {
            rows.append(0)
            rows += pixels[(row * width * 3)..<((row + 1) * width * 3)]
        }
        return rows
    }

    /// A zlib stream holding `data` in stored deflate blocks of at most 65,535 bytes.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var stream: [UInt8] = [0x78, 0x01]  // deflate, 32 KiB window; 0x7801 is divisible by 31
        var start = 0
        repeat {
            let length = min(65_535, data.count - start)
            let isLast = start + length == data.count
            stream.append(isLast ? 1 : 0)  // BFINAL bit, BTYPE 00 (stored)
            stream += [UInt8(length & 0xFF), UInt8(length >> 8)]
            stream += [UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            stream += data[start..<(start + length)]
            start += length
        } while start < data.count
        appendBigEndian(adler32(data), to: &stream)
        return stream
    }

    /// Adler-32 (RFC 1950 §8.2): two running sums modulo 65,521.
    public static func adler32(_ data: [UInt8]) -> UInt32 {
        var low: UInt32 = 1
        var high: UInt32 = 0
        for byte in data {
            low = (low + UInt32(byte)) % 65_521
            high = (high + low) % 65_521
        }
        return high << 16 | low
    }

    /// CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) as PNG chunks use it.
    public static func crc32<Bytes: Sequence<UInt8>>(_ data: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// CRC-32 of every byte value, the table-driven form of the bitwise division.
    private static let crcTable: [UInt32] = (0..<256).map { value in
        var crc = UInt32(value)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1
        }
        return crc
    }

    /// Length, type, data, and the CRC of type and data.
    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        appendBigEndian(UInt32(data.count), to: &file)
        file += typeBytes
        file += data
        appendBigEndian(crc32(typeBytes + data), to: &file)
    }

    private static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}

/// A grid of equally sized RGB images with a gap between them, for previews.
public enum ContactSheet {
    /// Lays `images` (each `[size, size, 3]` bytes) out in rows of `columns`, each pixel scaled
    /// up `scale` times (nearest neighbour), with `gap` pixels of `gapColor` between images.
    /// Returns the sheet as row-major RGB bytes with its width and height.
    public static func compose(
        _ images: [[UInt8]], size: Int, columns: Int, scale: Int = 1, gap: Int = 2,
        gapColor: UInt8 = 255
    ) -> (pixels: [UInt8], width: Int, height: Int) {
        precondition(!images.isEmpty && columns > 0 && scale > 0 && gap >= 0, "empty contact sheet")
        let rows = (images.count + columns - 1) / columns
        let cell = size * scale + gap
        let width = columns * cell + gap
        let height = rows * cell + gap
        var sheet = [UInt8](repeating: gapColor, count: width * height * 3)
        for (index, image) in images.enumerated() {
            let left = gap + (index % columns) * cell
            let top = gap + (index / columns) * cell
            for y in 0..<(size * scale) {
                for x in 0..<(size * scale) {
                    let source = ((y / scale) * size + x / scale) * 3
                    let target = ((top + y) * width + left + x) * 3
                    sheet[target..<(target + 3)] = image[source..<(source + 3)]
                }
            }
        }
        return (sheet, width, height)
    }
}
