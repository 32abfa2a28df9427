// TCP — "TCP: Textual-based Class-aware Prompt tuning for Visual-Language Model" (Yao, Zhang, Xu;
// CVPR 2024, arXiv 2311.18231), following htyao89/Textual-based_Class-aware_prompt_tuning
// trainers/tcp.py: each class's frozen hand-crafted text feature is mapped to class-aware tokens
// that replace the context tokens at a middle text layer, plus KgCoOp's consistency term
// (methods-text.md §9).

import VLCLIP
import VLNN
import VLTensor
import VLText

/// Textual-based Class-aware Prompt tuning.
///
/// The prompt `[SOS] ctx₁ … ctx_M name … [EOT]` enters the text encoder with learned context
/// `ctx` (shared by all classes). Just before block ``Options/injectionLayer`` the hidden states
/// at positions 1…M of class `c` are replaced by `P_c = TKE(t_c)`, where `t_c` is the normalized
/// frozen feature of the class's anchor template and TKE (`meta_net`) is
/// `Linear(E → E/4) → QuickGELU → Linear(E/4 → M·D)`. The loss is cross-entropy plus
/// `weight · (1 − mean_c cos(w_c, t_c))`. Novel classes get their own tokens from their anchors.
///
/// Kept from the official code: the per-dataset anchor and prompt tables (``TemplateTable/tcpAnchors``, ``TemplateTable/tcpPrompts``); the
/// first M prompt tokens replaced by `ctx` whatever their words; full replacement at the layer
/// (the official `1.0 · P + 0 · h`); the weight 8 (hard-coded there); cosine ε 1e-7; `N_CTX` 4,
/// random N(0, 0.02²) context (`CTX_INIT: False`); `nn.Linear`'s initialization for TKE.
/// Fixed or generalized: the anchors come from the one frozen CLIP, not a second copy; the
/// number of class-aware tokens follows ``Options/contextLength`` (the official reshape
/// hard-codes 4 tokens of width 512); ``Options/initialWords`` is honoured (the official code
/// replaces any `CTX_INIT` by "a photo of a"); the injection layer is an option whose default
/// keeps the official 8 of 12 and scales to shallower encoders (``defaultInjectionLayer(layers:)``);
/// training runs in fp32, so Adam's ε = 1e-3 (the official fp16 NaN fix) is kept only as the
/// recipe's value, not needed for stability.
///
/// Speed: images reach TCP only through the frozen encoder, so training uses cached image
/// features. The prompts are cut after the last end-of-text token (exact under the causal
/// mask), but the shared-prefix text path does not apply: the injection needs a text hook,
/// which that path does not run, and after the injection only the start token is shared.
public struct TCP: AdaptationMethod {
    /// TCP's options; absent JSON fields take the official values.
    public struct Options: Codable, Sendable, Equatable {
        /// `M`, learned context vectors and class-aware tokens per prompt (`N_CTX`, 4). Ignored
        /// with ``initialWords``, whose token count sets it.
        public var contextLength = 4
        /// Words whose embeddings initialize the context (`CTX_INIT`); `nil` draws N(0, 0.02²).
        public var initialWords: String? = nil
        /// The learnable prompt (`CUSTOM_TEMPLATES`), `{}` the class name; its first
        /// ``contextLength`` tokens are replaced by the context. `nil`: "X … X {}." with one X
        /// per context token.
        public var promptTemplate: String? = nil
        /// The hand-crafted prompt whose frozen features anchor the class (`CUSTOM_TEMPLATES_ori`).
        public var anchorTemplate = "a photo of a {}."
        /// Text block (0-based) before which the class-aware tokens replace the context's
        /// hidden states; `nil` picks ``TCP/defaultInjectionLayer(layers:)`` for the model.
        public var injectionLayer: Int? = nil
        /// TKE's hidden width is the embedding width divided by this (4: 512 → 128).
        public var metaNetReduction = 4
        /// Weight of `1 − mean cos(w_c, t_c)` (8, hard-coded in the official loss).
        public var weight = 8.0

