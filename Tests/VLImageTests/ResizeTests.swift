// Resizing against Pillow 13's Image.resize on RGB: bicubic and bilinear, down, up, mixed and
// degenerate sizes, compared byte for byte.

import Testing
import VLImage
import VLTestSupport

@Suite("Pillow-exact resize")
struct ResizeTests {
    static let fixture = try! Fixture("images/resize")
    static let sizes = [
        (17, 13), (31, 23), (100, 75), (80, 20), (1, 1), (97, 30), (7, 5), (200, 3), (45, 61),
        (90, 47), (91, 47), (120, 30), (60, 61),
    ]

    @Test("bicubic equals Pillow's BICUBIC", arguments: sizes)
    func bicubic(width: Int, height: Int) {
        let source = Self.fixture.image("source")
        let resized = source.resized(width: width, height: height, filter: .bicubic)
        expectSamePixels(resized, Self.fixture.image("bicubic_\(width)x\(height)"), "bicubic \(width)x\(height)")
    }

    @Test("bilinear equals Pillow's BILINEAR", arguments: sizes)
    func bilinear(width: Int, height: Int) {
        let source = Self.fixture.image("source")
        let resized = source.resized(width: width, height: height, filter: .bilinear)
        expectSamePixels(resized, Self.fixture.image("bilinear_\(width)x\(height)"), "bilinear \(width)x\(height)")
    }

    @Test("a decoded PNG resizes like Pillow")
    func decodedImage() throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url("rgb.png"))
        expectSamePixels(image.resized(width: 60, height: 86), Self.fixture.image("rgb_png_bicubic_60x86"))
    }

    @Test("resizing to the same size returns the image unchanged")
    func identity() {
        let source = Self.fixture.image("source")
        #expect(source.resized(width: source.width, height: source.height) == source)
    }

    @Test("a constant image stays constant at any size")
    func constant() {
        let image = RGBImage(width: 13, height: 9, red: 200, green: 7, blue: 255)
        for (width, height) in [(5, 4), (40, 29), (13, 2), (1, 9)] {
            #expect(image.resized(width: width, height: height)
                == RGBImage(width: width, height: height, red: 200, green: 7, blue: 255))
        }
    }
}
