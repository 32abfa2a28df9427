// The pretraining loop's state and step (open_clip's train_one_epoch, one batch at a time):
// forward both towers, symmetric contrastive loss, backward, AdamW with decay groups, clamp
// the temperature.

import Foundation
import VLCLIP
import VLNN
import VLOptim
import VLTensor
import VLText
import VLWorld

/// A pretraining run in progress: the model, the optimizer memory and the step count.
///
/// Every step is a pure function of the state and the configuration (data come from the world
/// by index), so saving the state and resuming gives a bit-identical continuation.
public struct Pretrainer: Sendable {
    /// What is being run.
    public let configuration: PretrainingConfiguration
    /// The current model (parameters do not require gradients between steps).
    public private(set) var model: CLIP
    /// Steps taken so far; the next step uses this index.
    public private(set) var step: Int
    /// AdamW for tensors of rank ≥ 2, with weight decay.
    private var decayedOptimizer: AdamW
    /// AdamW for gains, biases, the class embedding and the logit scale, without weight decay.
    private var plainOptimizer: AdamW
    /// The source of the pairs.
    public let world: World
    let tokenizer: BPETokenizer

    /// A fresh run: the model initialized from `configuration.seed`, step 0.
    public init(configuration: PretrainingConfiguration, tokenizer: BPETokenizer) throws {
        try configuration.validate()
        self.configuration = configuration
        self.tokenizer = tokenizer
        model = CLIP(configuration: configuration.model, seed: configuration.seed)
        step = 0
        decayedOptimizer = AdamW(configuration.adamOptions(decayed: true))
        plainOptimizer = AdamW(configuration.adamOptions(decayed: false))
        world = World(seed: configuration.worldSeed, imageSize: configuration.model.vision.imageSize)
    }

    /// Whether open_clip's rule decays `tensor`: matrices and embeddings yes, vectors and scalars no.
    static func isDecayed(_ tensor: Tensor) -> Bool { tensor.rank >= 2 }

    /// The batch step `step` trains on.
    public func batch(at step: Int) throws -> PretrainingBatch {
        try PretrainingBatch(
            world: world, step: step, batchSize: configuration.batchSize, tokenizer: tokenizer,
            contextLength: configuration.model.text.contextLength)
    }

    /// The loss of `model` on `batch`: a scalar `[]`.
    public static func loss(of model: CLIP, on batch: PretrainingBatch) -> Tensor {
        contrastiveLoss(
            imageFeatures: model.encodeImage(batch.images), textFeatures: model.encodeText(batch.tokens),
            logitScale: model.logitScale)
    }

    /// Takes one optimizer step on the next batch and returns its statistics.
    @discardableResult
    public mutating func trainStep() throws -> StepStatistics {
        try trainStep(on: batch(at: step))
    }

    /// Takes one optimizer step on `batch` (which should be ``batch(at:)`` of the current step
    /// for the run to be reproducible) and returns its statistics.
    @discardableResult
    public mutating func trainStep(on batch: PretrainingBatch) -> StepStatistics {
        let trainable = model.requiringGradients()
        let loss = Pretrainer.loss(of: trainable, on: batch)
        let gradients = loss.gradients()
        var decayed: [String: Tensor] = [:], plain: [String: Tensor] = [:], grads: [String: Tensor] = [:]
        for (name, tensor) in trainable.namedParameters() {
            grads[name] = gradients.gradient(for: tensor)
            if Pretrainer.isDecayed(tensor) { decayed[name] = tensor } else { plain[name] = tensor }
        }
        let rate = configuration.schedule.learningRate(afterSteps: step)
        var updated = decayedOptimizer.update(
            decayed, gradients: grads.filter { decayed[$0.key] != nil }, learningRate: rate)
        let plainUpdated = plainOptimizer.update(
            plain, gradients: grads.filter { plain[$0.key] != nil }, learningRate: rate)
        updated.merge(plainUpdated) { $1 }
        model = trainable.mapParameters(prefix: "") { name, _ in updated[name]!.detached() }
        model.logitScale = Pretrainer.clampedLogitScale(model.logitScale)
        step += 1
        return StepStatistics(
            step: step, loss: loss.item, learningRate: rate, logitScale: model.logitScale.item)
    }

    /// `scale` clamped to `[0, ln 100]` (unchanged, bit for bit, when inside).
    static func clampedLogitScale(_ scale: Tensor) -> Tensor {
        let value = scale.item
        let clamped = min(max(value, 0), maximumLogitScale)
        return clamped == value ? scale : Tensor(scalar: clamped)
    }

    // MARK: - State for checkpoints

    /// The optimizers' memory, keyed `"<parameter>.<slot>"` as ``Optimizer/state`` exports it.
    public var optimizerState: [String: Tensor] {
        decayedOptimizer.state.merging(plainOptimizer.state) { first, _ in first }
    }

    /// Replaces model, optimizer memory and step with saved ones (as ``optimizerState`` and
    /// ``model`` export them), checking every key and shape.
    public mutating func restore(model saved: CLIP, optimizerState state: [String: Tensor], step: Int) throws {
        guard saved.configuration == configuration.model else {
            throw PretrainingError.invalidConfiguration("the saved model's architecture differs from the run's")
        }
        var decayed: [String: Tensor] = [:], plain: [String: Tensor] = [:]
        for (name, tensor) in saved.namedParameters() {
            if Pretrainer.isDecayed(tensor) { decayed[name] = tensor } else { plain[name] = tensor }
        }
        func parameter(of key: String) -> String {
            String(key[..<(key.lastIndex(of: ".") ?? key.endIndex)])
        }
        try decayedOptimizer.restore(state.filter { decayed[parameter(of: $0.key)] != nil }, parameters: decayed)
        try plainOptimizer.restore(state.filter { decayed[parameter(of: $0.key)] == nil }, parameters: plain)
        model = saved
        self.step = step
    }
}

/// What one step did.
public struct StepStatistics: Sendable, Equatable {
    /// Steps completed after this one.
    public var step: Int
    /// The batch's contrastive loss before the update.
    public var loss: Float
    /// The learning rate the step used.
    public var learningRate: Double
    /// The logit scale after the update (its exponential is the inverse temperature).
    public var logitScale: Float
}