        /// Options with the official values unless given.
        public init(
            contextLength: Int = 4, initialWords: String? = nil, promptTemplate: String? = nil,
            anchorTemplate: String = "a photo of a {}.", injectionLayer: Int? = nil, metaNetReduction: Int = 4,
            weight: Double = 8.0
        ) {
            self.contextLength = contextLength
            self.initialWords = initialWords
            self.promptTemplate = promptTemplate
            self.anchorTemplate = anchorTemplate
            self.injectionLayer = injectionLayer
            self.metaNetReduction = metaNetReduction
            self.weight = weight
        }

        /// The official options for a Dassl dataset name: its anchor and prompt (``TemplateTable/tcpAnchors``, ``TemplateTable/tcpPrompts``).
        public init(dataset: String) {
            self.init(
                promptTemplate: TemplateTable.tcpPrompts.templates[dataset],
                anchorTemplate: TemplateTable.tcpAnchors.template(forDataset: dataset))
        }

        enum CodingKeys: String, CodingKey {
            case contextLength, initialWords, promptTemplate, anchorTemplate, injectionLayer, metaNetReduction, weight
        }

        /// Decodes the options, taking the default for every absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                contextLength: try container.decode(.contextLength, or: defaults.contextLength),
                initialWords: try container.decodeIfPresent(String.self, forKey: .initialWords),
                promptTemplate: try container.decodeIfPresent(String.self, forKey: .promptTemplate),
                anchorTemplate: try container.decode(.anchorTemplate, or: defaults.anchorTemplate),
                injectionLayer: try container.decodeIfPresent(Int.self, forKey: .injectionLayer),
                metaNetReduction: try container.decode(.metaNetReduction, or: defaults.metaNetReduction),
                weight: try container.decode(.weight, or: defaults.weight))
        }

        /// The learnable prompt template in use.
        var resolvedPromptTemplate: String {
            promptTemplate ?? PromptSkeleton.placeholder(contextLength) + " {}."
        }
    }

    /// The injection block for a text encoder of `layers` blocks: the official 8 of 12 scaled,
    /// `round(8 · layers / 12)`, at most the last block (8 for 12, 3 for the 4-layer world-clip,
    /// 1 for the 2-layer test CLIP).
    public static func defaultInjectionLayer(layers: Int) -> Int {
        Swift.max(0, Swift.min(layers - 1, (8 * layers + 6) / 12))
    }

    public static var kind: MethodKind { .tcp }
    public var configuration: MethodConfiguration { .tcp(options) }

    /// The official state-dict keys (`prompt_learner.ctx`, `prompt_learner.meta_net.*`).
    public static var trainable: [(name: String, path: WritableKeyPath<TCP, Tensor>)] {
        [
            ("ctx", \.context),
            ("meta_net.linear1.weight", \.metaNet1.weight),
            ("meta_net.linear1.bias", \.metaNet1.bias!),
            ("meta_net.linear2.weight", \.metaNet2.weight),
            ("meta_net.linear2.bias", \.metaNet2.bias!),
        ]
    }

    /// Resolved options: ``Options/contextLength`` and ``Options/injectionLayer`` are set.
    public private(set) var options: Options
    /// `[contextLength, width]`.
    public var context: Tensor
    /// TKE layer 1: `embeddingWidth → embeddingWidth / reduction`, then QuickGELU.
    public var metaNet1: Linear
    /// TKE layer 2: `embeddingWidth / reduction → contextLength · width`.
    public var metaNet2: Linear
    /// The anchors: normalized frozen features `[classes, embeddingWidth]` of ``Options/anchorTemplate``.
    public private(set) var anchor: ZeroShot
    /// The tokenized learnable prompts of the current classes.
    public private(set) var prompts: ClassPrompts
    /// Normalized text features from ``preparedForInference(clip:)`` and the tensors they came from.
    var inferenceClassifier: (sources: [Tensor], classNames: [String], features: Tensor)?

    public var classNames: [String] { prompts.classNames }

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        let text = clip.configuration.text
        let features = clip.configuration.embeddingWidth
        var resolved = options
        try TCP.validate(options, layers: text.layers, features: features)
        if let words = options.initialWords {
            resolved.initialWords = words.replacingOccurrences(of: "_", with: " ")
            context = PromptSkeleton.wordEmbeddings(resolved.initialWords!, tokenizer: tokenizer, clip: clip)
            resolved.contextLength = context.shape[0]
            guard resolved.contextLength > 0 else {
                throw MethodError.invalidOption(name: "initialWords", value: "'\(words)'", requirement: "at least one token")
            }
        } else {
            context = Tensor.normal([options.contextLength, text.width], standardDeviation: 0.02, seed: seed)
        }
        resolved.injectionLayer = options.injectionLayer ?? TCP.defaultInjectionLayer(layers: text.layers)
        let hidden = features / options.metaNetReduction
        metaNet1 = CoCoOp.linear(input: features, output: hidden, seed: seed &+ 1)
        metaNet2 = CoCoOp.linear(input: hidden, output: resolved.contextLength * text.width, seed: seed &+ 2)
        anchor = try ZeroShot(
            options: ZeroShot.Options(templates: [options.anchorTemplate]), clip: clip, tokenizer: tokenizer,
            classNames: classNames, seed: seed)
        prompts = try ClassPrompts(
            template: resolved.resolvedPromptTemplate, contextTokens: resolved.contextLength, classNames: classNames,
            tokenizer: tokenizer, clip: clip)
        self.options = resolved
    }

    static func validate(_ options: Options, layers: Int, features: Int) throws(MethodError) {
        if options.initialWords == nil && options.contextLength < 1 {
            throw .invalidOption(name: "contextLength", value: "\(options.contextLength)", requirement: "at least 1")
        }
        if let layer = options.injectionLayer, !(0..<layers).contains(layer) {
            throw .invalidOption(
                name: "injectionLayer", value: "\(layer)", requirement: "a text block index in 0..<\(layers)")
        }
        guard options.metaNetReduction > 0 && features / options.metaNetReduction > 0 else {
            throw .invalidOption(
                name: "metaNetReduction", value: "\(options.metaNetReduction)",
                requirement: "between 1 and the feature width \(features)")
        }
        guard options.weight >= 0 && options.weight.isFinite else {
            throw .invalidOption(name: "weight", value: "\(options.weight)", requirement: "finite and ≥ 0")
        }
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        prompts = try ClassPrompts(
            template: options.resolvedPromptTemplate, contextTokens: options.contextLength, classNames: classNames,
            tokenizer: tokenizer, clip: clip)
        try anchor.setClassNames(classNames, clip: clip, tokenizer: tokenizer)
        inferenceClassifier = nil
    }

    /// The class-aware tokens `[classes, contextLength, width]`: TKE of each class's anchor.
    public func classAwareTokens() -> Tensor {
        let tokens = metaNet2(metaNet1(anchor.classifier).quickGELU())
        return tokens.reshaped([prompts.classCount, options.contextLength, context.shape[1]])
    }

    /// Text features `[classes, embeddingWidth]` (not normalized): the prompts with `ctx` in
    /// place, the class-aware tokens injected before block ``Options/injectionLayer``.
    public func textFeatures(clip: CLIP) -> Tensor {
        let frozen = prompts.embeddings
        let (classes, tokens, width) = (frozen.shape[0], frozen.shape[1], frozen.shape[2])
        let count = options.contextLength
        let shared = context.reshaped([1, count, width]).broadcasted(to: [classes, count, width])
        let input = Tensor.concatenated(
            [frozen.slice(alongAxis: 1, 0..<1), shared, frozen.slice(alongAxis: 1, (1 + count)..<tokens)],
            alongAxis: 1)
        let hooks = ClassAwareInjection(layer: options.injectionLayer!, tokens: classAwareTokens())
        return clip.encodeText(embeddings: input, endOfText: prompts.endOfText, hooks: hooks)
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        let features = images.features(using: clip)
        if let cache = inferenceClassifier, cache.classNames == classNames,
            zip(cache.sources, Self.trainable).allSatisfy({ $0.storage === self[keyPath: $1.path].storage }),
            !context.requiresGradient
        {
            return features.normalized(alongAxis: -1).matmul(cache.features, transposeOther: true)
                * clip.logitScale.exp()
        }
        return clip.logits(imageFeatures: features, textFeatures: textFeatures(clip: clip))
    }

    /// Cross-entropy plus `weight · (1 − mean_c cos(w_c, t_c))`, the text encoded once for both.
    public func loss(_ images: ImageBatch, labels: [Int], clip: CLIP) -> Tensor {
        let text = textFeatures(clip: clip)
        let logits = clip.logits(imageFeatures: images.features(using: clip), textFeatures: text)
        let cosine = text.cosineSimilarity(anchor.classifier, alongAxis: -1, epsilon: 1e-7)
        return Tensor.crossEntropy(logits: logits, labels: labels) + (1 - cosine.mean()) * Float(options.weight)
    }

    public func preparedForInference(clip: CLIP) -> TCP {
        var copy = self
        copy.inferenceClassifier = (
            Self.trainable.map { self[keyPath: $0.path] }, classNames,
            textFeatures(clip: clip).detached().normalized(alongAxis: -1)
        )
        return copy
    }
}

