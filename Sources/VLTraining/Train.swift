// The training procedure every method shares (STYLE.md §4.7), as Dassl's TrainerX runs CoOp
// and CoCoOp: epochs over the few-shot set in a fresh random order, the official augmentation,
// one optimizer step per batch, the learning rate set per epoch, a checkpoint after each epoch.
// CLIP is read, never written; what trains is exactly the method's `trainable` tensors.

import Foundation
import VLCLIP
import VLData
import VLFormats
import VLImage
import VLMethods
import VLOptim
import VLTensor

/// What training reports as it goes.
public enum TrainingEvent: Sendable {
    /// Training begins (or resumes) at `firstEpoch` of `epochs`, `steps` batches per epoch.
    case started(epochs: Int, steps: Int, firstEpoch: Int)
    /// An epoch begins at this learning rate.
    case epochStarted(epoch: Int, learningRate: Double)
    /// A batch was trained on.
    case stepFinished(epoch: Int, step: Int, loss: Float, learningRate: Double)
    /// An epoch ended; `meanLoss` averages its batches.
    case epochFinished(epoch: Int, meanLoss: Float)
    /// The state after `epoch` was saved.
    case checkpointSaved(epoch: Int, url: URL)
    /// The method fitted its state from `passes` passes over `items` training images
    /// (``AdaptationMethod/prepare(training:clip:)``), before the first epoch.
    case prepared(passes: Int, items: Int)
    /// The method selected its hyperparameters on `items` validation images
    /// (``AdaptationMethod/finishTraining(validation:clip:)``).
    case selectedOnValidation(items: Int)
}

/// What a training run did.
public struct TrainingSummary: Sendable, Equatable {
    /// The epoch training started at (0, or where a checkpoint left off).
    public var firstEpoch: Int
    /// Epochs in the recipe.
    public var epochs: Int
    /// Batches per epoch.
    public var stepsPerEpoch: Int
    /// Mean loss of the last epoch trained in this call, if any.
    public var finalLoss: Float?
    /// Training images skipped as unreadable (each once), when skipping.
    public var skipped: [SkippedImage] = []
    /// Validation images the method selected hyperparameters on, if it did.
    public var validationItems: Int?
}

