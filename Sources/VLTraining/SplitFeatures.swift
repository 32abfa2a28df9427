// Whole-split frozen features for the methods that fit state from data rather than by steps
// (Tip-Adapter's cache, its validation search): passes over the training images, augmented from
// their own seeded stream, and the validation split with the test transform.

import VLCLIP
import VLMethods
import VLTensor

/// Features of a split with the images that were skipped as unreadable.
struct SplitFeatures {
    var features: LabeledFeatures
    var skipped: [SkippedImage]
}

/// The frozen features of every item of `data` over `passes`.
///
/// Augmented passes draw from the run seed's own stream (``TrainingRun/Stream/preparation``),
/// pass `p` and item `i` from a generator of `(seed, p, i)`, so they differ from every training
/// epoch's crops and never depend on threads or batch sizes. Without augmentation there is one
/// test-transform pass. With `loading.skipBadImages`, an unreadable item is left out of every pass.
func trainingFeatures(
    of data: LabeledImages, passes: FeaturePasses, clip: CLIP, pipeline: ImagePipeline, seed: UInt64, batchSize: Int,
    loading: LoadingOptions
) throws -> SplitFeatures {
    var augmentation: SeededAugmentation?
    if case .randomResizedCrop(let scale, let flip) = passes.augmentation {
        augmentation = SeededAugmentation(
            pipeline.training(minimumScale: scale, flipProbability: flip),
            seed: RandomGenerator(seed: seed).derived(TrainingRun.Stream.preparation.rawValue))
    }
    let loader = ImageBatchLoader(
        data: data, preprocessing: pipeline.evaluation, augmentation: augmentation, options: loading)
    let chunks = ImageBatchLoader.consecutiveBatches(count: data.count, size: batchSize)
    let count = passes.effectiveCount
    let requests = (0..<count).flatMap { pass in
        chunks.map { BatchRequest($0, epoch: augmentation == nil ? nil : pass) }
    }
    let stream = BatchStream(loader, requests: requests)
    defer { stream.finish() }
    var tensors: [Tensor] = []
    var kept: [Int] = []
    var skipped: [SkippedImage] = []
    for pass in 0..<count {
        var rows: [Tensor] = []
        var indices: [Int] = []
        for _ in chunks {
            let batch = try stream.next()!
            if pass == 0 { skipped += batch.skipped }
            guard !batch.indices.isEmpty else { continue }
            rows.append(try batch.features(clip: clip, cache: loading.cache))
            indices += batch.indices
        }
        guard !indices.isEmpty else {
            throw TrainingError.empty(what: "the training set after skipping \(skipped.count) bad images")
        }
        if pass == 0 { kept = indices }
        guard indices == kept else {
            throw TrainingError.passesDiffer(pass: pass, items: indices.count, firstPassItems: kept.count)
        }
        tensors.append(Tensor.concatenated(rows, alongAxis: 0))
    }
    return SplitFeatures(
        features: LabeledFeatures(passes: tensors, labels: data.labels(kept), classNames: data.classNames),
        skipped: skipped)
}

/// The frozen test-transform features of every item of `validation`, whose classes must be
/// `classNames` (the training set's).
func validationFeatures(
    of validation: LabeledImages, classNames: [String], clip: CLIP, pipeline: ImagePipeline, batchSize: Int,
    loading: LoadingOptions
) throws -> SplitFeatures {
    try validation.checkLabels()
    guard validation.classNames == classNames else {
        throw TrainingError.classMismatch(
            what: "the validation set", found: validation.classNames, expected: classNames)
    }
    let extracted = try extractFeatures(
        of: validation, clip: clip, preprocessing: pipeline.evaluation, batchSize: batchSize, loading: loading)
    guard !extracted.indices.isEmpty else {
        throw TrainingError.empty(what: "the validation set after skipping \(extracted.skipped.count) bad images")
    }
    return SplitFeatures(
        features: LabeledFeatures(
            passes: [extracted.features], labels: validation.labels(extracted.indices), classNames: classNames),
        skipped: extracted.skipped)
}
