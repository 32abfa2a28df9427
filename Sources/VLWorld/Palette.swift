// Colors and background textures of the procedural world, in both the clean palette and the
// shifted one of the `palette` domain. Textures come from integer hashes, never from libm.

import VLTensor

/// A color with channels in [0, 255].
struct RGB: Sendable {
    var red: Float
    var green: Float
    var blue: Float

    init(_ red: Float, _ green: Float, _ blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Every channel multiplied by `factor`.
    func scaled(_ factor: Float) -> RGB { RGB(red * factor, green * factor, blue * factor) }

    /// `self` moved the fraction `amount` of the way to `other`.
    func mixed(with other: RGB, _ amount: Float) -> RGB {
        RGB(
            red + (other.red - red) * amount, green + (other.green - green) * amount,
            blue + (other.blue - blue) * amount)
    }

    /// Perceived brightness (Rec. 601 weights).
    var luma: Float { 0.299 * red + 0.587 * green + 0.114 * blue }
}

extension ObjectColor {
    /// The clean-domain color.
    var rgb: RGB {
        switch self {
        case .red: RGB(220, 35, 35)
        case .pink: RGB(250, 140, 195)
        case .orange: RGB(250, 140, 20)
        case .brown: RGB(125, 75, 35)
        case .yellow: RGB(245, 220, 35)
        case .green: RGB(40, 165, 55)
        case .cyan: RGB(45, 205, 225)
        case .blue: RGB(35, 80, 230)
        case .navy: RGB(20, 30, 105)
        case .purple: RGB(145, 50, 195)
        }
    }

    /// Another shade with the same name, for the `palette` domain.
    var shiftedRGB: RGB {
        switch self {
        case .red: RGB(195, 20, 60)
        case .pink: RGB(240, 115, 165)
        case .orange: RGB(255, 110, 45)
        case .brown: RGB(150, 100, 60)
        case .yellow: RGB(225, 205, 75)
        case .green: RGB(95, 165, 40)
        case .cyan: RGB(60, 175, 190)
        case .blue: RGB(35, 115, 205)
        case .navy: RGB(45, 45, 95)
        case .purple: RGB(170, 70, 170)
        }
    }
}

/// The second tone of a pattern: a darker shade of light colors, a lighter one of dark colors.
func patternTone(of color: RGB) -> RGB {
    color.luma > 100 ? color.scaled(0.55) : color.mixed(with: RGB(255, 255, 255), 0.5)
}

/// Deterministic texture noise.
enum Texture {
    /// A uniform value in [0, 1) that depends only on `seed`, `a` and `b`.
    @inline(__always)
    static func hash(_ seed: UInt64, _ a: Int, _ b: Int) -> Float {
        let key = UInt64(bitPattern: Int64(a)) &* 0x9E37_79B9_7F4A_7C15
            ^ UInt64(bitPattern: Int64(b)) &* 0xC2B2_AE3D_27D4_EB4F
        return Float(RandomGenerator.mix(seed ^ key) >> 40) * 0x1p-24
    }

    /// The integer part of `value` rounded towards −∞.
    @inline(__always)
    static func cell(_ value: Float) -> Int { Int(value.rounded(.down)) }
}

/// The background color at unit point `(x, y)`, which is the center of pixel `(column, row)`.
func backgroundColor(
    _ background: Background, domain: Domain, x: Float, y: Float, column: Int, row: Int,
    seed: UInt64
) -> RGB {
    switch domain {
    case .sketch:
        let grain = (Texture.hash(seed, column, row) - 0.5) * 8
        return RGB(250 + grain, 248 + grain, 240 + grain)
    case .palette:
        return shiftedBackground(background, x: x, y: y, column: column, row: row, seed: seed)
    case .clean, .noise:
        return cleanBackground(background, x: x, y: y, column: column, row: row, seed: seed)
    }
}

private func cleanBackground(
    _ background: Background, x: Float, y: Float, column: Int, row: Int, seed: UInt64
) -> RGB {
    switch background {
    case .white: return RGB(242, 242, 238)
    case .gray: return RGB(128, 128, 128)
    case .black: return RGB(22, 22, 25)
    case .grass:
        let blade = bladeShade(x: x, y: y, seed: seed)
        return RGB(35, 105, 30).mixed(with: RGB(120, 190, 70), blade)
    case .sky: return RGB(90, 150, 230).mixed(with: RGB(190, 220, 248), y)
    case .sand:
        let grain = Texture.hash(seed, column, row)
        return RGB(225, 200, 150).mixed(with: RGB(190, 160, 110), grain * 0.6)
    }
}

private func shiftedBackground(
    _ background: Background, x: Float, y: Float, column: Int, row: Int, seed: UInt64
) -> RGB {
    switch background {
    case .white: return RGB(238, 226, 196)
    case .gray: return RGB(92, 108, 130)
    case .black: return RGB(52, 33, 26)
    case .grass:
        let blade = bladeShade(x: x, y: y, seed: seed)
        return RGB(120, 55, 20).mixed(with: RGB(215, 150, 60), blade)
    case .sky: return RGB(110, 55, 135).mixed(with: RGB(250, 150, 80), y)
    case .sand:
        let grain = Texture.hash(seed, column, row)
        return RGB(236, 242, 252).mixed(with: RGB(190, 205, 230), grain * 0.6)
    }
}

/// Grass-like streaks: narrow vertical blades of random length and shade, in [0, 1].
private func bladeShade(x: Float, y: Float, seed: UInt64) -> Float {
    let column = Texture.cell(x * 56)
    let offset = Texture.hash(seed, column, -1)
    let segment = Texture.cell(y * 7 + offset * 7)
    return Texture.hash(seed, column, segment) * 0.85 + Texture.hash(seed, column, segment + 97) * 0.15
}
