// PLOT — "PLOT: Prompt Learning with Optimal Transport for Vision-Language Models" (Chen, Yao,
// Song, Li, Rao, Zhang; ICLR 2023, arXiv 2210.01253), following CHENGY12/PLOT plot-coop
// trainers/plot.py: N learned prompts per class matched to an image's local features by
// entropic optimal transport (Sinkhorn), scored by the transport-weighted similarity (§8).

import VLCLIP
import VLTensor
import VLText

/// Prompt Learning with Optimal Transport: `N` CoOp contexts, each giving every class a text
/// feature `g_{n,c}`; an image contributes its local features `f_m`. For each (image, class)
/// the plan `T*` of entropic OT between uniform marginals over the `M` local features and the
/// `N` prompts, with cost `1 − ⟨f_m, g_{n,c}⟩` (all normalized), weighs the similarities:
/// `logit_c = s · Σ_{m,n} T*_{m,n} ⟨f_m, g_{n,c}⟩`. Cross-entropy trains the contexts.
///
/// Kept from the official implementation: `ctx` `[N, M, D]` from N(0, 0.02²) with the class
/// name at the end (the only position the official code can run with N > 1); the
/// tokenized prompts repeated N times, prompt-major; ε = 0.1, at most 100 Sinkhorn iterations
/// from `r = c = 1`, stopping once the mean change of `r` over the whole batch of
/// (image, class) pairs is below 0.01 (so the iteration count, and by a hair the logits, depend
/// on what else is in the batch); the plan is computed without gradient (`torch.no_grad`), so
/// only `Σ T* ⊙ S` is differentiated, through `S`; the global feature is left out of the logits
/// (plot-coop computes the global logits but does not add them; ``Options/addsGlobalLogits``
/// adds them, as PLOT++'s `TRADE_OFF` does).
///
/// Changed: the local features. The official PLOT needs RN50, whose modified attention pool
/// returns one global and 49 local features, all in the joint space. For a ViT, the analogue
/// used here is every patch token of the last block through `ln_post` and the projection
/// (``VisionTransformer/projectedTokens(_:hooks:)``; the class token is the global feature).
/// PLOT++ instead learns visual prompts and runs the ViT once per prompt set, taking each
/// pass's class token as a "local" feature; that trains the image side, so it is a different
/// method and is not this one. Fixed: Sinkhorn runs in the log domain, so no plan is NaN
/// (the official code then returns no logits and crashes the step); ``Options/initialWords``
/// gives each prompt its own phrase, which must have exactly ``Options/contextLength`` tokens
/// (PLOT++'s ImageNet list has a three-word phrase among four-word ones, which silently drops
/// a class-name token); training runs in fp32.
///
/// Image features come from the frozen encoder only, so training encodes each augmented batch
/// once (``AdaptationMethod/readsImageTokens``: the projected tokens, not just the pooled one).
public struct PLOT: AdaptationMethod {
    /// PLOT's options (`MODEL.N`, `TRAINER.COOP` and the constants of `CustomCLIP`); absent JSON
    /// fields take the official plot-coop values.
    public struct Options: Codable, Sendable, Equatable {
        /// `N`, prompts per class (`MODEL.N`, 4 in the paper).
        public var promptCount = 4
        /// Learned vectors per prompt (`N_CTX`, 16 in `main.sh`).
        public var contextLength = 16
        /// One phrase per prompt whose token embeddings initialize it (PLOT++'s `CTX_INIT`
        /// templates); `nil` draws every entry from N(0, 0.02²).
        public var initialWords: [String]? = nil
        /// Entropic regularization ε of the transport (0.1 in code).
        public var epsilon = 0.1
        /// Sinkhorn iteration cap (100 in code).
        public var maximumIterations = 100
        /// Sinkhorn stops when the mean change of `r` falls below this (0.01 in code).
        public var threshold = 0.01
        /// Adds `s · ⟨norm f̄, norm(mean_n g_{n,c})⟩` of the global image feature to the logits
        /// (PLOT++ `TRADE_OFF`; plot-coop comments it out and PLOT++'s scripts set it false).
        /// A ViT's patch tokens were never trained to align with text (the author's reason for
        /// PLOT++, issue #1), so on a ViT the transport score alone can sit near chance; this
        /// term adds the class token's CoOp-like score.
        public var addsGlobalLogits = false

