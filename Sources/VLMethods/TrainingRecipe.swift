// How a method is trained: epochs, batch size, optimizer, Dassl's learning-rate schedule and
// augmentation, with each method's official values per shot count (methods-text.md §3.4, §4.3,
// §5.3, §6.3, §7.3, §9.3, §10.3). Plain values, so a run records exactly what it used.

import VLOptim

/// Training hyperparameters of one run.
public struct TrainingRecipe: Codable, Sendable, Equatable {
    /// The training transform.
    public enum Augmentation: Codable, Sendable, Equatable {
        /// Dassl's `random_resized_crop` (area fraction `minimumScale…1`, aspect 3/4…4/3,
        /// bicubic) then `random_flip`, then normalization.
        case randomResizedCrop(minimumScale: Double, flipProbability: Double)
        /// The test transform (resize, center crop): the same pixels every epoch, so image
        /// features are computed once and reused.
        case none

        /// CoOp's `["random_resized_crop", "random_flip", "normalize"]`.
        public static let dassl = Augmentation.randomResizedCrop(minimumScale: 0.08, flipProbability: 0.5)
    }

    /// Passes over the training set (`OPTIM.MAX_EPOCH`).
    public var epochs: Int
    /// Images per step (`DATALOADER.TRAIN_X.BATCH_SIZE`).
    public var batchSize: Int
    /// The optimizer and its hyperparameters other than the learning rate.
    public var optimizer: OptimizerConfiguration
    /// `OPTIM.LR`, where the cosine decay starts.
    public var learningRate: Double
    /// Epochs of constant warm-up before the cosine (`OPTIM.WARMUP_EPOCH`).
    public var warmupEpochs: Int
    /// The warm-up rate (`OPTIM.WARMUP_CONS_LR`).
    public var warmupLearningRate: Double
    /// The training transform.
    public var augmentation: Augmentation
    /// Images per evaluation batch (`DATALOADER.TEST.BATCH_SIZE`).
    public var evaluationBatchSize: Int
    /// When the learning rate changes: once per epoch (Dassl; `nil` means this, and is not
    /// encoded, so records written before the field existed decode and compare unchanged) or
    /// after every batch (Tip-Adapter-F's `CosineAnnealingLR` over epochs × iterations).
    public var stepping: LearningRateSchedule.Stepping?

    /// A recipe; the defaults are Dassl's as CoOp configures them.
    public init(
        epochs: Int, batchSize: Int, optimizer: OptimizerConfiguration = .sgd(.dassl), learningRate: Double = 0.002,
        warmupEpochs: Int = 1, warmupLearningRate: Double = 1e-5, augmentation: Augmentation = .dassl,
        evaluationBatchSize: Int = 100, stepping: LearningRateSchedule.Stepping? = nil
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.warmupEpochs = warmupEpochs
        self.warmupLearningRate = warmupLearningRate
        self.augmentation = augmentation
        self.evaluationBatchSize = evaluationBatchSize
        self.stepping = stepping
    }

    /// Dassl's cosine schedule over ``epochs`` after the constant warm-up, stepped per epoch
    /// (the schedule for one step per epoch; see ``schedule(stepsPerEpoch:)``).
    public var schedule: LearningRateSchedule { schedule(stepsPerEpoch: 1) }

    /// The schedule of a run with `stepsPerEpoch` batches per epoch. Stepping per epoch it is
    /// Dassl's cosine over ``epochs`` after the constant warm-up; stepping per iteration the same
    /// shape counted in batches: ``warmupEpochs`` × `stepsPerEpoch` warm-up steps, then a cosine
    /// over ``epochs`` × `stepsPerEpoch` (Tip-Adapter-F: no warm-up, `T_max = epochs × batches`).
    public func schedule(stepsPerEpoch: Int) -> LearningRateSchedule {
        switch stepping ?? .perEpoch {
        case .perEpoch:
            return .dassl(
                baseLearningRate: learningRate, maximumEpoch: max(epochs, 1), warmupEpochs: warmupEpochs,
                warmupLearningRate: warmupLearningRate)
        case .perIteration:
            let steps = max(stepsPerEpoch, 1)
            return LearningRateSchedule(
                baseLearningRate: learningRate, decay: .cosine(steps: max(epochs, 1) * steps),
                warmup: warmupEpochs > 0
                    ? .constant(steps: warmupEpochs * steps, learningRate: warmupLearningRate) : nil,
                stepping: .perIteration)
        }
    }

    /// Throws unless the values are usable.
    public func validate() throws(MethodError) {
        func require(_ condition: Bool, _ name: String, _ value: Any, _ requirement: String) throws(MethodError) {
            if !condition { throw .invalidOption(name: name, value: "\(value)", requirement: requirement) }
        }
        try require(epochs >= 0, "epochs", epochs, "≥ 0")
        try require(batchSize >= 1, "batchSize", batchSize, "≥ 1")
        try require(evaluationBatchSize >= 1, "evaluationBatchSize", evaluationBatchSize, "≥ 1")
        try require(learningRate >= 0 && learningRate.isFinite, "learningRate", learningRate, "finite and ≥ 0")
        try require(warmupEpochs >= 0, "warmupEpochs", warmupEpochs, "≥ 0")
        if case .randomResizedCrop(let scale, let flip) = augmentation {
            try require(scale > 0 && scale <= 1, "minimumScale", scale, "in (0, 1]")
            try require((0...1).contains(flip), "flipProbability", flip, "in [0, 1]")
        }
        do { _ = try optimizer.makeOptimizer() } catch {
            throw .invalidOption(name: "optimizer." + error.option, value: error.value, requirement: error.requirement)
        }
    }
}

