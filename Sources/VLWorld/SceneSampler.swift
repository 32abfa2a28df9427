// Draws random scenes: the layouts (a single placed object, a counted group, a related pair) and
// the pretraining distribution over the whole attribute space.

import VLTensor

/// Random scene construction from a seeded generator.
public enum SceneSampler {
    /// A uniformly chosen element of `options`.
    static func pick<T>(_ options: [T], _ random: inout RandomGenerator) -> T {
        options[random.nextInt(below: options.count)]
    }

    /// A uniform value in `range`.
    static func uniform(_ range: ClosedRange<Float>, _ random: inout RandomGenerator) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * Float(random.nextUniform())
    }

    /// A pattern: solid four times in ten, otherwise one of the textures.
    static func pattern(_ random: inout RandomGenerator) -> Pattern {
        random.nextUniform() < 0.4 ? .solid : pick(Array(Pattern.allCases.dropFirst()), &random)
    }

    /// A background that hides none of `colors`.
    static func background(showing colors: [ObjectColor], _ random: inout RandomGenerator) -> Background {
        pick(Background.allCases.filter { background in !colors.contains(where: background.hides) }, &random)
    }

    // MARK: - Layouts

    /// One object at `position`, its radius set by `size`.
    public static func single(
        _ look: Look, position: Position, background: Background, domain: Domain,
        random: inout RandomGenerator
    ) -> Scene {
        let radius = uniform(look.size == .small ? 0.15...0.17 : 0.24...0.27, &random)
        let (anchorX, anchorY) = anchor(of: position)
        let along: Float = position == .center ? 0.04 : 0.03
        let across: Float = position == .center ? 0.04 : 0.08
        let horizontal = position == .left || position == .right
        let jitterX = uniform(-1...1, &random) * (horizontal ? along : across)
        let jitterY = uniform(-1...1, &random) * (horizontal ? across : along)
        let object = look.object(x: anchorX + jitterX, y: anchorY + jitterY, radius: radius, &random)
        return Scene(
            objects: [object], background: background, position: position, domain: domain,
            textureSeed: random.next())
    }

    /// `count` (2–4) objects that look alike, spread over the whole image.
    public static func group(
        _ look: Look, count: Int, background: Background, domain: Domain,
        random: inout RandomGenerator
    ) -> Scene {
        precondition((2...CountWord.maximum).contains(count), "group of \(count) objects")
        let centers = pick(groupLayouts[count - 2], &random)
        let radius = uniform(look.size == .small ? 0.11...0.12 : 0.15...0.17, &random)
        let objects = centers.map { x, y in
            look.object(
                x: x + uniform(-0.025...0.025, &random), y: y + uniform(-0.025...0.025, &random),
                radius: radius, &random)
        }
        return Scene(
            objects: objects, background: background, domain: domain, textureSeed: random.next())
    }

    /// Two objects that differ in shape or color, side by side or one above the other.
    public static func pair(
        _ first: Look, _ second: Look, background: Background, domain: Domain,
        random: inout RandomGenerator
    ) -> Scene {
        let sideBySide = random.nextUniform() < 0.5
        let centers: [(Float, Float)] = sideBySide ? [(0.26, 0.5), (0.74, 0.5)] : [(0.5, 0.26), (0.5, 0.74)]
        let objects = zip([first, second], centers).map { look, center in
            look.object(
                x: center.0 + uniform(-0.03...0.03, &random),
                y: center.1 + uniform(-0.03...0.03, &random),
                radius: uniform(look.size == .small ? 0.11...0.13 : 0.16...0.19, &random), &random)
        }
        return Scene(
            objects: objects, background: background, domain: domain, textureSeed: random.next())
    }

    /// Unit-coordinate center of a single object at `position`.
    static func anchor(of position: Position) -> (Float, Float) {
        switch position {
        case .left: (0.3, 0.5)
        case .right: (0.7, 0.5)
        case .top: (0.5, 0.3)
        case .bottom: (0.5, 0.7)
        case .center: (0.5, 0.5)
        }
    }

    /// Candidate centers for groups of 2, 3 and 4 objects.
    static let groupLayouts: [[[(Float, Float)]]] = [
        [
            [(0.28, 0.5), (0.72, 0.5)], [(0.5, 0.28), (0.5, 0.72)],
            [(0.28, 0.28), (0.72, 0.72)], [(0.72, 0.28), (0.28, 0.72)],
        ],
        [
            [(0.5, 0.27), (0.27, 0.72), (0.73, 0.72)], [(0.27, 0.28), (0.73, 0.28), (0.5, 0.73)],
            [(0.27, 0.27), (0.73, 0.5), (0.27, 0.73)], [(0.73, 0.27), (0.27, 0.5), (0.73, 0.73)],
        ],
        [
            [(0.28, 0.28), (0.72, 0.28), (0.28, 0.72), (0.72, 0.72)],
            [(0.5, 0.2), (0.2, 0.5), (0.8, 0.5), (0.5, 0.8)],
        ],
    ]

    // MARK: - Pretraining distribution

    /// A scene from the full attribute space: half single objects, 30% groups of 2–4, 20% pairs;
    /// 90% clean, 5% sketches, 5% noisy. The `palette` domain is held out of pretraining.
    public static func pretrainingScene(random: inout RandomGenerator) -> Scene {
        let styleDraw = random.nextUniform()
        let domain: Domain = styleDraw < 0.9 ? .clean : (styleDraw < 0.95 ? .sketch : .noise)
        let look = Look.random(&random)
        let kindDraw = random.nextUniform()
        if kindDraw < 0.5 {
            let position = pick(Position.allCases, &random)
            let background = background(showing: [look.color], &random)
            return single(look, position: position, background: background, domain: domain, random: &random)
        }
        if kindDraw < 0.8 {
            let count = 2 + random.nextInt(below: CountWord.maximum - 1)
            let background = background(showing: [look.color], &random)
            return group(look, count: count, background: background, domain: domain, random: &random)
        }
        var other = Look.random(&random)
        while other.shape == look.shape && other.color == look.color {
            other = Look.random(&random)
        }
        let background = background(showing: [look.color, other.color], &random)
        return pair(look, other, background: background, domain: domain, random: &random)
    }
}

/// The attributes an object shows, before it is placed.
public struct Look: Hashable, Sendable {
    /// The outline.
    public var shape: ObjectShape
    /// The named color.
    public var color: ObjectColor
    /// The fill texture.
    public var pattern: Pattern
    /// The size word.
    public var size: ObjectSize

    /// Creates a look.
    public init(shape: ObjectShape, color: ObjectColor, pattern: Pattern, size: ObjectSize) {
        self.shape = shape
        self.color = color
        self.pattern = pattern
        self.size = size
    }

    /// A look drawn from the full attribute space.
    public static func random(_ random: inout RandomGenerator) -> Look {
        Look(
            shape: SceneSampler.pick(ObjectShape.allCases, &random),
            color: SceneSampler.pick(ObjectColor.allCases, &random),
            pattern: SceneSampler.pattern(&random),
            size: SceneSampler.pick(ObjectSize.allCases, &random))
    }

    /// An object with this look, placed at `(x, y)`, with a shade jitter of ±10%.
    func object(x: Float, y: Float, radius: Float, _ random: inout RandomGenerator) -> SceneObject {
        SceneObject(
            shape: shape, color: color, pattern: pattern, size: size, x: x, y: y, radius: radius,
            shade: SceneSampler.uniform(0.9...1.1, &random))
    }
}
