// What methods that fit state from a whole split receive: the frozen encoder's features of
// labelled images, one tensor per pass (Tip-Adapter's augmented cache passes, a validation
// split's single test-transform pass), and the description of the passes a method asks for.

import VLTensor

/// Frozen image features of labelled images, for ``AdaptationMethod/prepare(training:clip:)``
/// and ``AdaptationMethod/finishTraining(validation:clip:)``.
public struct LabeledFeatures: Sendable {
    /// One tensor `[items, embeddingWidth]` per pass over the images, items in the same order in
    /// every pass: CLIP's projected image features, not normalized.
    public var passes: [Tensor]
    /// The label of each item (row), indexing ``classNames``.
    public var labels: [Int]
    /// The class names, in label order.
    public var classNames: [String]

    /// Features of `labels.count` items; every pass must have one row per label.
    public init(passes: [Tensor], labels: [Int], classNames: [String]) {
        precondition(!passes.isEmpty, "labelled features need at least one pass")
        for pass in passes {
            precondition(pass.shape.count == 2 && pass.shape[0] == labels.count, "a pass of shape \(pass.shape) for \(labels.count) labels")
        }
        self.passes = passes
        self.labels = labels
        self.classNames = classNames
    }

    /// Number of items.
    public var count: Int { labels.count }

    /// The mean of the passes, `[items, embeddingWidth]` (the passes summed in order, then
    /// divided by their number, as `torch.mean` over a stacked pass axis).
    public var meanFeatures: Tensor {
        guard passes.count > 1 else { return passes[0] }
        return passes.dropFirst().reduce(passes[0]) { $0 + $1 } / Float(passes.count)
    }
}

/// The passes over the training images a method reads before its first step.
public struct FeaturePasses: Codable, Sendable, Equatable {
    /// Passes over every training image (Tip-Adapter's `augment_epoch`).
    public var count: Int
    /// The transform of each pass; ``TrainingRecipe/Augmentation/none`` gives one test-transform
    /// pass whatever ``count`` says, since every pass would be identical.
    public var augmentation: TrainingRecipe.Augmentation

    /// `count` passes of `augmentation`.
    public init(count: Int, augmentation: TrainingRecipe.Augmentation) {
        self.count = count
        self.augmentation = augmentation
    }

    /// The passes actually computed: ``count``, or 1 without augmentation.
    public var effectiveCount: Int {
        if case .none = augmentation { return 1 }
        return count
    }
}
