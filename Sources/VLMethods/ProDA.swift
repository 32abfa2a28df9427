// ProDA — "Prompt Distribution Learning" (Lu, Liu, Zhang, Liu, Tian; CVPR 2022, arXiv 2205.03340):
// K learned CoOp prompts whose normalized text features are modelled per class as a Gaussian,
// trained with the closed-form surrogate of the expected cross-entropy (methods-text.md §10).
// No official code exists; where the reference is silent this follows the widely copied
// third-party `ProDACLIP` re-implementation.

import VLCLIP
import VLTensor
import VLText

/// Prompt Distribution Learning.
///
/// Prompt `k` is CoOp's `[SOS] ctx_k name . [EOT]` with the class name at the front, in the
/// middle or at the end (the first K/4 prompts front, the next K/4 middle, the rest end).
/// Each step encodes a mini-batch of K_b prompts for every class, `w_{c,k} = norm g(P_k, c)`,
/// and scores an image `f` (normalized) with label `y` by
///
///     z_i = s ⟨μ_i, f⟩ + ½ s² Σ_d f_d² [Σ_d(y,y) + Σ_d(i,i) − 2 Σ_d(y,i)],
///     μ_i = mean_k w_{i,k},   Σ_d(i,j) = Σ_k (w_{i,k,d} − μ_{i,d})(w_{j,k,d} − μ_{j,d}) / (K_b + 1),
///
/// the loss being `CE(z, y)` (an upper bound of the expected cross-entropy under N(μ, Σ)) plus
/// ``Options/diversityWeight`` times the mean absolute off-diagonal cosine between the K
/// prompts encoded without a class name ("X … X."). Inference scores `s ⟨μ_c, f⟩` with μ over
/// all K prompts (not renormalized), computed once by ``preparedForInference(clip:)``.
///
/// Kept from the re-implementation: the covariance across classes per feature dimension,
/// divided by K_b + 1; the unnormalized mean; the diversity term over all K prompts with
/// weight 1 (`ortho_loss_ratio`); mini-batches drawn without replacement from a fresh
/// permutation of the K prompts each cycle; random N(0, 0.02²) contexts; K = 32, M = 16
/// (the paper's values as recalled, [unverified] in the spec; also the re-implementation's
/// defaults). Fixed: every prompt is built at its own class-token position (one copy of the
/// re-implementation builds only the end prompts and silently drops the rest of the batch);
/// K need not be a multiple of 4 (front ⌊K/4⌋, middle ⌊K/4⌋, end the rest); the prompt
/// mini-batch size is its own option, not the image batch size; the permutation is drawn from
/// the run's seed and the global step (``prepareTrainingStep(_:)``), so resuming repeats it.
///
/// Speed: images reach ProDA only through the frozen encoder (cached features). The K_b·C
/// training prompts and K·C inference prompts use the shared-prefix text path: the end-position
/// prompts form one group each (start token and whole context encoded once for all classes),
/// the middle ones share their first half; front prompts share only the start token.
public struct ProDA: AdaptationMethod {
    /// ProDA's options; absent JSON fields take these values.
    public struct Options: Codable, Sendable, Equatable {
        /// `K`, learned prompts (32).
        public var promptCount = 32
        /// `M`, context vectors per prompt (16).
        public var contextLength = 16
        /// `K_b`, prompts encoded per training step; must divide ``promptCount`` (4).
        public var promptBatchSize = 4
        /// Weight of the prompt-diversity term (1, the re-implementation's `ortho_loss_ratio`).
        public var diversityWeight = 1.0
        /// Front / middle / end class-token positions (true), or every prompt at the end.
        public var mixedClassTokenPositions = true

        /// Options with these values unless given.
        public init(
            promptCount: Int = 32, contextLength: Int = 16, promptBatchSize: Int = 4, diversityWeight: Double = 1.0,
            mixedClassTokenPositions: Bool = true
        ) {
            self.promptCount = promptCount
            self.contextLength = contextLength
            self.promptBatchSize = promptBatchSize
            self.diversityWeight = diversityWeight
            self.mixedClassTokenPositions = mixedClassTokenPositions
        }

        enum CodingKeys: String, CodingKey {
            case promptCount, contextLength, promptBatchSize, diversityWeight, mixedClassTokenPositions
        }