/// Fits `method` on `data` following `recipe`, drawing every random choice from `seed`.
///
/// - Every epoch visits the items in a fresh order (Dassl's random sampler) in batches of
///   `recipe.batchSize`, dropping the last partial batch when there is at least one full batch
///   (Dassl's `drop_last` rule). Each item's augmentation draws from its own generator derived
///   from `(seed, epoch, item)`, so results do not depend on threads or batch composition.
/// - Methods that read images only through the frozen encoder get its features, computed once
///   per batch without a graph (and, with ``TrainingRecipe/Augmentation/none``, once per item
///   for the whole run).
/// - With `checkpoints`, the state is saved after every epoch and an existing checkpoint of the
///   same run is resumed, giving bit-identical results to an uninterrupted run.
/// - Each step's images are decoded (and augmented) on a background thread while the previous
///   step computes (`loading.prefetch`), one step ahead; results are identical without it.
/// - `loading` may skip unreadable images (left out of their batches, listed in the summary)
///   and, for methods reading pooled features only, read and write them in a ``FeatureCache``
///   (augmented passes only with `loading.cachesAugmentedPasses`).
/// - A method that fits state from the training set (``AdaptationMethod/trainingFeaturePasses``,
///   Tip-Adapter's cache) receives the frozen features of its passes before the first epoch of a
///   fresh run, and that state is checkpointed at once (as epoch 0); a resumed run restores it.
/// - A method that selects on validation (``AdaptationMethod/selectsOnValidation``) receives
///   the test-transform features of `validation` (same classes as `data`) after the last epoch;
///   without validation items it keeps what it has.
/// - `observe` may throw to stop training (the last saved checkpoint stays valid).
@discardableResult
public func train<Method: AdaptationMethod>(
    _ method: inout Method, clip: CLIP, on data: LabeledImages, validation: LabeledImages? = nil,
    recipe: TrainingRecipe, seed: UInt64, pipeline: ImagePipeline? = nil, checkpoints: CheckpointLocation? = nil,
    loading: LoadingOptions = .init(), observe: (TrainingEvent) throws -> Void = { _ in }
) throws -> TrainingSummary {
    try recipe.validate()
    try data.checkLabels()
    guard !data.items.isEmpty else { throw TrainingError.empty(what: "the training set") }
    let pipeline = pipeline ?? ImagePipeline(size: clip.configuration.vision.imageSize)
    var run = TrainingRun(
        data: data, recipe: recipe, seed: seed, clip: clip, pipeline: pipeline,
        usesFeatures: Method.usesFrozenImageFeatures, loading: loading.forMethod(Method.self),
        read: { try $0.images(for: Method.self, clip: clip, cache: $1) })
    var optimizer = try recipe.optimizer.makeOptimizer()
    let fingerprint = RunFingerprint(
        method: method.configuration, classNames: method.classNames, recipe: recipe, seed: seed,
        items: data.fingerprint)
    var firstEpoch = 0
    var resumed = false
    if let checkpoints, checkpoints.exists {
        firstEpoch = try resume(&method, &optimizer, from: checkpoints, fingerprint: fingerprint)
        resumed = true
    }
    let steps = run.batches(epoch: 0).count
    var summary = TrainingSummary(firstEpoch: firstEpoch, epochs: recipe.epochs, stepsPerEpoch: steps)
    if !resumed, let passes = method.trainingFeaturePasses {
        let features = try trainingFeatures(
            of: data, passes: passes, clip: clip, pipeline: pipeline, seed: seed, batchSize: recipe.evaluationBatchSize,
            loading: loading)
        try method.prepare(training: features.features, clip: clip)
        features.skipped.forEach { run.noteSkipped($0) }
        try checkpoints?.write(
            CheckpointState(
                epochsCompleted: 0, fingerprint: fingerprint, learned: method.learnedTensors, optimizer: optimizer.state))
        try observe(.prepared(passes: features.features.passes.count, items: features.features.count))
    }
    if !Method.trainable.isEmpty {
        try observe(.started(epochs: recipe.epochs, steps: steps, firstEpoch: firstEpoch))
        summary.finalLoss = try trainEpochs(
            &method, &optimizer, run: &run, from: firstEpoch, stepsPerEpoch: steps, clip: clip,
            checkpoints: checkpoints, fingerprint: fingerprint, observe: observe)
    }
    if Method.selectsOnValidation, let validation, !validation.items.isEmpty {
        let features = try validationFeatures(
            of: validation, classNames: data.classNames, clip: clip, pipeline: pipeline,
            batchSize: recipe.evaluationBatchSize, loading: loading)
        try method.finishTraining(validation: features.features, clip: clip)
        features.skipped.forEach { run.noteSkipped($0) }
        summary.validationItems = features.features.count
        try observe(.selectedOnValidation(items: features.features.count))
    }
    summary.skipped = run.skipped
    return summary
}

/// The epochs from `firstEpoch` on (`steps` batches each): batches, optimizer steps, a checkpoint
/// after each epoch. Returns the last epoch's mean loss, if any epoch ran.
private func trainEpochs<Method: AdaptationMethod>(
    _ method: inout Method, _ optimizer: inout any Optimizer, run: inout TrainingRun, from firstEpoch: Int,
    stepsPerEpoch steps: Int, clip: CLIP, checkpoints: CheckpointLocation?, fingerprint: RunFingerprint,
    observe: (TrainingEvent) throws -> Void
) throws -> Float? {
    let recipe = run.recipe
    let rates = recipe.schedule(stepsPerEpoch: steps)
    let schedule = (firstEpoch..<max(firstEpoch, recipe.epochs)).map { run.batches(epoch: $0) }
    let stream = BatchStream(run.loader, requests: run.requests(schedule, firstEpoch: firstEpoch))
    defer { stream.finish() }
    var finalLoss: Float?
    for (epoch, batches) in zip(firstEpoch..., schedule) {
        func learningRate(_ step: Int) -> Double {
            rates.learningRate(epoch: epoch, iteration: step, iterationsPerEpoch: max(steps, 1))
        }
        try observe(.epochStarted(epoch: epoch, learningRate: learningRate(0)))
        var lossSum: Double = 0
        for (step, indices) in batches.enumerated() {
            let (images, kept) = try run.images(indices, loaded: stream.next()!)
            guard !kept.isEmpty else { continue }
            method.prepareTrainingStep(epoch * steps + step)
            let loss = trainingStep(
                &method, &optimizer, images: images, labels: run.data.labels(kept), clip: clip,
                learningRate: learningRate(step))
            lossSum += Double(loss)
            try observe(.stepFinished(epoch: epoch, step: step, loss: loss, learningRate: learningRate(step)))
        }
        let meanLoss = Float(lossSum / Double(max(batches.count, 1)))
        finalLoss = meanLoss
        try observe(.epochFinished(epoch: epoch, meanLoss: meanLoss))
        if let checkpoints {
            try checkpoints.write(
                CheckpointState(
                    epochsCompleted: epoch + 1, fingerprint: fingerprint, learned: method.learnedTensors,
                    optimizer: optimizer.state))
            try observe(.checkpointSaved(epoch: epoch, url: checkpoints.url))
        }
    }
    return finalLoss
}

