// A labelled class-set dataset of the world with deterministic train/val/test splits. Examples
// are generated on demand: label and scene come from the index alone, so nothing is cached.

import VLTensor

/// The splits of a world dataset, named as Dassl names them.
public enum WorldSplit: String, CaseIterable, Sendable {
    /// Examples to learn from (few-shot subsets are drawn from here).
    case train
    /// Examples for model selection.
    case validation = "val"
    /// Examples for reporting accuracy.
    case test

    /// Parses "train", "val" or "test".
    ///
    /// - Throws: ``WorldError/unknownSplit(_:)`` naming the value.
    public init(parsing text: String) throws {
        guard let split = WorldSplit(rawValue: text) else { throw WorldError.unknownSplit(text) }
        self = split
    }
}

/// How many examples each class has in each split.
public struct SplitSizes: Hashable, Sendable {
    /// Training examples per class.
    public var train: Int
    /// Validation examples per class.
    public var validation: Int
    /// Test examples per class.
    public var test: Int

    /// Creates split sizes (each at least 1).
    public init(train: Int, validation: Int, test: Int) {
        precondition(train > 0 && validation > 0 && test > 0, "split sizes must be positive")
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// 64 training, 16 validation and 32 test examples per class.
    public static let standard = SplitSizes(train: 64, validation: 16, test: 32)

    /// Examples per class in `split`.
    public func perClass(_ split: WorldSplit) -> Int {
        switch split {
        case .train: train
        case .validation: validation
        case .test: test
        }
    }
}

/// A class-set dataset of the world: class names, and labelled images per split.
///
/// Example `index` of a split has label `index % classCount`, so every prefix of a split is
/// class-balanced. Domain variants of one task (`world:shapes`, `world:shapes-sketch`, ...)
/// draw the very same scenes and differ only in how they are rendered.
public struct WorldDataset: Sendable {
    /// Which dataset this is.
    public let identifier: WorldDatasetName
    /// The world the examples come from.
    public let world: World
    /// Examples per class in each split.
    public let splitSizes: SplitSizes
    /// The classes in label order.
    public let classes: [WorldClass]

    init(name: WorldDatasetName, world: World, splitSizes: SplitSizes) {
        identifier = name
        self.world = world
        self.splitSizes = splitSizes
        classes = name.task.classes
    }

    /// The dataset name, "world:shapes".
    public var name: String { identifier.description }
    /// Side of every image, in pixels.
    public var size: Int { world.imageSize }
    /// Class names in label order.
    public var classNames: [String] { classes.map(\.name) }
    /// Number of base classes in a base-to-novel split: the first ceil(n/2) labels.
    public var baseClassCount: Int { (classes.count + 1) / 2 }

    /// Number of examples in `split`.
    public func count(split: WorldSplit) -> Int { classes.count * splitSizes.perClass(split) }

    /// The label of example `index` of `split`, without rendering it.
    public func label(split: WorldSplit, index: Int) -> Int {
        checkIndex(index, split)
        return index % classes.count
    }

    /// The scene of example `index` of `split`, in this dataset's domain.
    public func scene(split: WorldSplit, index: Int) -> Scene {
        let label = label(split: split, index: index)
        var random = RandomGenerator(seed: world.exampleSeed(stream: stream(split), index: index))
        return identifier.task.scene(of: classes[label], random: &random).rendered(in: identifier.domain)
    }

    /// Image bytes (`[size, size, 3]`, HWC) and label of example `index` of `split`.
    public func example(split: WorldSplit, index: Int) -> (pixels: [UInt8], label: Int) {
        (render(scene(split: split, index: index), size: size), label(split: split, index: index))
    }

    /// Example `index` of `split` as a `[3, size, size]` tensor in [0, 1].
    public func image(split: WorldSplit, index: Int) -> Tensor {
        World.imageTensor(pixels: example(split: split, index: index).pixels, size: size)
    }

    /// Examples `indices` of `split` as a `[batch, 3, size, size]` tensor in [0, 1] with labels.
    public func batch(split: WorldSplit, indices: [Int]) -> (images: Tensor, labels: [Int]) {
        let examples = indices.map { example(split: split, index: $0) }
        return (World.imageBatch(examples.map(\.pixels), size: size), examples.map(\.label))
    }

    /// The seed stream of `split`: per task, so domain variants share scenes.
    private func stream(_ split: WorldSplit) -> UInt64 {
        let task = UInt64(WorldTask.allCases.firstIndex(of: identifier.task)!)
        let splitNumber = UInt64(WorldSplit.allCases.firstIndex(of: split)!)
        return World.Stream.datasets + task * 16 + splitNumber
    }

    private func checkIndex(_ index: Int, _ split: WorldSplit) {
        precondition(
            (0..<count(split: split)).contains(index),
            "index \(index) outside \(name) \(split.rawValue) split of \(count(split: split))")
    }
}