/// Tokenized prompts of a class list from a template whose first tokens are context positions,
/// embedded once with the frozen token table and cut after the last end-of-text token.
public struct ClassPrompts: Sendable {
    /// The class names, underscores replaced by spaces.
    public let classNames: [String]
    /// `[classes, tokens, width]`: token embeddings (before positions), `tokens` = last
    /// end-of-text position + 1.
    public let embeddings: Tensor
    /// Each prompt's end-of-text position.
    public let endOfText: [Int]

    /// Tokenizes `template` (with `{}` the class name) for every class.
    ///
    /// - Throws: ``MethodError`` when the template lacks `{}`, has fewer than `contextTokens`
    ///   tokens before it, or a prompt does not fit the text encoder's context.
    public init(
        template: String, contextTokens: Int, classNames: [String], tokenizer: any TextTokenizer, clip: CLIP
    ) throws {
        guard !classNames.isEmpty else { throw MethodError.noClasses }
        guard let placeholder = template.range(of: "{}"),
            tokenizer.encode(String(template[..<placeholder.lowerBound])).count >= contextTokens
        else {
            throw MethodError.invalidOption(
                name: "promptTemplate", value: "'\(template)'",
                requirement: "a {} placeholder after at least \(contextTokens) context tokens")
        }
        let contextLength = clip.configuration.text.contextLength
        let names = classNames.map { $0.replacingOccurrences(of: "_", with: " ") }
        let rows = try names.map { name in
            let body = tokenizer.encode(template.replacingOccurrences(of: "{}", with: name))
            guard body.count + 2 <= contextLength else {
                throw MethodError.promptTooLong(className: name, tokens: body.count + 2, contextLength: contextLength)
            }
            let row = [tokenizer.startOfTextID] + body + [tokenizer.endOfTextID]
            return row + Array(repeating: 0, count: contextLength - row.count)
        }
        self.classNames = names
        endOfText = clip.text.endOfTextPositions(rows)
        let length = endOfText.max()! + 1
        embeddings = clip.text.embed(rows.map { Array($0.prefix(length)) }).detached()
    }

    /// Number of classes.
    public var classCount: Int { classNames.count }
}

/// The text hook TCP fills: tokens `[sequences, count, width]` replace the hidden states at
/// positions 1…count of every sequence entering block `layer`.
struct ClassAwareInjection: CLIPHooks {
    let layer: Int
    let tokens: Tensor

    func text(_ hidden: Tensor, enteringLayer index: Int) -> Tensor {
        guard index == layer else { return hidden }
        let (count, length) = (tokens.shape[1], hidden.shape[1])
        return Tensor.concatenated(
            [hidden.slice(alongAxis: 1, 0..<1), tokens, hidden.slice(alongAxis: 1, (1 + count)..<length)],
            alongAxis: 1)
    }
}
