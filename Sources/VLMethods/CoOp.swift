// CoOp — "Learning to Prompt for Vision-Language Models" (Zhou, Yang, Loy, Liu; IJCV 2022,
// arXiv 2109.01134), following KaiyangZhou/CoOp trainers/coop.py: the hand-written "a photo of a"
// is replaced by `contextLength` learned word vectors, unified or class-specific, with the class
// name at the end, in the middle or at the front (methods-text.md §4).

import VLCLIP
import VLTensor
import VLText

/// Where the class name sits among the learned context vectors.
public enum ClassTokenPosition: String, Codable, Sendable, CaseIterable {
    /// `[SOS][v1 … vM][name][.][EOT]` (the default).
    case end
    /// `[SOS][v1 … v⌊M/2⌋][name][v⌊M/2⌋+1 … vM][.][EOT]`.
    case middle
    /// `[SOS][name][v1 … vM][.][EOT]`.
    case front
}

/// Context Optimization: prompts whose context words are learned vectors.
public struct CoOp: AdaptationMethod {
    /// CoOp's options (`TRAINER.COOP` in the official configs); absent JSON fields take these
    /// defaults, the paper's main setting.
    public struct Options: Codable, Sendable, Equatable {
        /// `M`, learned vectors per prompt (`N_CTX`, default 16). Ignored with ``initialWords``,
        /// whose token count sets it.
        public var contextLength = 16
        /// One context per class (`CSC`) instead of one shared by all classes. As in the
        /// official code, word initialization always gives a unified context.
        public var classSpecific = false
        /// Words whose token embeddings initialize the context (`CTX_INIT`, e.g. "a photo of a");
        /// `nil` draws every entry from N(0, 0.02²).
        public var initialWords: String? = nil
        /// Where the class name goes (`CLASS_TOKEN_POSITION`).
        public var classTokenPosition = ClassTokenPosition.end

        /// Options with the paper's defaults unless given.
        public init(
            contextLength: Int = 16, classSpecific: Bool = false, initialWords: String? = nil,
            classTokenPosition: ClassTokenPosition = .end
        ) {
            self.contextLength = contextLength
            self.classSpecific = classSpecific
            self.initialWords = initialWords
            self.classTokenPosition = classTokenPosition
        }

        enum CodingKeys: String, CodingKey { case contextLength, classSpecific, initialWords, classTokenPosition }

        /// Decodes the options, taking the default for every absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                contextLength: try container.decode(.contextLength, or: defaults.contextLength),
                classSpecific: try container.decode(.classSpecific, or: defaults.classSpecific),
                initialWords: try container.decodeIfPresent(String.self, forKey: .initialWords),
                classTokenPosition: try container.decode(.classTokenPosition, or: defaults.classTokenPosition))
        }

        /// Whether the learned context is class-specific once word initialization is applied.
        var isClassSpecific: Bool { classSpecific && initialWords == nil }
    }

    public static var kind: MethodKind { .coop }
    public var configuration: MethodConfiguration { .coop(options) }

    /// The official state-dict key, so checkpoints map one to one.
    public static var trainable: [(name: String, path: WritableKeyPath<CoOp, Tensor>)] {
        [("ctx", \.context)]
    }

    public private(set) var options: Options
    /// `[contextLength, width]`, or `[classes, contextLength, width]` when class-specific.
    public var context: Tensor
    /// The frozen prompt parts for the current class names.
    public var prompts: PromptSkeleton
    /// Normalized text features computed by ``preparedForInference(clip:)``, with the context
    /// and class names they were computed from (used only while both are unchanged).
    var inferenceClassifier: (context: Tensor, classNames: [String], features: Tensor)?

    public var classNames: [String] { prompts.classNames }

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        var resolved = options
        let width = clip.configuration.text.width
        if let words = options.initialWords {
            let phrase = words.replacingOccurrences(of: "_", with: " ")
            context = PromptSkeleton.wordEmbeddings(phrase, tokenizer: tokenizer, clip: clip)
            resolved.initialWords = phrase
            resolved.contextLength = context.shape[0]
            guard resolved.contextLength > 0 else {
                throw MethodError.invalidOption(
                    name: "initialWords", value: "'\(words)'", requirement: "at least one token")
            }
        } else {
            guard options.contextLength > 0 else {
                throw MethodError.invalidOption(
                    name: "contextLength", value: "\(options.contextLength)", requirement: "at least 1")
            }
            let shape =
                options.classSpecific
                ? [classNames.count, options.contextLength, width] : [options.contextLength, width]
            context = Tensor.normal(shape, standardDeviation: 0.02, seed: seed)
        }
        self.options = resolved
        prompts = try PromptSkeleton(
            classNames: classNames, initialWords: resolved.initialWords, contextLength: resolved.contextLength,
            tokenizer: tokenizer, clip: clip)
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        if options.isClassSpecific && classNames.count != context.shape[0] {
            throw MethodError.invalidOption(
                name: "classSpecific", value: "true",
                requirement: "used with the \(context.shape[0]) classes it was learned for, not \(classNames.count)")
        }
        let path = prompts.path
        prompts = try PromptSkeleton(
            classNames: classNames, initialWords: options.initialWords, contextLength: options.contextLength,
            tokenizer: tokenizer, clip: clip)
        prompts.path = path
    }


    /// The context placed as ``Options/classTokenPosition`` says.
    var promptContext: PromptContext {
        let classSpecific = context.rank == 3
        let tokensAxis = classSpecific ? 1 : 0
        let half = options.contextLength / 2
        func part(_ range: Range<Int>) -> Tensor? {
            range.isEmpty ? nil : context.slice(alongAxis: tokensAxis, range)
        }
        switch (options.classTokenPosition, classSpecific) {
        case (.end, false): return PromptContext(shared: context.reshaped([1] + context.shape))
        case (.end, true): return PromptContext(beforeName: context)
        case (.middle, false):
            return PromptContext(
                shared: part(0..<half).map { $0.reshaped([1] + $0.shape) },
                afterName: part(half..<options.contextLength))
        case (.middle, true):
            return PromptContext(beforeName: part(0..<half), afterName: part(half..<options.contextLength))
        case (.front, _): return PromptContext(afterName: context)
        }
    }

    /// Text features `[classes, embeddingWidth]` of the learned prompts (not normalized).
    public func textFeatures(clip: CLIP) -> Tensor {
        prompts.textFeatures(promptContext, clip: clip)
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        let features = images.features(using: clip)
        if let cache = inferenceClassifier, cache.context.storage === context.storage,
            cache.classNames == classNames, !context.requiresGradient
        {
            return ZeroShot.cosineLogits(features, classifier: cache.features, clip: clip)
        }
        return clip.logits(imageFeatures: features, textFeatures: textFeatures(clip: clip))
    }

    public func preparedForInference(clip: CLIP) -> CoOp {
        var copy = self
        copy.inferenceClassifier = (
            context, classNames, textFeatures(clip: clip).detached().normalized(alongAxis: -1)
        )
        return copy
    }
}