/// One optimizer step on one batch; returns the batch's loss.
///
/// The learned tensors become fresh gradient leaves, the method's gradients for them
/// (``AdaptationMethod/gradients(_:labels:clip:)``) feed the optimizer, and the updated
/// tensors replace them (detached). Nothing else requires a gradient, so CLIP's weights build
/// no graph and receive no gradient.
///
/// With `microBatches` > 1 the batch is split into that many consecutive chunks whose
/// gradients are accumulated, each weighted by its share of the batch: the same step for a
/// loss that averages over images (the default cross-entropy), with the memory of one chunk.
/// A method whose gradient is not linear in the batch (ProGrad's projection) is then applied
/// per chunk, which is an approximation; use one micro-batch for its exact rule.
@discardableResult
public func trainingStep<Method: AdaptationMethod>(
    _ method: inout Method, _ optimizer: inout any Optimizer, images: ImageBatch, labels: [Int], clip: CLIP,
    learningRate: Double, microBatches: Int = 1
) -> Float {
    let live = method.requiringGradients()
    var gradients: [String: Tensor] = [:]
    var total: Float = 0
    for chunk in images.chunks(microBatches) {
        let share = Float(chunk.count) / Float(labels.count)
        let (loss, chunkGradients) = live.gradients(chunk.images, labels: Array(labels[chunk.range]), clip: clip)
        for (name, gradient) in chunkGradients {
            let weighted = gradient * share
            gradients[name] = gradients[name].map { $0 + weighted } ?? weighted
        }
        total += loss.item * share
    }
    var parameters: [String: Tensor] = [:]
    for (name, path) in Method.trainable { parameters[name] = live[keyPath: path] }
    let updated = optimizer.update(parameters, gradients: gradients, learningRate: learningRate)
    for (name, path) in Method.trainable { method[keyPath: path] = updated[name]!.detached() }
    return total
}

extension ImageBatch {
    /// Up to `count` consecutive, nearly equal chunks of the batch with their index ranges.
    func chunks(_ count: Int) -> [(images: ImageBatch, range: Range<Int>, count: Int)] {
        let total = self.count
        let pieces = Swift.max(1, Swift.min(count, total))
        guard pieces > 1 else { return [(self, 0..<total, total)] }
        return (0..<pieces).map { piece in
            let range = (total * piece / pieces)..<(total * (piece + 1) / pieces)
            return (slice(range), range, range.count)
        }
    }
}

/// Restores `method` and `optimizer` from a checkpoint of the same run; returns the epoch to
/// continue at.
private func resume<Method: AdaptationMethod>(
    _ method: inout Method, _ optimizer: inout any Optimizer, from location: CheckpointLocation,
    fingerprint: RunFingerprint
) throws -> Int {
    let state = try location.read()
    if let field = state.fingerprint.differences(from: fingerprint).first {
        throw TrainingError.checkpointMismatch(path: location.url.path, field: field)
    }
    for name in (Method.trainable + Method.fitted).map(\.name) where state.learned[name] == nil {
        throw TrainingError.malformedCheckpoint(path: location.url.path, detail: "no tensor method/\(name)")
    }
    try method.setLearnedTensors(state.learned)
    try optimizer.restore(state.optimizer, parameters: method.trainableTensors)
    return state.epochsCompleted
}

/// The per-run machinery: batch order, what each step loads, and features kept in memory.
struct TrainingRun {
    let data: LabeledImages
    let recipe: TrainingRecipe
    let seed: UInt64
    let clip: CLIP
    /// A loaded batch as the method reads it, given the loader's cache
    /// (``LoadedBatch/images(for:clip:cache:)``).
    let read: (LoadedBatch, FeatureCache?) throws -> ImageBatch
    /// Whether the method reads the frozen encoder's outputs (kept in ``memory`` without augmentation).
    let usesFeatures: Bool
    /// Decodes (and augments) each step's images one step ahead, through the disk cache when
    /// the method reads pooled features only.
    let loader: ImageBatchLoader
    /// Features per item as the method reads them, when augmentation is off (the same pixels
    /// every epoch, so each item is encoded once for the run).
    var memory: [Int: ImageBatch] = [:]
    /// Unreadable images skipped so far, each once, in the order met.
    var skipped: [SkippedImage] = []

