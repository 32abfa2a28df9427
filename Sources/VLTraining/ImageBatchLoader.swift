// Batches of labelled images for the frozen encoder: each batch is decoded and preprocessed on
// the kernel threads while the model computes the previous one (one batch ahead, so memory is
// bounded by the batch size), cached features replace decoding where the cache has them, and
// images that cannot be read either stop the run (naming the file) or are skipped and counted.

import Dispatch
import Foundation
import VLCLIP
import VLData
import VLFormats
import VLImage
import VLMethods
import VLTensor

/// How loading treats images and features.
public struct LoadingOptions: Sendable {
    /// Features computed before are read from here, new ones written.
    public var cache: FeatureCache?
    /// The model's content hash (``VLCLIP/CLIP/contentHash()``); the cache is used only with it.
    public var modelHash: String?
    /// Whether augmented training passes go through ``cache`` too (test-transform passes always do).
    public var cachesAugmentedPasses: Bool
    /// Skip images that cannot be read instead of stopping at the first one.
    public var skipBadImages: Bool
    /// Decode the next batch while the current one is encoded.
    public var prefetch: Bool

    /// No cache, bad images are errors, prefetching on.
    public init(
        cache: FeatureCache? = nil, modelHash: String? = nil, cachesAugmentedPasses: Bool = false,
        skipBadImages: Bool = false, prefetch: Bool = true
    ) {
        self.cache = cache
        self.modelHash = modelHash
        self.cachesAugmentedPasses = cachesAugmentedPasses
        self.skipBadImages = skipBadImages
        self.prefetch = prefetch
    }
}

extension LoadingOptions {
    /// These options for `Method`: the disk cache holds pooled frozen features only, so it is
    /// dropped for methods reading pixels or projected tokens.
    func forMethod<Method: AdaptationMethod>(_ type: Method.Type) -> LoadingOptions {
        var options = self
        if !Method.usesFrozenImageFeatures || Method.readsImageTokens { options.cache = nil }
        return options
    }
}

extension LoadedBatch {
    /// The batch as `Method` reads it: pooled features through `cache` when one is given (see
    /// ``LoadingOptions/forMethod(_:)``), else ``AdaptationMethod/imageBatch(_:clip:)`` of its pixels.
    func images<Method: AdaptationMethod>(for type: Method.Type, clip: CLIP, cache: FeatureCache?) throws
        -> ImageBatch
    {
        guard let cache else { return Method.imageBatch(pixels, clip: clip) }
        return .features(try features(clip: clip, cache: cache))
    }
}

/// An image left out of a run, and why.
public struct SkippedImage: Sendable, Equatable, Hashable {
    /// The item's path as the dataset gives it.
    public var path: String
    /// The error, naming the file.
    public var reason: String
}

/// One batch ready for the encoder.
public struct LoadedBatch: Sendable {
    /// The usable items' indices, in batch order.
    public var indices: [Int]
    /// The items that could not be read (only when skipping).
    public var skipped: [SkippedImage]
    /// Per usable item: preprocessed pixels (with the cache key to store their features
    /// under) or features read from the cache.
    var images: [PreparedImage]
}

/// One item as the loader prepared it.
enum PreparedImage: Sendable {
    case pixels(Tensor, key: FeatureCache.Key?)
    case features([Float])
}

/// A batch to load: item indices and the pass their pixels come from.
public struct BatchRequest: Sendable, Equatable {
    /// Indices into the data's items, in batch order.
    public var indices: [Int]
    /// The epoch of an augmented training pass, or `nil` for the test transform.
    public var epoch: Int?

    /// Items `indices`, augmented as in `epoch` (or with the test transform when `nil`).
    public init(_ indices: [Int], epoch: Int? = nil) {
        self.indices = indices
        self.epoch = epoch
    }
}

/// Reads batches of `data`, one batch ahead of the consumer: with the deterministic test
/// transform, or with a seeded training augmentation for requests that name an epoch.
public struct ImageBatchLoader: Sendable {
    /// The images.
    public let data: LabeledImages
    /// The test transform producing `[3, size, size]` pixels.
    public let preprocessing: CLIPPreprocessing
    /// The augmentation applied to requests with an epoch.
    public let augmentation: SeededAugmentation?
    /// Cache, skipping and prefetching.
    public let options: LoadingOptions

