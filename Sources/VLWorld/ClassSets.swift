// The class sets ("datasets") defined on the world: which attributes name a class, how an
// example of a class is drawn (the other attributes vary as nuisance), and the label order.
//
// Label order matters for base-to-novel experiments, which (as in CoOp/CoCoOp) take the first
// ceil(n/2) labels as base. Compositional sets are grids (color × shape, ...); their labels list
// one color of a checkerboard over the grid first, then the other, so both halves use every
// row word and every column word, and each novel class is a new pairing of words seen in base.

import VLTensor

/// A class of a world dataset: its name and the attributes every one of its examples shows.
public struct WorldClass: Hashable, Sendable {
    /// The class name, a natural phrase that captions also use ("red circle").
    public let name: String
    /// The shape every object has, if the class fixes it.
    public var shape: ObjectShape?
    /// The color every object has, if the class fixes it.
    public var color: ObjectColor?
    /// The pattern every object has, if the class fixes it.
    public var pattern: Pattern?
    /// The number of objects, if the class fixes it.
    public var count: Int?
    /// The position of the single object, if the class fixes it.
    public var position: Position?

    /// The words of the name.
    public var words: [String] { name.split(separator: " ").map(String.init) }

    /// Whether `scene` shows this class: every fixed attribute holds for every object.
    public func isSatisfied(by scene: Scene) -> Bool {
        guard !scene.objects.isEmpty else { return false }
        if let count, scene.count != count { return false }
        if let position, scene.position != position { return false }
        return scene.objects.allSatisfy { object in
            (shape.map { $0 == object.shape } ?? true)
                && (color.map { $0 == object.color } ?? true)
                && (pattern.map { $0 == object.pattern } ?? true)
        }
    }
}

/// The kinds of class set; each shifted domain reuses one of them.
public enum WorldTask: String, CaseIterable, Sendable {
    /// Color × shape compositions: "red circle".
    case shapes
    /// Fill textures: "striped pattern".
    case patterns
    /// Number × shape: "three stars".
    case counts
    /// Shape × position of a single object: "star at the top".
    case positions

    /// The shapes the compositional sets use.
    static let classShapes: [ObjectShape] = [.circle, .square, .triangle, .star, .heart, .cross]
    /// The colors `shapes` uses: includes the similar-hue pair red/pink.
    static let classColors: [ObjectColor] = [.red, .pink, .orange, .green, .blue, .purple]
    /// The shapes `patterns` draws, chosen for their large filled area.
    static let patternShapes: [ObjectShape] = [.circle, .square, .heart, .diamond, .triangle]

    /// The classes in label order.
    public var classes: [WorldClass] {
        switch self {
        case .shapes:
            return checkerboard(rows: WorldTask.classColors, columns: WorldTask.classShapes) { color, shape in
                WorldClass(name: color.word + " " + shape.word, shape: shape, color: color)
            }
        case .patterns:
            let order: [Pattern] = [.solid, .striped, .checkered, .dotted, .zigzag, .speckled]
            return order.map { WorldClass(name: $0.phrase, pattern: $0) }
        case .counts:
            // Only "one" takes the singular noun, so all of that row is base (else a novel
            // "one square" would use a word no base class has); each plural noun is base once.
            let counts = Array(1...CountWord.maximum)
            return baseFirst(rows: counts, columns: WorldTask.classShapes) { row, column in
                row == 0 || column % (counts.count - 1) == row - 1
            } makeClass: { count, shape in
                WorldClass(
                    name: CountWord.word(count) + " " + shape.noun(count: count), shape: shape,
                    count: count)
            }
        case .positions:
            return checkerboard(rows: Position.allCases, columns: WorldTask.classShapes) { position, shape in
                WorldClass(name: shape.word + " " + position.phrase, shape: shape, position: position)
            }
        }
    }

    /// Whether class names are compositions of words shared across classes, so that every
    /// novel class's words also occur in base classes.
    public var isCompositional: Bool { self != .patterns }