        /// Decodes the options, taking the default for every absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                promptCount: try container.decode(.promptCount, or: defaults.promptCount),
                contextLength: try container.decode(.contextLength, or: defaults.contextLength),
                promptBatchSize: try container.decode(.promptBatchSize, or: defaults.promptBatchSize),
                diversityWeight: try container.decode(.diversityWeight, or: defaults.diversityWeight),
                mixedClassTokenPositions: try container.decode(
                    .mixedClassTokenPositions, or: defaults.mixedClassTokenPositions))
        }
    }

    public static var kind: MethodKind { .proda }
    public var configuration: MethodConfiguration { .proda(options) }

    /// The re-implementation's state-dict key (`prompt_learner.ctx`).
    public static var trainable: [(name: String, path: WritableKeyPath<ProDA, Tensor>)] {
        [("ctx", \.context)]
    }

    public let options: Options
    /// `[promptCount, contextLength, width]`.
    public var context: Tensor
    /// The prompts of the next training step (indices into ``context``); set by
    /// ``prepareTrainingStep(_:)``, or directly.
    public var promptBatch: [Int]
    /// The class-token position of each prompt.
    public let positions: [ClassTokenPosition]
    /// The frozen prompt parts `"X … X name."` for the current class names.
    public var prompts: PromptSkeleton
    /// `"X … X."` without a class name, for the diversity term.
    let unnamed: PromptSkeleton
    /// The seed of the prompt permutations.
    let seed: UInt64
    /// `μ` over all prompts `[classes, embeddingWidth]` from ``preparedForInference(clip:)``.
    var inferenceClassifier: (context: Tensor, classNames: [String], features: Tensor)?

    public var classNames: [String] { prompts.classNames }

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        try ProDA.validate(options)
        self.options = options
        self.seed = seed
        context = Tensor.normal(
            [options.promptCount, options.contextLength, clip.configuration.text.width], standardDeviation: 0.02,
            seed: seed)
        positions = ProDA.positions(count: options.promptCount, mixed: options.mixedClassTokenPositions)
        prompts = try PromptSkeleton(
            classNames: classNames, initialWords: nil, contextLength: options.contextLength,
            tokenizer: tokenizer, clip: clip)
        unnamed = try PromptSkeleton(
            classNames: [""], initialWords: nil, contextLength: options.contextLength,
            tokenizer: tokenizer, clip: clip)
        promptBatch = []
        prepareTrainingStep(0)
    }

    static func validate(_ options: Options) throws(MethodError) {
        func require(_ condition: Bool, _ name: String, _ value: Any, _ requirement: String) throws(MethodError) {
            if !condition { throw .invalidOption(name: name, value: "\(value)", requirement: requirement) }
        }
        try require(options.promptCount >= 1, "promptCount", options.promptCount, "at least 1")
        try require(options.contextLength >= 1, "contextLength", options.contextLength, "at least 1")
        try require(
            options.promptBatchSize >= 1 && options.promptCount % options.promptBatchSize == 0, "promptBatchSize",
            options.promptBatchSize, "at least 1 and a divisor of promptCount \(options.promptCount)")
        try require(
            options.diversityWeight >= 0 && options.diversityWeight.isFinite, "diversityWeight",
            options.diversityWeight, "finite and ≥ 0")
    }

    /// Front for the first ⌊K/4⌋ prompts, middle for the next ⌊K/4⌋, end for the rest; all end
    /// when not `mixed` or K = 1.
    public static func positions(count: Int, mixed: Bool) -> [ClassTokenPosition] {
        guard mixed && count > 1 else { return Array(repeating: .end, count: count) }
        let quarter = count / 4
        return Array(repeating: .front, count: quarter) + Array(repeating: .middle, count: quarter)
            + Array(repeating: .end, count: count - 2 * quarter)
    }


    /// Selects the prompts of global training step `step`: cycle `step / (K / K_b)` is a fresh
    /// permutation of the K prompts drawn from the seed, cut into consecutive mini-batches.
    public mutating func prepareTrainingStep(_ step: Int) {
        let batches = options.promptCount / options.promptBatchSize
        let (cycle, index) = step.quotientAndRemainder(dividingBy: batches)
        var order = Array(0..<options.promptCount)
        var generator = RandomGenerator(seed: RandomGenerator(seed: seed).derived(UInt64(cycle)))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, generator.nextInt(below: i + 1))
        }
        promptBatch = Array(order[(index * options.promptBatchSize)..<((index + 1) * options.promptBatchSize)])
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        let path = prompts.path
        prompts = try PromptSkeleton(
            classNames: classNames, initialWords: nil, contextLength: options.contextLength,
            tokenizer: tokenizer, clip: clip)
        prompts.path = path
        inferenceClassifier = nil
    }

    /// Normalized features `[classes, prompts, embeddingWidth]` of the prompts `selection`.
    public func promptFeatures(_ selection: [Int], clip: CLIP) -> Tensor {
        var pieces: [Tensor] = []
        let ends = selection.filter { positions[$0] == .end }
        if !ends.isEmpty {
            // One group per prompt: the start token and the whole context are shared by all classes.
            let text = prompts.textFeatures(PromptContext(shared: context.selecting(ends, alongAxis: 0)), clip: clip)
            pieces.append(text.reshaped([ends.count, prompts.classCount, -1]))
        }
        for k in selection where positions[k] != .end {
            let text = prompts.textFeatures(placed(context.selecting([k], alongAxis: 0), positions[k]), clip: clip)
            pieces.append(text.reshaped([1, prompts.classCount, -1]))
        }
        return Tensor.concatenated(pieces, alongAxis: 0).normalized(alongAxis: -1).permuted([1, 0, 2])
    }

    /// One prompt `[1, contextLength, width]` around the class name, as CoOp places it.
    func placed(_ prompt: Tensor, _ position: ClassTokenPosition) -> PromptContext {
        let flat = prompt.reshaped(Array(prompt.shape.dropFirst()))
        let half = options.contextLength / 2
        switch position {
        case .end: return PromptContext(shared: prompt)
        case .front: return PromptContext(afterName: flat)
        case .middle:
            let second = flat.slice(alongAxis: 0, half..<options.contextLength)
            guard half > 0 else { return PromptContext(afterName: second) }
            return PromptContext(shared: prompt.slice(alongAxis: 1, 0..<half), afterName: second)
        }
    }

    /// The Gaussian surrogate logits `[batch, classes]` for prompt features
    /// `[classes, prompts, embeddingWidth]`, normalized image features `[batch, embeddingWidth]`
    /// and their labels.
    public static func surrogateLogits(
        promptFeatures w: Tensor, normalizedImages f: Tensor, labels: [Int], logitScale s: Tensor
    ) -> Tensor {
        let (classes, count, width) = (w.shape[0], w.shape[1], w.shape[2])
        let mean = w.mean(alongAxis: 1)
        let centered = w - mean.reshaped([classes, 1, width])
        let squaredImages = f.squared()
        // Σ_d(i,i) weighted by f_d²: the per-class variance of each dimension.
        let variance = centered.squared().sum(alongAxis: 1) / Float(count + 1)
        let ownVariance = squaredImages.matmul(variance, transposeOther: true)
        // Σ_d(y,i) weighted by f_d², for each image's own label y.
        let flat = centered.reshaped([classes, count * width])
        let weightedLabel = flat.gatherRows(labels).reshaped([labels.count, count, width])
            * squaredImages.reshaped([labels.count, 1, width])
        let crossVariance =
            weightedLabel.reshaped([labels.count, count * width]).matmul(flat, transposeOther: true) / Float(count + 1)
        let labelVariance = (crossVariance * Tensor.oneHot(labels: labels, classes: classes)).sum(
            alongAxis: 1, keepingAxis: true)
        let sigma = labelVariance + ownVariance - crossVariance * 2
        let scale = s.exp()
        return f.matmul(mean, transposeOther: true) * scale + sigma * (scale * scale * 0.5)
    }

    /// Mean absolute cosine between different prompts encoded without a class name (0 for K = 1).
    public func diversity(clip: CLIP) -> Tensor {
        let count = options.promptCount
        guard count > 1 else { return Tensor(repeating: 0, shape: []) }
        let features = unnamed.textFeatures(PromptContext(shared: context), clip: clip).normalized(alongAxis: -1)
        let offDiagonal = 1 - Tensor.oneHot(labels: Array(0..<count), classes: count)
        let cosines = features.matmul(features, transposeOther: true).abs() * offDiagonal
        return cosines.sum() / Float(count * (count - 1))
    }

    /// The surrogate cross-entropy over ``promptBatch`` plus the weighted diversity term.
    public func loss(_ images: ImageBatch, labels: [Int], clip: CLIP) -> Tensor {
        let features = images.features(using: clip).normalized(alongAxis: -1)
        let logits = Self.surrogateLogits(
            promptFeatures: promptFeatures(promptBatch, clip: clip), normalizedImages: features, labels: labels,
            logitScale: clip.logitScale)
        let crossEntropy = Tensor.crossEntropy(logits: logits, labels: labels)
        guard options.diversityWeight > 0 else { return crossEntropy }
        return crossEntropy + diversity(clip: clip) * Float(options.diversityWeight)
    }

    /// `μ_c`, the mean normalized feature of all K prompts `[classes, embeddingWidth]`.
    public func meanFeatures(clip: CLIP) -> Tensor {
        promptFeatures(Array(0..<options.promptCount), clip: clip).mean(alongAxis: 1)
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        let features = images.features(using: clip).normalized(alongAxis: -1)
        let mean: Tensor
        if let cache = inferenceClassifier, cache.context.storage === context.storage, cache.classNames == classNames,
            !context.requiresGradient
        {
            mean = cache.features
        } else {
            mean = meanFeatures(clip: clip)
        }
        return features.matmul(mean, transposeOther: true) * clip.logitScale.exp()
    }

    public func preparedForInference(clip: CLIP) -> ProDA {
        var copy = self
        copy.inferenceClassifier = (context, classNames, meanFeatures(clip: clip).detached())
        return copy
    }
}
