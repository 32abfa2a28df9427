// Pixel-exact geometric edits: crops (with PIL's zero fill outside the image) and the
// horizontal flip of torchvision's RandomHorizontalFlip.

/// A rectangle in pixel coordinates; it may extend past the image it is applied to.
public struct CropRegion: Sendable, Hashable, CustomStringConvertible {
    /// Column of the left edge (may be negative).
    public var left: Int
    /// Row of the top edge (may be negative).
    public var top: Int
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// A region `width` × `height` whose top-left corner is at (`left`, `top`).
    public init(left: Int, top: Int, width: Int, height: Int) {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)+\(left)+\(top)" }
}

extension RGBImage {
    /// The pixels inside `region`; parts outside the image are black, as PIL's `crop` and
    /// torchvision's pad-then-crop produce.
    public func cropped(to region: CropRegion) -> RGBImage {
        precondition(region.width >= 0 && region.height >= 0, "negative crop size \(region)")
        let sourceColumns = max(0, region.left)..<min(width, region.left + region.width)
        let rowBytes = region.width * 3
        return RGBImage.computed(width: region.width, height: region.height) { out in
            out.initialize(repeating: 0)
            guard !sourceColumns.isEmpty else { return }
            pixels.withUnsafeBufferPointer { input in
                for row in 0..<region.height {
                    let y = region.top + row
                    guard y >= 0 && y < height else { continue }
                    let source = input.baseAddress! + (y * width + sourceColumns.lowerBound) * 3
                    let target = out.baseAddress! + row * rowBytes + (sourceColumns.lowerBound - region.left) * 3
                    target.update(from: source, count: sourceColumns.count * 3)
                }
            }
        }
    }

    /// The image mirrored left to right.
    public func flippedHorizontally() -> RGBImage {
        RGBImage.computed(width: width, height: height) { out in
            for y in 0..<height {
                for x in 0..<width {
                    let source = (y * width + x) * 3, target = (y * width + width - 1 - x) * 3
                    out[target] = pixels[source]
                    out[target + 1] = pixels[source + 1]
                    out[target + 2] = pixels[source + 2]
                }
            }
        }
    }
}