        /// Options with the official defaults unless given.
        public init(
            promptCount: Int = 4, contextLength: Int = 16, initialWords: [String]? = nil, epsilon: Double = 0.1,
            maximumIterations: Int = 100, threshold: Double = 0.01, addsGlobalLogits: Bool = false
        ) {
            self.promptCount = promptCount
            self.contextLength = contextLength
            self.initialWords = initialWords
            self.epsilon = epsilon
            self.maximumIterations = maximumIterations
            self.threshold = threshold
            self.addsGlobalLogits = addsGlobalLogits
        }

        enum CodingKeys: String, CodingKey {
            case promptCount, contextLength, initialWords, epsilon, maximumIterations, threshold, addsGlobalLogits
        }

        /// Decodes the options, taking the default for every absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                promptCount: try container.decode(.promptCount, or: defaults.promptCount),
                contextLength: try container.decode(.contextLength, or: defaults.contextLength),
                initialWords: try container.decodeIfPresent([String].self, forKey: .initialWords),
                epsilon: try container.decode(.epsilon, or: defaults.epsilon),
                maximumIterations: try container.decode(.maximumIterations, or: defaults.maximumIterations),
                threshold: try container.decode(.threshold, or: defaults.threshold),
                addsGlobalLogits: try container.decode(.addsGlobalLogits, or: defaults.addsGlobalLogits))
        }

        /// Throws unless every value is usable.
        func validate() throws(MethodError) {
            func require(_ condition: Bool, _ name: String, _ value: Any, _ requirement: String) throws(MethodError) {
                if !condition { throw .invalidOption(name: name, value: "\(value)", requirement: requirement) }
            }
            try require(promptCount >= 1, "promptCount", promptCount, "at least 1")
            try require(contextLength >= 1, "contextLength", contextLength, "at least 1")
            try require(epsilon > 0 && epsilon.isFinite, "epsilon", epsilon, "finite and > 0")
            try require(maximumIterations >= 1, "maximumIterations", maximumIterations, "at least 1")
            try require(threshold >= 0 && threshold.isFinite, "threshold", threshold, "finite and ≥ 0")
            if let words = initialWords {
                try require(words.count == promptCount, "initialWords", words, "one phrase per prompt (\(promptCount))")
            }
        }
    }

    public static var kind: MethodKind { .plot }
    public var configuration: MethodConfiguration { .plot(options) }
    public static var readsImageTokens: Bool { true }

    /// The official state-dict key (`prompt_learner.ctx`), as CoOp's.
    public static var trainable: [(name: String, path: WritableKeyPath<PLOT, Tensor>)] {
        [("ctx", \.context)]
    }

    public private(set) var options: Options
    /// `[promptCount, contextLength, width]`.
    public var context: Tensor
    /// The frozen prompt parts for the current class names, shared by the N prompts.
    public var prompts: PromptSkeleton
    /// Text features computed by ``preparedForInference(clip:)``, with the context and class
    /// names they were computed from (used only while both are unchanged).
    var inferenceText: (context: Tensor, classNames: [String], features: Tensor)?

    public var classNames: [String] { prompts.classNames }

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        try options.validate()
        let width = clip.configuration.text.width
        if let phrases = options.initialWords {
            context = try PLOT.wordContext(phrases, length: options.contextLength, tokenizer: tokenizer, clip: clip)
        } else {
            context = Tensor.normal(
                [options.promptCount, options.contextLength, width], standardDeviation: 0.02, seed: seed)
        }
        self.options = options
        prompts = try PromptSkeleton(
            classNames: classNames, initialWords: nil, contextLength: options.contextLength,
            tokenizer: tokenizer, clip: clip)
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        let path = prompts.path
        prompts = try PromptSkeleton(
            classNames: classNames, initialWords: nil, contextLength: options.contextLength,
            tokenizer: tokenizer, clip: clip)
        prompts.path = path
    }


    /// `[phrases, length, width]`: each phrase's token embeddings; every phrase must have
    /// `length` tokens.
    static func wordContext(
        _ phrases: [String], length: Int, tokenizer: any TextTokenizer, clip: CLIP
    ) throws -> Tensor {
        let rows = try phrases.map { phrase in
            let words = phrase.replacingOccurrences(of: "_", with: " ")
            let embedding = PromptSkeleton.wordEmbeddings(words, tokenizer: tokenizer, clip: clip)
            guard embedding.shape[0] == length else {
                throw MethodError.invalidOption(
                    name: "initialWords", value: "'\(phrase)'",
                    requirement: "\(length) tokens (contextLength), not \(embedding.shape[0])")
            }
            return embedding
        }
        return Tensor.stacked(rows, alongAxis: 0)
    }

    /// Text features `[promptCount · classes, embeddingWidth]`, prompt-major (row `n · C + c`),
    /// not normalized. The N contexts are N groups of one shared-prefix encoding.
    public func textFeatures(clip: CLIP) -> Tensor {
        if let cache = inferenceText, cache.context.storage === context.storage, cache.classNames == classNames,
            !context.requiresGradient
        {
            return cache.features
        }
        return prompts.textFeatures(PromptContext(shared: context), clip: clip)
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        let tokens = images.tokenFeatures(using: clip)
        let text = textFeatures(clip: clip)
        var logits = transportScores(localFeatures: tokens.slice(alongAxis: 1, 1..<tokens.shape[1]), text: text)
        if options.addsGlobalLogits {
            let global = tokens.slice(alongAxis: 1, 0..<1).reshaped([tokens.shape[0], tokens.shape[2]])
            logits = logits + globalScores(global, text: text)
        }
        return logits * clip.logitScale.exp()
    }

    /// `σ[b, c] = Σ_{m,n} T*_{m,n} S[m,n]` with `S[m,n] = ⟨norm f_{b,m}, norm g_{n,c}⟩` and `T*`
    /// the Sinkhorn plan for cost `1 − S`, computed without a graph: `[batch, classes]`.
    ///
    /// - Parameters:
    ///   - localFeatures: `[batch, locals, embeddingWidth]`, not normalized.
    ///   - text: `[promptCount · classes, embeddingWidth]`, prompt-major, not normalized.
    func transportScores(localFeatures: Tensor, text: Tensor) -> Tensor {
        let (batch, locals) = (localFeatures.shape[0], localFeatures.shape[1])
        let (count, classes) = (options.promptCount, classNames.count)
        // [batch, locals, N·C] → one [locals, N] matrix per (image, class), image-major.
        let similarity = localFeatures.normalized(alongAxis: -1)
            .matmul(text.normalized(alongAxis: -1), transposeOther: true)
            .reshaped([batch, locals, count, classes])
            .permuted([0, 3, 1, 2])
            .reshaped([batch * classes, locals, count])
        let plan = Tensor.sinkhorn(
            cost: 1 - similarity.detached(), epsilon: Float(options.epsilon),
            maximumIterations: options.maximumIterations, threshold: Float(options.threshold))
        return (plan * similarity).sum(alongAxes: [1, 2]).reshaped([batch, classes])
    }

    /// `⟨norm f̄_b, norm(mean_n g_{n,c})⟩`: the global feature against the mean prompt feature,
    /// `[batch, classes]`.
    func globalScores(_ global: Tensor, text: Tensor) -> Tensor {
        let pooled = text.reshaped([options.promptCount, classNames.count, -1]).mean(alongAxis: 0)
        return global.normalized(alongAxis: -1).matmul(pooled.normalized(alongAxis: -1), transposeOther: true)
    }

    public func preparedForInference(clip: CLIP) -> PLOT {
        var copy = self
        copy.inferenceText = (context, classNames, textFeatures(clip: clip).detached())
        return copy
    }
}
