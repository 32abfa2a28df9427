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
import VLTensor

/// How loading treats images and features.
public struct LoadingOptions: Sendable {
    /// Features computed before are read from here, new ones written (test transform only).
    public var cache: FeatureCache?
    /// The model's content hash (``VLCLIP/CLIP/contentHash()``); the cache is used only with it.
    public var modelHash: String?
    /// Skip images that cannot be read instead of stopping at the first one.
    public var skipBadImages: Bool
    /// Decode the next batch while the current one is encoded.
    public var prefetch: Bool

    /// No cache, bad images are errors, prefetching on.
    public init(
        cache: FeatureCache? = nil, modelHash: String? = nil, skipBadImages: Bool = false, prefetch: Bool = true
    ) {
        self.cache = cache
        self.modelHash = modelHash
        self.skipBadImages = skipBadImages
        self.prefetch = prefetch
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

/// Reads batches of `data` with a deterministic transform, one batch ahead of the consumer.
public struct ImageBatchLoader: Sendable {
    /// The images.
    public let data: LabeledImages
    /// The transform producing `[3, size, size]` pixels.
    public let preprocessing: CLIPPreprocessing
    /// Cache, skipping and prefetching.
    public let options: LoadingOptions

    /// A loader over `data` with the test transform `preprocessing`.
    public init(data: LabeledImages, preprocessing: CLIPPreprocessing, options: LoadingOptions = .init()) {
        self.data = data
        self.preprocessing = preprocessing
        self.options = options
    }

    /// Calls `body` with each batch of `batches` (item indices) in order. With prefetching, the
    /// next batch is decoded on a background thread while `body` runs; at most two batches are
    /// in memory at once. The first unreadable image of a batch is thrown unless skipping.
    public func forEach(_ batches: [[Int]], _ body: (LoadedBatch) throws -> Void) throws {
        guard options.prefetch, batches.count > 1 else {
            for indices in batches { try body(load(indices).get()) }
            return
        }
        var pending = Prefetch { self.load(batches[0]) }
        defer { _ = pending.wait() }
        for position in batches.indices {
            let batch = pending.wait()
            if position + 1 < batches.count {
                let next = batches[position + 1]
                pending = Prefetch { self.load(next) }
            }
            try body(batch.get())
        }
    }

    /// Decodes (or reads from the cache) every item of `indices`.
    func load(_ indices: [Int]) -> Result<LoadedBatch, any Error> {
        let results = data.mapItems(indices) { item, _ in try prepare(item) }
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

    /// One item's pixels, or its cached features when the cache holds them.
    func prepare(_ item: LabeledItem) throws -> PreparedImage {
        guard let cache = options.cache, let model = options.modelHash, let url = item.url,
            let files = data.images as? ImageFiles
        else {
            return .pixels(preprocessing(try data.images.image(for: item)), key: nil)
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw ImageError(source: url.path, kind: .unreadable, detail: error.localizedDescription)
        }
        var hash = SHA256()
        bytes.withUnsafeBytes { hash.update($0) }
        let key = FeatureCache.Key(
            model: model, preprocessing: FeatureCache.identity(of: preprocessing), content: hash.hexDigest())
        if let features = cache.features(for: key) { return .features(features) }
        let image = try RGBImage(decoding: bytes, source: url.path, alpha: files.alpha)
        return .pixels(preprocessing(image), key: key)
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
    var pixels: Tensor {
        stackImages(
            images.map { image in
                guard case .pixels(let tensor, _) = image else { preconditionFailure("pixels of a cached row") }
                return tensor
            })
    }
}

/// Work started on a background thread whose result is collected once.
private final class Prefetch<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the worker before `done` is signalled, read after waiting on it.
    private var value: Value?
    private var collected = false

    init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global(qos: .userInitiated).async {
            self.value = work()
            self.done.signal()
        }
    }

    /// The value, waiting for it the first time.
    func wait() -> Value {
        if !collected {
            done.wait()
            collected = true
        }
        return value!
    }
}