    /// A loader over `data` with the test transform `preprocessing` and, for training passes,
    /// `augmentation`.
    public init(
        data: LabeledImages, preprocessing: CLIPPreprocessing, augmentation: SeededAugmentation? = nil,
        options: LoadingOptions = .init()
    ) {
        self.data = data
        self.preprocessing = preprocessing
        self.augmentation = augmentation
        self.options = options
    }

    /// Items `0..<count` in consecutive batches of `size` (at least 1); the last may be shorter.
    public static func consecutiveBatches(count: Int, size: Int) -> [[Int]] {
        let size = max(1, size)
        return stride(from: 0, to: count, by: size).map { Array($0..<min($0 + size, count)) }
    }

    /// Calls `body` with each batch of `batches` (item indices, test transform) in order. With
    /// prefetching, the next batch is decoded on a background thread while `body` runs; at most
    /// two batches are in memory at once. The first unreadable image of a batch is thrown unless
    /// skipping.
    public func forEach(_ batches: [[Int]], _ body: (LoadedBatch) throws -> Void) throws {
        let stream = BatchStream(self, requests: batches.map { BatchRequest($0) })
        defer { stream.finish() }
        while let batch = try stream.next() { try body(batch) }
    }

    /// Decodes (or reads from the cache) every item of `request`.
    func load(_ request: BatchRequest) -> Result<LoadedBatch, any Error> {
        let indices = request.indices
        let results = data.mapItems(indices) { item, position in
            try prepare(item, index: indices[position], epoch: request.epoch)
        }
        var batch = LoadedBatch(indices: [], skipped: [], images: [])
        for (index, result) in zip(indices, results) {
            switch result {
            case .success(let image):
                batch.indices.append(index)
                batch.images.append(image)
            case .failure(let error):
                guard options.skipBadImages else { return .failure(error) }
                batch.skipped.append(SkippedImage(path: data.items[index].path, reason: "\(error)"))
            }
        }
        return .success(batch)
    }

    /// Item `index`'s pixels (test transform, or augmented as in `epoch`), or its cached
    /// features when the cache holds them.
    func prepare(_ item: LabeledItem, index: Int, epoch: Int?) throws -> PreparedImage {
        let transform = try pixelTransform(index: index, epoch: epoch)
        guard let key = cacheKeyParts(epoch: epoch, index: index), let url = item.url,
            let files = data.images as? ImageFiles, let cache = options.cache
        else {
            return .pixels(transform(try data.images.image(for: item)), key: nil)
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw ImageError(source: url.path, kind: .unreadable, detail: error.localizedDescription)
        }
        var hash = SHA256()
        bytes.withUnsafeBytes { hash.update($0) }
        let fullKey = FeatureCache.Key(
            model: key.model, preprocessing: key.preprocessing, content: hash.hexDigest(), pass: key.pass)
        if let features = cache.features(for: fullKey) { return .features(features) }
        let image = try RGBImage(decoding: bytes, source: url.path, alpha: files.alpha)
        return .pixels(transform(image), key: fullKey)
    }

    /// The transform of one item in one pass.
    func pixelTransform(index: Int, epoch: Int?) throws -> (RGBImage) -> Tensor {
        guard let epoch else { return { preprocessing($0) } }
        guard let augmentation else { throw TrainingError.noAugmentation(epoch: epoch) }
        return { image in
            var generator = augmentation.generator(epoch: epoch, item: index)
            return augmentation.augmentation(image, using: &generator)
        }
    }

