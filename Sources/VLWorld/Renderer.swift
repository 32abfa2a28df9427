// Rasterizes a scene to RGB bytes. Pixels an object touches are supersampled on an S×S grid and
// box-averaged (anti-aliasing); the rest take the background at the pixel center. Single-threaded
// Float arithmetic using only exactly rounded operations, so the same scene gives the same bytes
// on every machine.

/// Supersampling factor per axis used when none is given: 4×4 samples per edge pixel.
public let defaultSupersampling = 4

/// Renders `scene` as `size`×`size` RGB bytes, row-major, channels interleaved (HWC).
///
/// Returns `size · size · 3` bytes. `supersampling` is the number of samples per axis taken in
/// pixels an object touches.
public func render(_ scene: Scene, size: Int, supersampling: Int = defaultSupersampling) -> [UInt8] {
    precondition(size > 0, "image size must be positive, got \(size)")
    precondition(supersampling > 0, "supersampling must be positive, got \(supersampling)")
    let painters = scene.objects.enumerated().map { index, object in
        ObjectPainter(object, index: index, scene: scene, size: size)
    }
    var pixels = [UInt8](repeating: 0, count: size * size * 3)
    var touching: [ObjectPainter] = []
    touching.reserveCapacity(painters.count)
    pixels.withUnsafeMutableBufferPointer { out in
        for row in 0..<size {
            for column in 0..<size {
                touching.removeAll(keepingCapacity: true)
                for painter in painters where painter.touches(column: column, row: row) {
                    touching.append(painter)
                }
                var color = pixelColor(
                    column: column, row: row, size: size, scene: scene, touching: touching,
                    supersampling: supersampling)
                if scene.domain == .noise {
                    color = addNoise(to: color, pixel: row * size + column, seed: scene.textureSeed)
                }
                let offset = (row * size + column) * 3
                out[offset] = quantize(color.red)
                out[offset + 1] = quantize(color.green)
                out[offset + 2] = quantize(color.blue)
            }
        }
    }
    return pixels
}

/// The averaged color of one pixel, given the objects whose bounding squares reach it.
@inline(__always)
private func pixelColor(
    column: Int, row: Int, size: Int, scene: Scene, touching: [ObjectPainter], supersampling: Int
) -> RGB {
    let step = 1 / Float(size)
    let background = backgroundColor(
        scene.background, domain: scene.domain, x: (Float(column) + 0.5) * step,
        y: (Float(row) + 0.5) * step, column: column, row: row, seed: scene.textureSeed)
    guard !touching.isEmpty else { return background }
    var (red, green, blue): (Float, Float, Float) = (0, 0, 0)
    let subStep = step / Float(supersampling)
    for sampleRow in 0..<supersampling {
        let y = Float(row) * step + (Float(sampleRow) + 0.5) * subStep
        for sampleColumn in 0..<supersampling {
            let x = Float(column) * step + (Float(sampleColumn) + 0.5) * subStep
            var color = background
            for painter in touching {
                if let fill = painter.color(x: x, y: y) { color = fill }
            }
            red += color.red
            green += color.green
            blue += color.blue
        }
    }
    return RGB(red, green, blue).scaled(1 / Float(supersampling * supersampling))
}

/// Heavy zero-mean noise per channel: the sum of two uniforms, spanning ±110 levels.
@inline(__always)
private func addNoise(to color: RGB, pixel: Int, seed: UInt64) -> RGB {
    func noise(_ channel: Int) -> Float {
        let first = Texture.hash(seed ^ 0x6E6F_6973_65, pixel, channel)
        let second = Texture.hash(seed ^ 0x6E6F_6973_65, pixel, channel + 3)
        return (first + second - 1) * 110
    }
    return RGB(color.red + noise(0), color.green + noise(1), color.blue + noise(2))
}

/// Rounds to the nearest byte, clamping to [0, 255].
@inline(__always)
private func quantize(_ value: Float) -> UInt8 {
    UInt8(min(max(value + 0.5, 0), 255).rounded(.down))
}

/// Everything needed to color the samples of one object, computed once per image.
struct ObjectPainter {
    let object: SceneObject
    let primary: RGB
    let secondary: RGB
    let inverseRadius: Float
    let outlineOnly: Bool
    let patternSeed: UInt64
    let columns: ClosedRange<Int>
    let rows: ClosedRange<Int>

