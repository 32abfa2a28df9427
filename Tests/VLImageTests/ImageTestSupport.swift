// Helpers for the image tests: uint8 fixture arrays as RGBImages, and a pixel comparison that
// reports how many bytes differ, by how much, and where.

import Foundation
import Testing
import VLImage
import VLTestSupport

extension Fixture {
    /// The recorded shape of `key` ("shape.<key>" in the fixture's metadata).
    func shape(_ key: String) -> [Int] {
        guard let text = metadata["shape.\(key)"] else {
            preconditionFailure("fixture \(name) records no shape for \(key)")
        }
        return text.split(separator: ",").map { Int($0)! }
    }

    /// The uint8 `[height, width, 3]` array `key` as an image.
    func image(_ key: String) -> RGBImage {
        let shape = shape(key)
        precondition(shape.count == 3 && shape[2] == 3, "\(key) has shape \(shape), not [H, W, 3]")
        return RGBImage(width: shape[1], height: shape[0], pixels: integers(key).map { UInt8($0) })
    }
}

/// The images fixture files live in.
enum ImageFixtures {
    static let decoded = try! Fixture("images/decoded")

    /// A fixture image file's URL.
    static func url(_ file: String) -> URL { Fixture.url("images/" + file) }
}

/// Records an issue unless the images have the same size and every byte is within
/// `tolerance` intensity levels.
func expectSamePixels(
    _ actual: RGBImage, _ expected: RGBImage, tolerance: Int = 0, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.width == expected.width && actual.height == expected.height else {
        Issue.record("\(label): size \(actual) differs from expected \(expected)", sourceLocation: sourceLocation)
        return
    }
    var differing: [Int] = []
    var maximum = 0
    for i in 0..<actual.pixels.count {
        let difference = abs(Int(actual.pixels[i]) - Int(expected.pixels[i]))
        maximum = max(maximum, difference)
        if difference > tolerance { differing.append(i) }
    }
    if !differing.isEmpty {
        let first = differing.prefix(5).map { i in
            "(x \(i / 3 % actual.width), y \(i / 3 / actual.width), c \(i % 3)): \(actual.pixels[i]) vs \(expected.pixels[i])"
        }
        let summary = "\(differing.count) of \(actual.pixels.count) bytes differ by more than \(tolerance)"
        Issue.record(
            "\(label): \(summary) (max \(maximum)): \(first.joined(separator: ", "))",
            sourceLocation: sourceLocation)
    }
}

/// Largest absolute byte difference between two same-sized images.
func maximumDifference(_ a: RGBImage, _ b: RGBImage) -> Int {
    zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
}