    init(
        data: LabeledImages, recipe: TrainingRecipe, seed: UInt64, clip: CLIP, pipeline: ImagePipeline,
        usesFeatures: Bool, loading: LoadingOptions, read: @escaping (LoadedBatch, FeatureCache?) throws -> ImageBatch
    ) {
        self.data = data
        self.recipe = recipe
        self.seed = seed
        self.clip = clip
        self.read = read
        self.usesFeatures = usesFeatures
        var augmentation: SeededAugmentation?
        if case .randomResizedCrop(let scale, let flip) = recipe.augmentation {
            augmentation = SeededAugmentation(
                pipeline.training(minimumScale: scale, flipProbability: flip), seed: seed)
        }
        loader = ImageBatchLoader(
            data: data, preprocessing: pipeline.evaluation, augmentation: augmentation, options: loading)
    }

    /// Random streams derived from the run seed (the crops draw from ``SeededAugmentation/stream``).
    enum Stream: UInt64 {
        case order = 1
        /// The passes of ``AdaptationMethod/prepare(training:clip:)`` (2 is the training crops').
        case preparation = 3
    }

    /// The batches of `epoch`: a seeded permutation cut into `batchSize` pieces, the last
    /// partial piece dropped when at least one full batch exists (Dassl's `drop_last`).
    func batches(epoch: Int) -> [[Int]] {
        var generator = RandomGenerator(seed: epochSeed(.order, epoch))
        var order = Array(data.items.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, generator.nextInt(below: i + 1))
        }
        let size = recipe.batchSize
        if order.count < size { return [order] }
        return stride(from: 0, to: order.count / size * size, by: size).map { Array(order[$0..<($0 + size)]) }
    }

    func epochSeed(_ stream: Stream, _ epoch: Int) -> UInt64 {
        RandomGenerator(seed: RandomGenerator(seed: seed).derived(stream.rawValue)).derived(UInt64(epoch))
    }

    /// What each step of `schedule` (batches per epoch from `firstEpoch`) reads: its batch,
    /// augmented for its epoch; without augmentation, a features-only method reads each item
    /// the first time it appears and pixel methods read every batch with the test transform.
    func requests(_ schedule: [[[Int]]], firstEpoch: Int) -> [BatchRequest] {
        guard loader.augmentation == nil else {
            return zip(firstEpoch..., schedule).flatMap { epoch, batches in
                batches.map { BatchRequest($0, epoch: epoch) }
            }
        }
        guard usesFeatures else { return schedule.flatMap { $0.map { BatchRequest($0) } } }
        var seen = Set<Int>()
        return schedule.flatMap { $0 }.map { batch in BatchRequest(batch.filter { seen.insert($0).inserted }) }
    }

    /// The batch `indices` as the method reads them, from what the loader read for it, and the
    /// indices of the items kept (all of `indices` unless unreadable images are skipped).
    mutating func images(_ indices: [Int], loaded: LoadedBatch) throws -> (images: ImageBatch, kept: [Int]) {
        loaded.skipped.forEach { noteSkipped($0) }
        guard loader.augmentation == nil, usesFeatures else {
            guard !loaded.indices.isEmpty else { return (.pixels(Tensor.zeros([0])), []) }
            return (try encoded(loaded), loaded.indices)
        }
        if !loaded.indices.isEmpty {
            let batch = try encoded(loaded)
            for (row, index) in loaded.indices.enumerated() { memory[index] = batch.slice(row..<(row + 1)) }
        }
        let kept = indices.filter { memory[$0] != nil }
        guard !kept.isEmpty else { return (.features(Tensor.zeros([0])), []) }
        return (ImageBatch.concatenated(kept.map { memory[$0]! }), kept)
    }

    /// A loaded batch as the method reads it: through the disk cache when it is in use.
    func encoded(_ batch: LoadedBatch) throws -> ImageBatch { try read(batch, loader.options.cache) }

    /// Records a skipped image once.
    mutating func noteSkipped(_ image: SkippedImage) {
        if !skipped.contains(where: { $0.path == image.path }) { skipped.append(image) }
    }
}

extension LabeledImages {
    /// SHA-256 over the items' paths and labels, in order.
    var fingerprint: String {
        var hash = SHA256()
        for item in items { hash.update(Array("\(item.path)\t\(item.label)\n".utf8)) }
        return hash.hexDigest()
    }

    /// Throws unless every label indexes the class list.
    func checkLabels() throws {
        for item in items where !(0..<classNames.count).contains(item.label) {
            throw TrainingError.labelOutOfRange(item: item.path, label: item.label, classes: classNames.count)
        }
    }
}