    /// The cache key without the content hash, when this pass is cached.
    func cacheKeyParts(epoch: Int?, index: Int) -> FeatureCache.Key? {
        guard options.cache != nil, let model = options.modelHash else { return nil }
        guard let epoch else {
            return FeatureCache.Key(model: model, preprocessing: FeatureCache.identity(of: preprocessing), content: "")
        }
        guard options.cachesAugmentedPasses, let augmentation else { return nil }
        let alpha = (data.images as? ImageFiles)?.alpha
        return FeatureCache.Key(
            model: model, preprocessing: augmentation.identity + " alpha \(alpha.map { "\($0)" } ?? "none")",
            content: "",
            pass: .augmented(settings: augmentation.identity, seed: augmentation.seed, epoch: epoch, item: index))
    }
}

/// A training augmentation whose random draws are fixed by (seed, epoch, item), so a batch's
/// pixels never depend on threads, batch composition or where a resumed run starts.
public struct SeededAugmentation: Sendable {
    /// The transform.
    public var augmentation: TrainingAugmentation
    /// The run's seed.
    public var seed: UInt64
    /// The stream of the run's seed the augmentation draws from.
    public static let stream: UInt64 = 2

    /// `augmentation` drawing from `seed`.
    public init(_ augmentation: TrainingAugmentation, seed: UInt64) {
        self.augmentation = augmentation
        self.seed = seed
    }

    /// The generator of item `item` in `epoch`.
    public func generator(epoch: Int, item: Int) -> RandomGenerator {
        let epochSeed = RandomGenerator(seed: RandomGenerator(seed: seed).derived(Self.stream)).derived(UInt64(epoch))
        return RandomGenerator(seed: RandomGenerator(seed: epochSeed).derived(UInt64(item)))
    }

    /// A stable spelling of everything in the transform that changes pixels.
    public var identity: String {
        let crop = augmentation.crop
        let normalization = augmentation.normalization
        return "random-resized-crop \(crop.size) scale \(crop.scale.lowerBound) \(crop.scale.upperBound) "
            + "ratio \(crop.aspectRatio.lowerBound) \(crop.aspectRatio.upperBound) \(crop.filter) "
            + "flip \(augmentation.flipProbability) mean \(normalization.mean) std \(normalization.standardDeviation) "
            + "\(normalization.rescaling)"
    }
}

extension LoadedBatch {
    /// The batch's image features `[indices.count, embeddingWidth]`: pixels are encoded by
    /// `clip` in one pass (and their features stored in `cache` when keyed), cached rows are
    /// used as read.
    public func features(clip: CLIP, cache: FeatureCache?) throws -> Tensor {
        let width = clip.configuration.embeddingWidth
        let pixels = images.compactMap { image -> Tensor? in
            if case .pixels(let tensor, _) = image { return tensor }
            return nil
        }
        if pixels.count == images.count { return try store(clip.encodeImage(stackImages(pixels)), cache: cache) }
        let encoded: [Float] = pixels.isEmpty ? [] : try store(clip.encodeImage(stackImages(pixels)), cache: cache).array
        var values: [Float] = []
        values.reserveCapacity(images.count * width)
        var row = 0
        for image in images {
            switch image {
            case .features(let cached):
                guard cached.count == width else {
                    throw TrainingError.unusableCacheEntry(
                        detail: "a cached feature row has \(cached.count) values, the model \(width)")
                }
                values += cached
            case .pixels:
                values += encoded[(row * width)..<((row + 1) * width)]
                row += 1
            }
        }
        return Tensor(values, shape: [images.count, width])
    }

    /// Writes each keyed pixel row's features to `cache`; returns `features` unchanged.
    private func store(_ features: Tensor, cache: FeatureCache?) throws -> Tensor {
        guard let cache else { return features }
        let width = features.shape[1]
        let values = features.array
        var row = 0
        for image in images {
            guard case .pixels(_, let key) = image else { continue }
            if let key { try cache.store(Array(values[(row * width)..<((row + 1) * width)]), for: key) }
            row += 1
        }
        return features
    }

    /// The preprocessed pixels `[indices.count, 3, size, size]`; only for batches read
    /// without a cache.
    public var pixels: Tensor {
        stackImages(
            images.map { image in
                guard case .pixels(let tensor, _) = image else { preconditionFailure("pixels of a cached row") }
                return tensor
            })
    }
}
