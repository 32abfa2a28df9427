// Labelled images as training and evaluation read them: the items of a split, the class
// names, and where pixels come from (files on disk, or a procedural source rendering them).

import Dispatch
import Foundation
import Synchronization
import VLData
import VLImage
import VLKernels
import VLTensor

/// Produces the 8-bit image of a dataset item.
public protocol ImageSource: Sendable {
    /// The decoded image of `item`; errors name the file or item.
    func image(for item: LabeledItem) throws -> RGBImage
}

/// Images decoded from the files items point at (JPEG, PNG).
public struct ImageFiles: ImageSource {
    /// How alpha channels are flattened.
    public var alpha: AlphaHandling

    /// Decodes files, dropping alpha as open_clip and Dassl do.
    public init(alpha: AlphaHandling = .discard) { self.alpha = alpha }

    public func image(for item: LabeledItem) throws -> RGBImage {
        guard let url = item.url else { throw TrainingError.noImageFile(item: item.path) }
        return try RGBImage(contentsOf: url, alpha: alpha)
    }
}

/// A split's items with their class names and an image source.
public struct LabeledImages: Sendable {
    /// The items, in dataset order.
    public var items: [LabeledItem]
    /// Class names in label order, as prompts use them.
    public var classNames: [String]
    /// Where pixels come from.
    public var images: any ImageSource

    /// Items with labels in `0..<classNames.count`.
    public init(items: [LabeledItem], classNames: [String], images: any ImageSource) {
        self.items = items
        self.classNames = classNames
        self.images = images
    }

    /// The items of `split` of `splits`, with CoOp's prompt spelling of the class names.
    public init(_ splits: DatasetSplits, split: Split, images: any ImageSource) {
        self.init(items: splits.items(split), classNames: splits.promptClassNames, images: images)
    }

    /// Number of items.
    public var count: Int { items.count }

    /// Labels of the items at `indices`.
    func labels(_ indices: [Int]) -> [Int] { indices.map { items[$0].label } }

    /// `body` applied to the items at `indices` in parallel on the kernel threads (it receives
    /// each item and its position in `indices`); one result per index, in order, so a failing
    /// item never stops the others and results never depend on scheduling.
    func mapItems<Output: Sendable>(
        _ indices: [Int], _ body: @Sendable (LabeledItem, Int) throws -> Output
    ) -> [Result<Output, any Error>] {
        let results = UnsafeMutableBufferPointer<Result<Output, any Error>>.allocate(capacity: indices.count)
        defer { results.deallocate() }
        let next = Atomic<Int>(0)
        nonisolated(unsafe) let slots = results
        let items = self.items
        DispatchQueue.concurrentPerform(iterations: max(1, min(Kernels.threadCount, indices.count))) { _ in
            while true {
                let position = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard position < indices.count else { return }
                let result = Result { try body(items[indices[position]], position) }
                (slots.baseAddress! + position).initialize(to: result)
            }
        }
        let collected = Array(results)
        _ = results.deinitialize()
        return collected
    }
}

/// Pixel preparation for a model: its test transform, whose size and normalization the
/// training augmentation shares.
public struct ImagePipeline: Sendable, Equatable {
    /// The test transform: resize the short side, center crop, normalize.
    public var evaluation: CLIPPreprocessing

    /// Inputs of `size` pixels with CLIP's mean and standard deviation (bicubic resize).
    public init(size: Int, normalization: PixelNormalization = .openCLIP) {
        var preprocessing = CLIPPreprocessing(size: size)
        preprocessing.normalization = normalization
        evaluation = preprocessing
    }

    /// The pipeline of a model whose test transform is `evaluation` (e.g. read from its
    /// `preprocessor_config.json`).
    public init(evaluation: CLIPPreprocessing) { self.evaluation = evaluation }

    /// Side of the square model input.
    public var size: Int { evaluation.cropSize }
    /// Bytes to normalized floats.
    public var normalization: PixelNormalization { evaluation.normalization }

    /// Dassl's training transform with the given crop scale and flip probability.
    public func training(minimumScale: Double, flipProbability: Double) -> TrainingAugmentation {
        TrainingAugmentation(
            size: size, scale: minimumScale...1, flipProbability: flipProbability, normalization: normalization)
    }
}

/// Why training or evaluation could not proceed.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// An item has no file and the source only reads files.
    case noImageFile(item: String)
    /// The data has no items.
    case empty(what: String)
    /// A label is outside the class list.
    case labelOutOfRange(item: String, label: Int, classes: Int)
    /// The checkpoint belongs to another run.
    case checkpointMismatch(path: String, field: String)
    /// The checkpoint cannot be read.
    case malformedCheckpoint(path: String, detail: String)
    /// A feature-cache entry passed its checks but does not fit the model.
    case unusableCacheEntry(detail: String)
    /// A batch asked for an augmented pass from a loader without an augmentation.
    case noAugmentation(epoch: Int)
    /// A split's classes differ from the ones the method trains on.
    case classMismatch(what: String, found: [String], expected: [String])
    /// A pass over the training images read other images than the first pass (an image became
    /// unreadable in between).
    case passesDiffer(pass: Int, items: Int, firstPassItems: Int)

    public var description: String {
        switch self {
        case .noImageFile(let item): "item \(item) has no image file"
        case .empty(let what): "\(what) has no items"
        case .labelOutOfRange(let item, let label, let classes):
            "item \(item) has label \(label), outside the \(classes) classes"
        case .checkpointMismatch(let path, let field):
            "\(path) was written by another run (its \(field) differs); remove it or choose another --out"
        case .malformedCheckpoint(let path, let detail): "\(path) is not a usable checkpoint: \(detail)"
        case .unusableCacheEntry(let detail): "feature cache: \(detail); remove the cache folder or pass --no-cache"
        case .noAugmentation(let epoch): "epoch \(epoch) asks for augmented images, but the loader has no augmentation"
        case .classMismatch(let what, let found, let expected):
            "\(what) has classes \(found), the training set \(expected)"
        case .passesDiffer(let pass, let items, let first):
            "pass \(pass) over the training images read \(items) images, the first pass \(first)"
        }
    }
}