    /// A clean scene showing `worldClass`, its other attributes drawn at random.
    func scene(of worldClass: WorldClass, random: inout RandomGenerator) -> Scene {
        var look = Look.random(&random)
        if let shape = worldClass.shape { look.shape = shape }
        if let color = worldClass.color { look.color = color }
        if let pattern = worldClass.pattern { look.pattern = pattern }
        let background = SceneSampler.background(showing: [look.color], &random)
        let count: Int
        switch self {
        case .shapes: count = random.nextUniform() < 0.65 ? 1 : 2 + random.nextInt(below: 3)
        case .patterns:
            look.shape = SceneSampler.pick(WorldTask.patternShapes, &random)
            look.size = .large
            count = random.nextUniform() < 0.75 ? 1 : 2
        case .counts: count = worldClass.count!
        case .positions: count = 1
        }
        if count == 1 {
            let position = worldClass.position ?? SceneSampler.pick(Position.allCases, &random)
            return SceneSampler.single(
                look, position: position, background: background, domain: .clean, random: &random)
        }
        return SceneSampler.group(
            look, count: count, background: background, domain: .clean, random: &random)
    }
}

/// Cells of the grid `rows × columns` in label order: the cells with an even `row + column`
/// (row-major), then the odd ones. Each row and each column with two or more cells appears in
/// both halves, and the even half holds ceil(n/2) cells.
func checkerboard<Row, Column>(
    rows: [Row], columns: [Column], _ makeClass: (Row, Column) -> WorldClass
) -> [WorldClass] {
    baseFirst(rows: rows, columns: columns, isBase: { ($0 + $1) % 2 == 0 }, makeClass: makeClass)
}

/// Cells of the grid `rows × columns` in label order: the cells `isBase(row, column)` selects
/// (row-major), then the rest. The selection must hold ceil(n/2) cells, the base half of a
/// base-to-novel split.
func baseFirst<Row, Column>(
    rows: [Row], columns: [Column], isBase: (Int, Int) -> Bool,
    makeClass: (Row, Column) -> WorldClass
) -> [WorldClass] {
    let cells = rows.indices.flatMap { row in columns.indices.map { (row, $0) } }
    let base = cells.filter { isBase($0.0, $0.1) }
    let novel = cells.filter { !isBase($0.0, $0.1) }
    precondition(base.count == (cells.count + 1) / 2, "base half must hold ceil(n/2) classes")
    return (base + novel).map { makeClass(rows[$0.0], columns[$0.1]) }
}

/// The named datasets of the world, as `--dataset world:NAME` spells them.
public enum WorldDatasetName: String, CaseIterable, Sendable, CustomStringConvertible {
    case shapes, patterns, counts, positions
    case shapesSketch = "shapes-sketch"
    case shapesNoise = "shapes-noise"
    case shapesPalette = "shapes-palette"

    /// The prefix that marks a dataset name as one of the world's.
    public static let prefix = "world:"

    /// The class set.
    public var task: WorldTask {
        switch self {
        case .shapes, .shapesSketch, .shapesNoise, .shapesPalette: .shapes
        case .patterns: .patterns
        case .counts: .counts
        case .positions: .positions
        }
    }

    /// The rendering style of every example.
    public var domain: Domain {
        switch self {
        case .shapesSketch: .sketch
        case .shapesNoise: .noise
        case .shapesPalette: .palette
        case .shapes, .patterns, .counts, .positions: .clean
        }
    }

    /// "world:shapes".
    public var description: String { WorldDatasetName.prefix + rawValue }

    /// Parses "world:NAME" (the prefix is required).
    ///
    /// - Throws: ``WorldError/unknownDataset(_:valid:)`` naming the value and the valid names.
    public init(parsing text: String) throws {
        guard text.hasPrefix(WorldDatasetName.prefix),
            let name = WorldDatasetName(rawValue: String(text.dropFirst(WorldDatasetName.prefix.count)))
        else {
            throw WorldError.unknownDataset(text, valid: WorldDatasetName.allCases.map(\.description))
        }
        self = name
    }
}

/// Errors from the world's text boundary.
public enum WorldError: Error, CustomStringConvertible, Equatable {
    /// A dataset name that is not one of the world's.
    case unknownDataset(String, valid: [String])
    /// A split name that is not train, val or test.
    case unknownSplit(String)

    /// A message naming the bad value and the valid ones.
    public var description: String {
        switch self {
        case .unknownDataset(let name, let valid):
            "unknown world dataset '\(name)'; valid names: \(valid.joined(separator: ", "))"
        case .unknownSplit(let name):
            "unknown split '\(name)'; valid splits: "
                + WorldSplit.allCases.map(\.rawValue).joined(separator: ", ")
        }
    }
}
