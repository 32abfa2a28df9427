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

    /// `transform`ed images of the items at `indices`, decoded in parallel on the kernel
    /// threads; `transform` receives each image and its position in `indices`. The first
    /// failure (in index order) is thrown.
    func loadImages<Output: Sendable>(
        _ indices: [Int], _ transform: @Sendable (RGBImage, Int) -> Output
    ) throws -> [Output] {
        let results = UnsafeMutableBufferPointer<Result<Output, any Error>>.allocate(capacity: indices.count)
        defer { results.deallocate() }
        let next = Atomic<Int>(0)
        nonisolated(unsafe) let slots = results
        let items = self.items
        let images = self.images
        DispatchQueue.concurrentPerform(iterations: max(1, min(Kernels.threadCount, indices.count))) { _ in
            while true {
                let position = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard position < indices.count else { return }
                let result = Result { transform(try images.image(for: items[indices[position]]), position) }
                (slots.baseAddress! + position).initialize(to: result)
            }
        }
        let collected = Array(results)
        _ = results.deinitialize()
        return try collected.map { try $0.get() }
    }
}

/// Pixel preparation for a model: its input size and normalization.
public struct ImagePipeline: Sendable, Equatable {
    /// Side of the square model input.
    public var size: Int
    /// Bytes to normalized floats.
    public var normalization: PixelNormalization

    /// Inputs of `size` pixels with CLIP's mean and standard deviation.
    public init(size: Int, normalization: PixelNormalization = .openCLIP) {
        self.size = size
        self.normalization = normalization
    }

    /// The test transform: resize the short side (bicubic), center crop, normalize.
    public var evaluation: CLIPPreprocessing {
        var preprocessing = CLIPPreprocessing(size: size)
        preprocessing.normalization = normalization
        return preprocessing
    }

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

    public var description: String {
        switch self {
        case .noImageFile(let item): "item \(item) has no image file"
        case .empty(let what): "\(what) has no items"
        case .labelOutOfRange(let item, let label, let classes):
            "item \(item) has label \(label), outside the \(classes) classes"
        case .checkpointMismatch(let path, let field):
            "\(path) was written by another run (its \(field) differs); remove it or choose another --out"
        case .malformedCheckpoint(let path, let detail): "\(path) is not a usable checkpoint: \(detail)"
        }
    }
}
