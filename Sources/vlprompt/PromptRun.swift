// One prompt-learning run as `train` and `demo` perform it (methods-text.md §3): sample K shots
// per class, keep base, novel or all classes, train with a recipe, save the portable prompt,
// evaluate the last-epoch model on the test split (and on the novel classes after base
// training), and write the run record.

import Foundation
import VLCLIP
import VLData
import VLEvaluation
import VLMethods
import VLTraining

/// Hears a run's training events and evaluation progress.
protocol RunProgress {
    /// A training event.
    func training(_ event: TrainingEvent)
    /// `done` of `total` images of the evaluation `name` (`base`, `novel`, `test`) scored.
    func evaluating(_ name: String, done: Int, of total: Int)
}

/// What to run and where: the method with its options, the recipe and the protocol.
struct PromptRun {
    var configuration: MethodConfiguration
    var recipe: TrainingRecipe
    /// Training examples per class.
    var shots: Int
    var seed: UInt64
    /// Classes trained and tested on.
    var subsample: ClassSubsample
    /// The run folder: prompt, record, few-shot subset and checkpoint.
    var directory: URL
    /// Bad-image handling and the feature cache.
    var imageLoading: ImageLoadingOptions

    var method: MethodKind { configuration.kind }

    /// Trains, evaluates and records; returns the metrics by evaluation key
    /// (``RunRecord/EvaluationKey``).
    func execute(
        resolved: LoadedModel, source: any DatasetSource, threads: Int, progress: (any RunProgress)?
    ) throws -> [String: ClassificationMetrics] {
        let startedAt = Date()
        let identity = resolved.identity()
        let loading = imageLoading.loading(for: resolved, modelHash: identity.sha256)
        let run = RunDirectory(directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let all = try source.load(imageLoading.dataOptions)
        if progress != nil { warnSkippedItems(all) }
        let subset = try FewShotSampler.sample(all, shots: shots, seed: seed)
        try subset.write(to: run.subsetURL)
        let fewShot = try all.applying(subset, from: run.subsetURL)
        let splits = fewShot.subsampled(subsample)
        let images = DataResolution.images(for: source)
        let trainData = LabeledImages(splits, split: .train, images: images)
        // Selection never sees the test set: a dataset whose validation split is its test split
        // (CoOp's ImageNet) gives the method no validation data.
        let validationData =
            splits.validationIsTest ? nil : LabeledImages(splits, split: .validation, images: images)

        let fresh = try configuration.makeMethod(
            clip: resolved.clip, tokenizer: resolved.tokenizer, classNames: trainData.classNames, seed: seed)
        let trained = try fit(
            fresh, resolved: resolved, data: trainData, validation: validationData, recipe: recipe, seed: seed,
            checkpoints: CheckpointLocation(directory: directory), loading: loading, progress: progress)

        let training = PromptFile.Training(
            dataset: source.identifier, shots: shots, seed: seed, subsample: subsample.rawValue, epochs: recipe.epochs)
        try PromptFile(trained, model: identity, training: training)
            .write(to: directory.appendingPathComponent("prompt.safetensors"))

        var evaluations: [String: ClassificationMetrics] = [:]
        let key = subsample == .all ? RunRecord.EvaluationKey.test : subsample.rawValue
        evaluations[key] = try test(
            trained, named: key, resolved: resolved, data: LabeledImages(splits, split: .test, images: images),
            loading: loading, progress: progress)
        if subsample == .base {
            let novel = fewShot.subsampled(.novel)
            let transferred = try retargeted(trained, to: novel.promptClassNames, resolved: resolved)
            evaluations[RunRecord.EvaluationKey.novel] = try test(
                transferred, named: RunRecord.EvaluationKey.novel, resolved: resolved,
                data: LabeledImages(novel, split: .test, images: images), loading: loading, progress: progress)
        }
        try run.write(
            RunRecord(
                method: method.rawValue, options: try JSONValue(encoding: ["method": configuration]),
                dataset: source.identifier, shots: shots, seed: seed, subsample: subsample,
                subsetFile: run.subsetURL.lastPathComponent,
                model: ModelIdentity(
                    name: identity.name, weights: identity.path, sha256: identity.sha256),
                environment: RunEnvironment.current(threads: threads), startedAt: startedAt, finishedAt: Date(),
                evaluations: evaluations))
        return evaluations
    }

    private func test(
        _ method: any AdaptationMethod, named name: String, resolved: LoadedModel, data: LabeledImages,
        loading: LoadingOptions, progress: (any RunProgress)?
    ) throws -> ClassificationMetrics {
        progress?.evaluating(name, done: 0, of: data.count)
        let result = try evaluated(
            method, resolved: resolved, data: data, batchSize: recipe.evaluationBatchSize, loading: loading
        ) { progress?.evaluating(name, done: $0, of: data.count) }
        if let warning = skippedImagesWarning(result.skipped) { note(warning) }
        return result.metrics
    }
}

/// Trains an existential method (opened to its concrete type); `validation` (the few-shot
/// validation split) is read only by methods that select on it (Tip-Adapter's α and β).
func fit(
    _ method: any AdaptationMethod, resolved: LoadedModel, data: LabeledImages, validation: LabeledImages? = nil,
    recipe: TrainingRecipe, seed: UInt64, checkpoints: CheckpointLocation?, loading: LoadingOptions = .init(),
    progress: (any RunProgress)?
) throws -> any AdaptationMethod {
    func opened<Method: AdaptationMethod>(_ method: Method) throws -> Method {
        var method = method
        let summary = try train(
            &method, clip: resolved.clip, on: data, validation: validation, recipe: recipe, seed: seed,
            pipeline: resolved.pipeline,
            checkpoints: checkpoints, loading: loading
        ) { progress?.training($0) }
        if let warning = skippedImagesWarning(summary.skipped) { note(warning) }
        return method
    }
    return try opened(method)
}

/// Evaluates an existential method; `observe` hears the number of images done.
func evaluated(
    _ method: any AdaptationMethod, resolved: LoadedModel, data: LabeledImages, batchSize: Int,
    loading: LoadingOptions = .init(), observe: (Int) -> Void = { _ in }
) throws -> EvaluationResult {
    func opened<Method: AdaptationMethod>(_ method: Method) throws -> EvaluationResult {
        try evaluate(
            method, clip: resolved.clip, on: data, batchSize: batchSize, pipeline: resolved.pipeline,
            loading: loading, observe: observe)
    }
    return try opened(method)
}

/// `method` with prompts rebuilt for `classNames`.
func retargeted(_ method: any AdaptationMethod, to classNames: [String], resolved: LoadedModel) throws
    -> any AdaptationMethod
{
    var copy = method
    try copy.setClassNames(classNames, clip: resolved.clip, tokenizer: resolved.tokenizer)
    return copy
}
