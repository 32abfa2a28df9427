// Decoding against Pillow: `Image.open(f).convert("RGB")` and transformers' convert_to_rgb, on
// the fixture files written by tools/fixtures/images.py.

import CImageCodecs
import Foundation
import Testing
@testable import VLImage
import VLTestSupport

@Suite("decoding JPEG and PNG like Pillow")
struct DecodingTests {
    static let jpegFiles = [
        "rgb_420.jpg", "rgb_444_37x53.jpg", "rgb_422_45x31.jpg", "gray.jpg", "cmyk.jpg",
        "progressive.jpg", "tiny_1x1.jpg",
    ]
    static let pngFiles = [
        "rgb.png", "rgba.png", "gray.png", "gray_alpha.png", "palette_trns.png", "palette_4bit.png",
        "gray_1bit.png", "rgb_trns.png", "gray_trns.png", "rgb16.png", "rgba16.png", "gray16.png",
        "gray_2bit.png", "interlaced.png", "crop_odd1_41x40.png",
    ]
    /// Files with alpha or tRNS transparency, which transformers composites over white.
    static let transparentFiles = [
        "rgba.png", "gray_alpha.png", "palette_trns.png", "rgb_trns.png", "gray_trns.png", "rgba16.png",
    ]

    @Test("JPEG pixels equal Pillow's", arguments: jpegFiles)
    func jpeg(file: String) throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url(file))
        expectSamePixels(image, ImageFixtures.decoded.image("decoded_" + key(file)), tolerance: 0, file)
    }

    @Test("PNG pixels equal Pillow's convert(\"RGB\")", arguments: pngFiles)
    func png(file: String) throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url(file))
        expectSamePixels(image, ImageFixtures.decoded.image("decoded_" + key(file)), file)
    }

    @Test("alpha composited over white equals transformers' convert_to_rgb", arguments: transparentFiles)
    func composited(file: String) throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url(file), alpha: .compositeOverWhite)
        expectSamePixels(image, ImageFixtures.decoded.image("composited_" + key(file)), file)
    }

    @Test("opaque images are unchanged by compositing", arguments: ["rgb_420.jpg", "rgb.png", "gray.png"])
    func opaqueComposite(file: String) throws {
        let url = ImageFixtures.url(file)
        #expect(try RGBImage(contentsOf: url, alpha: .compositeOverWhite) == RGBImage(contentsOf: url))
    }

    @Test("the format comes from the magic bytes, not the extension")
    func formatByMagic() throws {
        let directory = try temporaryDirectory()
        let misnamed = directory.appendingPathComponent("actually_png.jpg")
        try Data(contentsOf: ImageFixtures.url("rgb.png")).write(to: misnamed)
        #expect(try RGBImage(contentsOf: misnamed) == RGBImage(contentsOf: ImageFixtures.url("rgb.png")))
    }

    @Test("CMYK to RGB equals Pillow's for every (c, k) pair")
    func cmykTable() throws {
        let tables = try Fixture("images/tables")
        let expected = tables.integers("cmyk_to_rgb")
        var mismatches = 0
        for c in 0..<256 {
            for k in 0..<256 {
                var rgb: [UInt8] = [0, 0, 0]
                vl_cmyk_to_rgb([UInt8(c), UInt8(c), UInt8(c), UInt8(k)], &rgb)
                if Int(rgb[0]) != expected[c * 256 + k] || rgb[0] != rgb[1] || rgb[1] != rgb[2] { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("compositing over white equals Pillow's alpha_composite for every (value, alpha)")
    func compositeTable() throws {
        let expected = try Fixture("images/tables").integers("composite_over_white")
        var mismatches = 0
        for value in 0..<256 {
            for alpha in 0..<256
            where Int(RGBImage.compositeOverWhite(UInt32(value), alpha: UInt32(alpha))) != expected[value * 256 + alpha] {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    private func key(_ file: String) -> String { file.replacingOccurrences(of: ".", with: "_") }
}

/// A fresh directory under the system temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vlimage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
