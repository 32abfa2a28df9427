// What a pretraining run is: the model's shape, the optimizer's hyperparameters and the data
// stream. Everything that determines the trajectory lives here and is stored in checkpoints,
// so a resumed run can check it continues the same run.

import VLCLIP
import VLOptim

/// The hyperparameters that fix a pretraining run's trajectory (given the code).
public struct PretrainingConfiguration: Codable, Sendable, Equatable {
    /// The model being trained (its text `contextLength` bounds caption length in tokens).
    public var model: CLIPConfiguration
    /// Optimizer steps in the whole run (the cosine decays to 0 at this step).
    public var steps: Int
    /// Image-caption pairs per step; step `s` uses pretraining examples `s·batchSize ..< (s+1)·batchSize`.
    public var batchSize: Int
    /// Peak learning rate, reached after the warm-up.
    public var learningRate: Double
    /// Linear warm-up length in steps (from 0), before the cosine decay.
    public var warmupSteps: Int
    /// AdamW's decoupled weight decay on matrices and embeddings; gains, biases, the class
    /// embedding and the logit scale get none (open_clip's exclusion rule: tensors of rank < 2).
    public var weightDecay: Double
    /// AdamW's β₁.
    public var beta1: Double
    /// AdamW's β₂ (CLIP uses 0.98 for stability).
    public var beta2: Double
    /// AdamW's ε.
    public var epsilon: Double
    /// Seed of the model's initialization.
    public var seed: UInt64
    /// Seed of the procedural world the pairs come from.
    public var worldSeed: UInt64

    /// A configuration; call ``validate()`` before use.
    public init(
        model: CLIPConfiguration, steps: Int, batchSize: Int, learningRate: Double = 1e-3,
        warmupSteps: Int? = nil, weightDecay: Double = 0.1, beta1: Double = 0.9, beta2: Double = 0.98,
        epsilon: Double = 1e-6, seed: UInt64 = 0, worldSeed: UInt64 = 0
    ) {
        self.model = model
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps ?? min(200, steps / 10)
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.seed = seed
        self.worldSeed = worldSeed
    }

    /// The learning rate of every step: linear warm-up from 0, then cosine decay to 0 at `steps`.
    public var schedule: LearningRateSchedule {
        LearningRateSchedule(
            baseLearningRate: learningRate, decay: .cosine(steps: max(1, steps - warmupSteps)),
            warmup: warmupSteps > 0 ? .linear(steps: warmupSteps, startLearningRate: 0) : nil,
            stepping: .perIteration)
    }

    /// AdamW options for tensors that are decayed (`decayed`) or not.
    public func adamOptions(decayed: Bool) -> AdamOptions {
        AdamOptions(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: decayed ? weightDecay : 0)
    }

    /// Throws a ``PretrainingError/invalidConfiguration(_:)`` naming the first bad value.
    public func validate() throws {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw PretrainingError.invalidConfiguration(message()) }
        }
        try require(steps >= 1, "steps must be ≥ 1, got \(steps)")
        try require(batchSize >= 2, "batch size must be ≥ 2 (the loss contrasts pairs), got \(batchSize)")
        try require(warmupSteps >= 0 && warmupSteps <= steps, "warm-up \(warmupSteps) must be in 0...\(steps)")
        try require(model.text.contextLength >= 2, "context length must be ≥ 2, got \(model.text.contextLength)")
        try model.validate(origin: "pretraining configuration")
        do { try schedule.validate() } catch { throw PretrainingError.invalidConfiguration("\(error)") }
        do { try adamOptions(decayed: true).validate() } catch {
            throw PretrainingError.invalidConfiguration("\(error)")
        }
    }
}

extension PretrainingConfiguration {
    /// Named model sizes for `--config`, all reading 32-pixel world images.
    public static let modelPresets: [(name: String, model: CLIPConfiguration)] = [
        ("tiny", tinyModel), ("small", smallModel), ("small-p4", smallPatch4Model),
    ]

    /// The model preset named `name`, or nil.
    public static func modelPreset(named name: String) -> CLIPConfiguration? {
        modelPresets.first { $0.name == name }?.model
    }

    /// A minimal CLIP for tests: one block per tower, width 32.
    public static let tinyModel = CLIPConfiguration(
        embeddingWidth: 32,
        vision: .init(imageSize: 32, patchSize: 8, width: 32, layers: 1, heads: 2),
        text: .init(contextLength: 32, width: 32, layers: 1, heads: 2))

    /// The shipped `world-clip`: ViT with 8-pixel patches (16 patches + class token), width 128,
    /// 4 blocks per tower; ≈ 8 M parameters, 6.3 M of them the token embedding.
    public static let smallModel = CLIPConfiguration(
        embeddingWidth: 128,
        vision: .init(imageSize: 32, patchSize: 8, width: 128, layers: 4, heads: 4),
        text: .init(contextLength: 32, width: 128, layers: 4, heads: 4))

    /// As ``smallModel`` with 4-pixel patches (64 patches + class token): finer, ≈ 4× the image cost.
    public static let smallPatch4Model = CLIPConfiguration(
        embeddingWidth: 128,
        vision: .init(imageSize: 32, patchSize: 4, width: 128, layers: 4, heads: 4),
        text: .init(contextLength: 32, width: 128, layers: 4, heads: 4))
}

/// Errors of pretraining: configurations, checkpoints and resumption.
public enum PretrainingError: Error, CustomStringConvertible, Equatable {
    case invalidConfiguration(String)
    case invalidCheckpoint(file: String, reason: String)
    case configurationMismatch(file: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): "invalid pretraining configuration: \(message)"
        case .invalidCheckpoint(let file, let reason): "\(file): not a usable pretraining checkpoint: \(reason)"
        case .configurationMismatch(let file, let reason):
            "\(file): the checkpoint belongs to another run (\(reason)); use another --out or the same settings"
        }
    }
}
