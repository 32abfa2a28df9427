// Evaluation with the test transform, as Dassl's test loop does it after the last epoch:
// batches of preprocessed images, class scores from the method, top-1 (and top-5, per-class,
// macro-F1) accumulated by VLEvaluation.

import VLCLIP
import VLData
import VLEvaluation
import VLImage
import VLMethods
import VLTensor

/// The outcome of evaluating a method on labelled images.
public struct EvaluationResult: Sendable {
    /// Accuracy and friends.
    public var metrics: ClassificationMetrics
    /// The predicted label of every item, in order.
    public var predictions: [Int]
}

/// Scores every item of `data` with `method` (classes `data.classNames` must be the method's)
/// and returns the metrics and predictions; `observe` hears the number of items done.
public func evaluate<Method: AdaptationMethod>(
    _ method: Method, clip: CLIP, on data: LabeledImages, batchSize: Int = 100,
    pipeline: ImagePipeline? = nil, observe: (Int) -> Void = { _ in }
) throws -> EvaluationResult {
    guard !data.items.isEmpty else { throw TrainingError.empty(what: "the evaluation set") }
    try data.checkLabels()
    let preprocessing = (pipeline ?? ImagePipeline(size: clip.configuration.vision.imageSize)).evaluation
    let method = method.preparedForInference(clip: clip)
    var evaluator = try ClassificationEvaluator(classes: method.classNames.count)
    var predictions: [Int] = []
    for start in stride(from: 0, to: data.items.count, by: max(1, batchSize)) {
        let indices = Array(start..<min(start + batchSize, data.items.count))
        let pixels = stackImages(try data.loadImages(indices) { image, _ in preprocessing(image) })
        let logits = method.logits(Method.imageBatch(pixels, clip: clip), clip: clip)
        let labels = data.labels(indices)
        try evaluator.add(logits: logits.array, labels: labels)
        predictions += logits.argmax(alongAxis: 1)
        observe(indices.last! + 1)
    }
    return EvaluationResult(metrics: try evaluator.metrics(), predictions: predictions)
}
