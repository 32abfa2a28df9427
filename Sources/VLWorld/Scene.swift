// A scene of the procedural world: typed attributes plus the exact geometry the renderer draws.
// Everything a pixel depends on is in here, so `render(scene, size:)` is a pure function.

/// One object: its attributes and where it is drawn.
///
/// Geometry is in unit image coordinates: `x` runs left to right and `y` top to bottom over
/// `[0, 1]`, so a scene renders the same at every pixel size.
public struct SceneObject: Hashable, Sendable {
    /// The outline.
    public var shape: ObjectShape
    /// The named color.
    public var color: ObjectColor
    /// The fill texture.
    public var pattern: Pattern
    /// The size word captions use; `radius` is the drawn size.
    public var size: ObjectSize
    /// Horizontal center in `[0, 1]`.
    public var x: Float
    /// Vertical center in `[0, 1]` (0 is the top).
    public var y: Float
    /// Half the extent of the object's bounding square, in unit coordinates.
    public var radius: Float
    /// Brightness multiplier near 1 (per-object shade jitter within the named color).
    public var shade: Float

    /// Creates an object with the given attributes and geometry.
    public init(
        shape: ObjectShape, color: ObjectColor, pattern: Pattern, size: ObjectSize,
        x: Float, y: Float, radius: Float, shade: Float = 1
    ) {
        self.shape = shape
        self.color = color
        self.pattern = pattern
        self.size = size
        self.x = x
        self.y = y
        self.radius = radius
        self.shade = shade
    }

    /// Whether two objects share every attribute a caption names (shape, color, pattern, size).
    public func looksAlike(_ other: SceneObject) -> Bool {
        shape == other.shape && color == other.color && pattern == other.pattern
            && size == other.size
    }
}

/// A whole image: a background, objects drawn in order (later ones on top), and a style.
public struct Scene: Hashable, Sendable {
    /// The objects, drawn first to last.
    public var objects: [SceneObject]
    /// What lies behind the objects.
    public var background: Background
    /// Where the single object sits; `nil` for groups and pairs, which spread over the image.
    public var position: Position?
    /// The rendering style.
    public var domain: Domain
    /// Seeds the textures (grass, sand, speckles) and the noise of the `noise` domain.
    public var textureSeed: UInt64

    /// Creates a scene.
    public init(
        objects: [SceneObject], background: Background, position: Position? = nil,
        domain: Domain = .clean, textureSeed: UInt64 = 0
    ) {
        self.objects = objects
        self.background = background
        self.position = position
        self.domain = domain
        self.textureSeed = textureSeed
    }

    /// Number of objects.
    public var count: Int { objects.count }

    /// Whether every object looks like the first (a group a caption can count: "three red stars").
    public var isUniform: Bool {
        guard let first = objects.first else { return true }
        return objects.allSatisfy { $0.looksAlike(first) }
    }

    /// The same scene drawn in another style.
    public func rendered(in domain: Domain) -> Scene {
        var copy = self
        copy.domain = domain
        return copy
    }
}
