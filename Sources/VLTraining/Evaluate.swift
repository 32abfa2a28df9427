// Evaluation with the test transform, as Dassl's test loop does it after the last epoch:
// batches of preprocessed images (decoded one batch ahead, cached features where the method
// reads only the frozen encoder), class scores from the method, top-1 (and top-5, per-class,
// macro-F1) accumulated by VLEvaluation; frozen image features come from `ImageBatchLoader`.

import VLCLIP
import VLData
import VLEvaluation
import VLImage
import VLMethods
import VLTensor

/// The outcome of evaluating a method on labelled images.
public struct EvaluationResult: Sendable {
    /// Accuracy and friends, over the items evaluated.
    public var metrics: ClassificationMetrics
    /// The predicted label of every item evaluated, in order.
    public var predictions: [Int]
    /// The indices of the items evaluated (all of them unless images were skipped).
    public var indices: [Int]
    /// The images skipped as unreadable.
    public var skipped: [SkippedImage]
}

/// One evaluated batch: the items' indices and their logits `[indices.count, classes]`.
public struct EvaluatedBatch: Sendable {
    /// Indices into the evaluated data's items.
    public var indices: [Int]
    /// The method's class scores.
    public var logits: Tensor
}

/// Scores every item of `data` with `method` (classes `data.classNames` must be the method's)
/// and returns the metrics and predictions; `observe` hears the number of items done and
/// `onBatch` each batch's logits.
public func evaluate<Method: AdaptationMethod>(
    _ method: Method, clip: CLIP, on data: LabeledImages, batchSize: Int = 100,
    pipeline: ImagePipeline? = nil, loading: LoadingOptions = .init(), observe: (Int) -> Void = { _ in },
    onBatch: (EvaluatedBatch) throws -> Void = { _ in }
) throws -> EvaluationResult {
    guard !data.items.isEmpty else { throw TrainingError.empty(what: "the evaluation set") }
    try data.checkLabels()
    let preprocessing = (pipeline ?? ImagePipeline(size: clip.configuration.vision.imageSize)).evaluation
    let options = loading.forMethod(Method.self)
    let loader = ImageBatchLoader(data: data, preprocessing: preprocessing, options: options)
    let method = method.preparedForInference(clip: clip)
    var evaluator = try ClassificationEvaluator(classes: method.classNames.count)
    var result = EvaluationResult(
        metrics: ClassificationMetrics(count: 0, top1: 0, top5: nil, meanPerClassAccuracy: 0, macroF1: 0),
        predictions: [], indices: [], skipped: [])
    result.skipped = try loader.forEachReadableBatch(of: batchSize, observe: observe) { batch in
        let logits = method.logits(try batch.images(for: Method.self, clip: clip, cache: options.cache), clip: clip)
        try evaluator.add(logits: logits.array, labels: data.labels(batch.indices))
        result.predictions += logits.argmax(alongAxis: 1)
        result.indices += batch.indices
        try onBatch(EvaluatedBatch(indices: batch.indices, logits: logits))
    }
    guard !result.indices.isEmpty else {
        throw TrainingError.empty(what: "the evaluation set after skipping \(result.skipped.count) bad images")
    }
    result.metrics = try evaluator.metrics()
    return result
}

/// The frozen image features of every item of `data`, with the test transform.
public struct ExtractedFeatures: Sendable {
    /// Features `[indices.count, embeddingWidth]`, projected and not normalized.
    public var features: Tensor
    /// The items the rows belong to (all of them unless images were skipped).
    public var indices: [Int]
    /// The images skipped as unreadable.
    public var skipped: [SkippedImage]
}

/// `clip.encodeImage` of every item of `data` after `preprocessing`, `batchSize` at a time,
/// with the cache, skipping and prefetching of `loading`; `observe` hears the items done.
public func extractFeatures(
    of data: LabeledImages, clip: CLIP, preprocessing: CLIPPreprocessing, batchSize: Int = 100,
    loading: LoadingOptions = .init(), observe: (Int) -> Void = { _ in }
) throws -> ExtractedFeatures {
    let loader = ImageBatchLoader(data: data, preprocessing: preprocessing, options: loading)
    var rows: [Tensor] = []
    var result = ExtractedFeatures(
        features: Tensor.zeros([0, clip.configuration.embeddingWidth]), indices: [], skipped: [])
    result.skipped = try loader.forEachReadableBatch(of: batchSize, observe: observe) { batch in
        rows.append(try batch.features(clip: clip, cache: loading.cache))
        result.indices += batch.indices
    }
    if !rows.isEmpty { result.features = Tensor.concatenated(rows, alongAxis: 0) }
    return result
}

extension ImageBatchLoader {
    /// Loads every item in consecutive batches of `size` (at least 1) and hands `body` each batch
    /// that kept at least one readable image; `observe` hears the items done, skipped ones
    /// included. Returns the images skipped.
    func forEachReadableBatch(
        of size: Int, observe: (Int) -> Void, _ body: (LoadedBatch) throws -> Void
    ) throws -> [SkippedImage] {
        let batches = Self.consecutiveBatches(count: data.items.count, size: size)
        var skipped: [SkippedImage] = []
        var done = 0
        try forEach(batches) { batch in
            skipped += batch.skipped
            done += batch.indices.count + batch.skipped.count
            defer { observe(done) }
            if !batch.indices.isEmpty { try body(batch) }
        }
        return skipped
    }
}