extension MethodKind {
    /// The official recipe of the method for `shots` per class on `dataset` (a CoOp dataset
    /// name such as `ImageNet`, or any other identifier).
    public func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        switch self {
        case .zeroShot: TrainingRecipe(epochs: 0, batchSize: 1)
        case .coop: CoOp.officialRecipe(shots: shots, dataset: dataset)
        case .cocoop: CoCoOp.officialRecipe(shots: shots, dataset: dataset)
        case .kgcoop: KgCoOp.officialRecipe(shots: shots, dataset: dataset)
        case .prograd: ProGrad.officialRecipe(shots: shots, dataset: dataset)
        case .tcp: TCP.officialRecipe(shots: shots, dataset: dataset)
        case .proda: ProDA.officialRecipe(shots: shots, dataset: dataset)
        case .plot: PLOT.officialRecipe(shots: shots, dataset: dataset)
        case .clipAdapter: CLIPAdapter.officialRecipe(shots: shots, dataset: dataset)
        case .tipAdapter: TipAdapter.officialRecipe(shots: shots, dataset: dataset)
        case .tipAdapterF: TipAdapterF.officialRecipe(shots: shots, dataset: dataset)
        case .visualPrompting: VisualPrompting.officialRecipe(shots: shots, dataset: dataset)
        case .vptShallow, .vptDeep: VPT.officialRecipe(shots: shots, dataset: dataset)
        }
    }
}

extension CoOp {
    /// CoOp's few-shot recipe (§4.3): SGD 0.002, batch 32, 50 epochs at 1 shot, 100 at 2 and 4,
    /// 200 at 8 and 16; ImageNet always 50.
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        let epochs =
            dataset == "ImageNet"
            ? 50
            : shots <= 1 ? 50 : shots <= 4 ? 100 : 200
        return TrainingRecipe(epochs: epochs, batchSize: 32)
    }
}

extension CoCoOp {
    /// CoCoOp's recipe (§5.3, `vit_b16_c4_ep10_batch1_ctxv1`): SGD 0.002, batch 1, 10 epochs.
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        TrainingRecipe(epochs: 10, batchSize: 1)
    }
}

extension KgCoOp {
    /// KgCoOp's recipe (§6.3, `vit_b16_ep100_ctxv1` and `rn50_ep100`): SGD 0.002, batch 128,
    /// 100 epochs for every shot count and dataset.
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        TrainingRecipe(epochs: 100, batchSize: 128)
    }
}

extension ProGrad {
    /// ProGrad's few-shot recipe (§7.3): CoOp's, SGD 0.002, batch 32, 50 / 100 / 200 epochs.
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        CoOp.officialRecipe(shots: shots, dataset: dataset)
    }
}

extension TCP {
    /// TCP's recipe (§9.3, `vit_b16_ep100_ctxv1`, whose name is misleading): Adam 0.002 with
    /// weight decay 5e-4 and ε 1e-3, batch 32, 50 epochs; `train.py` forces 25 for ImageNet and
    /// SUN397. The same for every shot count (the author runs few-shot with the same script).
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        TrainingRecipe(
            epochs: dataset == "ImageNet" || dataset == "SUN397" ? 25 : 50, batchSize: 32,
            optimizer: .adam(AdamOptions(epsilon: 1e-3, weightDecay: 5e-4)))
    }
}

extension ProDA {
    /// ProDA has no official code or published schedule (§10); it follows CoOp's few-shot
    /// protocol, so this is CoOp's recipe: SGD 0.002, batch 32, 50 / 100 / 200 epochs.
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        CoOp.officialRecipe(shots: shots, dataset: dataset)
    }
}

extension PLOT {
    /// PLOT's recipe (§8.4, plot-coop `rn50.yaml` + `main.sh`): SGD 0.002, batch 128, 50 epochs
    /// for every shot count and dataset, test batch 200.
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        TrainingRecipe(epochs: 50, batchSize: 128, evaluationBatchSize: 200)
    }
}

extension CLIPAdapter {
    /// CLIP-Adapter's configs were never released (methods-visual.md §7): this is the toolkit's
    /// choice, not an official number. The adapter trains under Dassl's trainer like CoOp, so it
    /// takes CoOp's few-shot recipe: SGD 0.002 (momentum 0.9, weight decay 5e-4), batch 32, one
    /// constant warm-up epoch at 1e-5, cosine per epoch, 50 / 100 / 200 epochs (ImageNet 50).
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        CoOp.officialRecipe(shots: shots, dataset: dataset)
    }
}

extension TipAdapter {
    /// Tip-Adapter trains nothing: no epochs; the cache is built from the training images in
    /// batches of 256 (`train_loader_cache`), the cache transform being the method's own
    /// (``Options/cacheAugmentation``).
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        TrainingRecipe(
            epochs: 0, batchSize: 256, optimizer: .adamW(AdamOptions(epsilon: 1e-4, weightDecay: 0.01)),
            learningRate: 0.001, warmupEpochs: 0, augmentation: TipAdapter.cacheAugmentation,
            evaluationBatchSize: 256, stepping: .perIteration)
    }
}

extension TipAdapterF {
    /// Tip-Adapter-F's recipe (gaopengcuhk/Tip-Adapter `main.py` and `configs/*.yaml`):
    /// `torch.optim.AdamW(lr=0.001, eps=1e-4)` (weight decay torch's default 0.01), batch 256,
    /// `CosineAnnealingLR` stepped after every batch over `train_epoch × len(train_loader_F)`
    /// without warm-up, 20 epochs (EuroSAT 100), images freshly augmented each epoch with
    /// random resized crop (scale 0.5–1) and flip.
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        var recipe = TipAdapter.officialRecipe(shots: shots, dataset: dataset)
        recipe.epochs = dataset == "EuroSAT" ? 100 : 20
        return recipe
    }
}
