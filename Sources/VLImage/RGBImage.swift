// An 8-bit RGB image in memory: what decoding produces and resizing, cropping and
// preprocessing consume (the pixels Pillow holds after `Image.open(f).convert("RGB")`).

/// An 8-bit RGB image: `height` rows of `width` pixels, three bytes (red, green, blue) each,
/// row-major with no padding.
public struct RGBImage: Sendable, Hashable {
    /// Pixels per row.
    public let width: Int
    /// Number of rows.
    public let height: Int
    /// `height · width · 3` bytes, row-major, channels interleaved.
    public let pixels: [UInt8]

    /// An image holding `pixels` (`height · width · 3` bytes, row-major, RGB interleaved).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "negative image size \(width) x \(height)")
        precondition(
            pixels.count == width * height * 3,
            "\(pixels.count) bytes cannot hold a \(width) x \(height) RGB image")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image of one color.
    public init(width: Int, height: Int, red: UInt8, green: UInt8, blue: UInt8) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = red
            pixels[i + 1] = green
            pixels[i + 2] = blue
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// An image whose bytes are written by `fill`, which must write all of them.
    static func computed(
        width: Int, height: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Void
    ) -> RGBImage {
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            fill(buffer)
            count = buffer.count
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The value of `channel` (0 red, 1 green, 2 blue) at column `x` of row `y`.
    public subscript(x: Int, y: Int, channel: Int) -> UInt8 {
        precondition(x >= 0 && x < width && y >= 0 && y < height && (0..<3).contains(channel),
                     "pixel (\(x), \(y), channel \(channel)) outside a \(width) x \(height) image")
        return pixels[(y * width + x) * 3 + channel]
    }
}

extension RGBImage: CustomStringConvertible {
    public var description: String { "RGBImage(\(width) x \(height))" }
}
