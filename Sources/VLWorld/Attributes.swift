// The attribute vocabulary of the procedural world: every word a caption or a class name may use
// for an object or a scene. Raw values are the exact spellings captions and class names share.

/// The outline of an object. (Not named `Shape`: VLTensor has a `Shape` namespace.)
public enum ObjectShape: String, CaseIterable, Sendable, Codable {
    case circle, square, triangle, star, cross, heart, ring, diamond, moon, arrow

    /// The singular noun, as captions and class names spell it.
    public var word: String { rawValue }

    /// The plural noun ("crosses", "circles").
    public var plural: String { self == .cross ? "crosses" : rawValue + "s" }

    /// The noun for `count` objects.
    public func noun(count: Int) -> String { count == 1 ? word : plural }
}

/// The named color of an object. Three pairs share a hue but differ in lightness
/// (red/pink, orange/brown, blue/navy), so fine-grained distinctions exist.
public enum ObjectColor: String, CaseIterable, Sendable, Codable {
    case red, pink, orange, brown, yellow, green, cyan, blue, navy, purple

    /// The adjective, as captions and class names spell it.
    public var word: String { rawValue }
}

/// The size of an object relative to the image.
public enum ObjectSize: String, CaseIterable, Sendable, Codable {
    case small, large

    /// The adjective used in captions.
    public var word: String { rawValue }
}

/// The texture that fills an object: its own color alternating with a darker or lighter shade.
public enum Pattern: String, CaseIterable, Sendable, Codable {
    case solid, striped, dotted, checkered, zigzag, speckled

    /// The adjective ("striped"), as captions and class names spell it.
    public var word: String { rawValue }

    /// The noun phrase ("striped pattern") that texture class names use.
    public var phrase: String { rawValue + " pattern" }
}

/// Where a single object sits in the image.
public enum Position: String, CaseIterable, Sendable, Codable {
    case left, right, top, bottom, center

    /// The canonical prepositional phrase ("on the left", "at the top", "in the center").
    public var phrase: String {
        switch self {
        case .left: "on the left"
        case .right: "on the right"
        case .top: "at the top"
        case .bottom: "at the bottom"
        case .center: "in the center"
        }
    }
}

/// What lies behind the objects.
public enum Background: String, CaseIterable, Sendable, Codable {
    case white, gray, black, grass, sky, sand

    /// Whether an object of `color` would all but vanish on this background (green on grass,
    /// navy on black); samplers never combine the two.
    public func hides(_ color: ObjectColor) -> Bool {
        (self == .grass && color == .green) || (self == .black && color == .navy)
    }

    /// Ways captions may name the background; the first is canonical.
    public var phrases: [String] {
        switch self {
        case .white: ["on a white background", "on white"]
        case .gray: ["on a gray background", "on gray"]
        case .black: ["on a black background", "on a dark background"]
        case .grass: ["on grass", "on the grass", "on a lawn"]
        case .sky: ["in the sky", "against the sky"]
        case .sand: ["on sand", "on the sand", "on a beach"]
        }
    }
}

/// How a scene is drawn: the clean style pretraining mostly sees, or a shifted domain.
public enum Domain: String, CaseIterable, Sendable, Codable {
    /// Filled, patterned objects on the named background.
    case clean
    /// Colored outlines on paper: no fill, no pattern, no background.
    case sketch
    /// The clean image under heavy per-pixel noise.
    case noise
    /// Other shades of the same named colors, on backgrounds pretraining never shows.
    case palette
}

/// Number words for the counts a scene may hold (1–4).
public enum CountWord {
    /// The largest number of objects in a scene.
    public static let maximum = 4

    /// "one", "two", "three" or "four".
    public static func word(_ count: Int) -> String {
        precondition((1...maximum).contains(count), "count \(count) outside 1...\(maximum)")
        return ["one", "two", "three", "four"][count - 1]
    }
}