    /// Stroke width of `sketch` outlines, in unit image coordinates.
    static let strokeWidth: Float = 0.05
    /// Length of one repeat of a fill pattern, in unit image coordinates.
    static let patternPeriod: Float = 0.14

    init(_ object: SceneObject, index: Int, scene: Scene, size: Int) {
        self.object = object
        let base = scene.domain == .palette ? object.color.shiftedRGB : object.color.rgb
        primary = base.scaled(object.shade)
        // Full pattern contrast would break up the silhouette of a small object, so it fades
        // from full at radius 0.18 to 40% at radius 0.11 and below.
        let contrast = min(1, max(0.4, (object.radius - 0.06) / 0.12))
        secondary = primary.mixed(with: patternTone(of: primary), contrast)
        inverseRadius = 1 / object.radius
        outlineOnly = scene.domain == .sketch
        patternSeed = scene.textureSeed &+ UInt64(index + 1) &* 0x2545_F491_4F6C_DD1D
        let scale = Float(size)
        columns = ObjectPainter.pixelSpan(object.x, object.radius, scale, size)
        rows = ObjectPainter.pixelSpan(object.y, object.radius, scale, size)
    }

    /// The pixels `[center − radius, center + radius]` covers, clamped to the image.
    private static func pixelSpan(_ center: Float, _ radius: Float, _ scale: Float, _ size: Int)
        -> ClosedRange<Int>
    {
        let low = max(0, Texture.cell((center - radius) * scale))
        let high = min(size - 1, Texture.cell((center + radius) * scale))
        return low <= high ? low...high : size...size
    }

    /// Whether the object's bounding square reaches pixel `(column, row)`.
    @inline(__always)
    func touches(column: Int, row: Int) -> Bool { columns.contains(column) && rows.contains(row) }

    /// The object's color at unit point `(x, y)`, or `nil` where it leaves the point uncovered.
    @inline(__always)
    func color(x: Float, y: Float) -> RGB? {
        let u = (x - object.x) * inverseRadius
        let v = (y - object.y) * inverseRadius
        guard object.shape.contains(u: u, v: v) else { return nil }
        if outlineOnly { return isOnOutline(u: u, v: v) ? primary : nil }
        return usesSecondTone(x - object.x, y - object.y) ? secondary : primary
    }

    /// Whether an inside point lies within a stroke width of the edge: some point of an octagon
    /// of that radius around it falls outside (an erosion test that needs no distance function).
    private func isOnOutline(u: Float, v: Float) -> Bool {
        let width = ObjectPainter.strokeWidth * inverseRadius
        return ObjectPainter.compassDirections.contains {
            !object.shape.contains(u: u + $0.0 * width, v: v + $0.1 * width)
        }
    }

    /// Unit vectors to the eight compass points (diagonals are 1/√2 written out).
    private static let compassDirections: [(Float, Float)] = [
        (1, 0), (-1, 0), (0, 1), (0, -1), (0.70710678, 0.70710678), (0.70710678, -0.70710678),
        (-0.70710678, 0.70710678), (-0.70710678, -0.70710678),
    ]

    /// Whether the pattern paints the second tone at offset `(dx, dy)` from the object center.
    @inline(__always)
    private func usesSecondTone(_ dx: Float, _ dy: Float) -> Bool {
        let period = ObjectPainter.patternPeriod
        switch object.pattern {
        case .solid:
            return false
        case .striped:
            return isOdd(Texture.cell((dx + dy) * 0.70710678 / (period * 0.5)))
        case .dotted:
            let fx = fraction(dx / period + 0.5) - 0.5
            let fy = fraction(dy / period + 0.5) - 0.5
            return fx * fx + fy * fy <= 0.09
        case .checkered:
            let half = period * 0.5
            return isOdd(Texture.cell(dx / half + 0.5) + Texture.cell(dy / half + 0.5))
        case .zigzag:
            let wave = abs(2 * fraction(dx / period) - 1) * period * 0.4
            return isOdd(Texture.cell((dy + wave) / (period * 0.5)))
        case .speckled:
            let grain = period * 0.3
            return Texture.hash(patternSeed, Texture.cell(dx / grain), Texture.cell(dy / grain))
                < 0.35
        }
    }

    @inline(__always)
    private func fraction(_ value: Float) -> Float { value - value.rounded(.down) }

    @inline(__always)
    private func isOdd(_ value: Int) -> Bool { value & 1 != 0 }
}
