// VPT — "Visual Prompt Tuning" (Jia et al., ECCV 2022, arXiv 2203.12119), following KMnP/vpt
// (src/models/vit_prompt/vit.py) on CLIP's vision tower (methods-visual.md §2.1, §2.3, §3):
// shallow and deep prompt tokens after the class token, through CLIP's published hooks.

import Foundation
import VLCLIP
import VLOptim
import VLTensor
import VLText

/// What VPT-shallow and VPT-deep share: options, initialization, the prompt hook and the frozen
/// text classifier.
///
/// On CLIP the prompts sit where VPT puts them, between the class token and the patches
/// (`[CLS, prompts, patches]`), inserted after the positional embedding and before `ln_pre`
/// (``CLIPHooks/visionEmbeddings(_:)``), so they pass through `ln_pre` and receive no position.
/// VPT-deep then replaces the p prompt positions entering every later block ℓ ≥ 1 with that
/// block's own prompt (``CLIPHooks/vision(_:enteringLayer:)``, the "replace" semantics of §2.3).
///
/// Kept from the official code: the parameter names (`prompt_embeddings` `[1, p, d]`,
/// `deep_prompt_embeddings` `[L − 1, p, d]`) and the Xavier-uniform bound
/// `√(6 / (3·P² + d))` of a patch-embedding output. Changed for CLIP: the classifier is the
/// frozen, normalized text features of a template, scored as
/// `exp(logit_scale) · cos(image, text)`, instead of a trained linear head, so prompts transfer
/// to classes never trained on (base-to-novel), as CLIP prompt-learning papers run VPT.
/// Not ported: prompt dropout (default 0.0) and the optional prompt projection (off by default).
public enum VPT {
    /// VPT's options; absent JSON fields take these values.
    public struct Options: Codable, Sendable, Equatable {
        /// p, prompt tokens per layer (`PROMPT.NUM_TOKENS`; searched per task over {1, 5, 10, 50,
        /// 100, 200}; 10 is the toolkit's default).
        public var promptLength = 10
        /// The frozen classifier's template; `{}` is the class name.
        public var template = "a photo of a {}."

        /// Options with the defaults unless given.
        public init(promptLength: Int = 10, template: String = "a photo of a {}.") {
            self.promptLength = promptLength
            self.template = template
        }

        enum CodingKeys: String, CodingKey { case promptLength, template }

        /// Decodes the options, taking the default for every absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                promptLength: try container.decode(.promptLength, or: defaults.promptLength),
                template: try container.decode(.template, or: defaults.template))
        }
    }

    /// The official initialization bound `√(6 / (3·P² + d))` for patch size P and width d.
    public static func initializationBound(patchSize: Int, width: Int) -> Float {
        Float((6 / Double(3 * patchSize * patchSize + width)).squareRoot())
    }

    /// Prompts `[layers, p, width]` drawn uniformly within the bound.
    static func prompts(layers: Int, options: Options, clip: CLIP, seed: UInt64) -> Tensor {
        let vision = clip.configuration.vision
        let bound = initializationBound(patchSize: vision.patchSize, width: vision.width)
        return Tensor.uniform([layers, options.promptLength, vision.width], in: -bound...bound, seed: seed)
    }

    /// Throws unless the options fit `clip`.
    static func validate(_ options: Options) throws {
        guard options.promptLength >= 1 else {
            throw MethodError.invalidOption(
                name: "promptLength", value: "\(options.promptLength)", requirement: "≥ 1")
        }
        guard options.template.contains("{}") else {
            throw MethodError.invalidOption(name: "template", value: options.template, requirement: "with a {} placeholder")
        }
    }

    /// The frozen classifier `[classes, embeddingWidth]` of `template` (zero-shot CLIP's).
    static func classifier(
        _ classNames: [String], template: String, clip: CLIP, tokenizer: any TextTokenizer
    ) throws -> Tensor {
        try ZeroShot.classifier(for: classNames, templates: [template], clip: clip, tokenizer: tokenizer).features
    }

    /// `exp(logit_scale) · cos(image, text)` with the vision tower under `hooks`.
    static func logits(_ images: ImageBatch, hooks: PromptTokens, textFeatures: Tensor, clip: CLIP) -> Tensor {
        guard case .pixels(let pixels) = images else {
            preconditionFailure("VPT reads pixels, not frozen features")
        }
        return ZeroShot.cosineLogits(clip.encodeImage(pixels, hooks: hooks), classifier: textFeatures, clip: clip)
    }

    /// VPT's hook: inserts `shallow` `[1, p, d]` after the class token, and replaces the p
    /// prompt positions entering block ℓ ≥ 1 with row ℓ − 1 of `deep` `[L − 1, p, d]`, if given.
    public struct PromptTokens: CLIPHooks {
        /// Input prompts `[1, p, width]`.
        public let shallow: Tensor
        /// Prompts of blocks 1…L − 1, `[L − 1, p, width]`, or `nil` (shallow).
        public let deep: Tensor?

        /// A hook inserting `shallow` and, when given, replacing with `deep`.
        public init(shallow: Tensor, deep: Tensor?) {
            self.shallow = shallow
            self.deep = deep
        }

        public func visionEmbeddings(_ tokens: Tensor) -> Tensor {
            let (batch, count) = (tokens.shape[0], tokens.shape[1])
            return Tensor.concatenated(
                [tokens.slice(alongAxis: 1, 0..<1), expanded(shallow, batch), tokens.slice(alongAxis: 1, 1..<count)],
                alongAxis: 1)
        }

        public func vision(_ tokens: Tensor, enteringLayer layer: Int) -> Tensor {
            guard let deep, layer >= 1, layer <= deep.shape[0] else { return tokens }
            let (batch, count, length) = (tokens.shape[0], tokens.shape[1], shallow.shape[1])
            let prompt = deep.slice(alongAxis: 0, (layer - 1)..<layer)
            return Tensor.concatenated(
                [tokens.slice(alongAxis: 1, 0..<1), expanded(prompt, batch), tokens.slice(alongAxis: 1, (1 + length)..<count)],
                alongAxis: 1)
        }

        /// `prompt` `[1, p, d]` repeated over `batch` images (broadcast, so gradients sum back).
        private func expanded(_ prompt: Tensor, _ batch: Int) -> Tensor {
            Tensor.zeros([batch] + Array(prompt.shape.dropFirst())) + prompt
        }
    }
}

/// VPT-shallow on CLIP: p learned tokens inserted once, before `ln_pre` (see ``VPT``).
public struct VPTShallow: AdaptationMethod {
    public static var kind: MethodKind { .vptShallow }
    public var configuration: MethodConfiguration { .vptShallow(options) }
    public static var usesFrozenImageFeatures: Bool { false }
    /// The official parameter name.
    public static var trainable: [(name: String, path: WritableKeyPath<VPTShallow, Tensor>)] {
        [("prompt_embeddings", \.promptEmbeddings)]
    }

    public let options: VPT.Options
    /// The input prompts `[1, p, width]`.
    public var promptEmbeddings: Tensor
    public private(set) var classNames: [String]
    /// The frozen classifier `[classes, embeddingWidth]`, unit rows.
    public internal(set) var textFeatures: Tensor

    public init(
        options: VPT.Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        try VPT.validate(options)
        self.options = options
        promptEmbeddings = VPT.prompts(layers: 1, options: options, clip: clip, seed: RandomGenerator(seed: seed).derived(1))
        self.classNames = classNames
        textFeatures = try VPT.classifier(classNames, template: options.template, clip: clip, tokenizer: tokenizer)
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        textFeatures = try VPT.classifier(classNames, template: options.template, clip: clip, tokenizer: tokenizer)
        self.classNames = classNames
    }

    /// The hook this method's prompts fill.
    public var hooks: VPT.PromptTokens { VPT.PromptTokens(shallow: promptEmbeddings, deep: nil) }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        VPT.logits(images, hooks: hooks, textFeatures: textFeatures, clip: clip)
    }
}

/// VPT-deep on CLIP: VPT-shallow's input prompts plus one prompt per later block, replacing the
/// prompt positions entering it (see ``VPT``). Needs a vision tower of at least two blocks.
public struct VPTDeep: AdaptationMethod {
    public static var kind: MethodKind { .vptDeep }
    public var configuration: MethodConfiguration { .vptDeep(options) }
    public static var usesFrozenImageFeatures: Bool { false }
    /// The official parameter names.
    public static var trainable: [(name: String, path: WritableKeyPath<VPTDeep, Tensor>)] {
        [("prompt_embeddings", \.promptEmbeddings), ("deep_prompt_embeddings", \.deepPromptEmbeddings)]
    }

    public let options: VPT.Options
    /// The input prompts `[1, p, width]`.
    public var promptEmbeddings: Tensor
    /// The prompts of blocks 1…L − 1, `[L − 1, p, width]`.
    public var deepPromptEmbeddings: Tensor
    public private(set) var classNames: [String]
    /// The frozen classifier `[classes, embeddingWidth]`, unit rows.
    public internal(set) var textFeatures: Tensor

    public init(
        options: VPT.Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        try VPT.validate(options)
        let layers = clip.configuration.vision.layers
        guard layers >= 2 else {
            throw MethodError.invalidOption(
                name: "vision.layers", value: "\(layers)", requirement: "≥ 2 for deep prompts (use vpt-shallow)")
        }
        self.options = options
        let random = RandomGenerator(seed: seed)
        promptEmbeddings = VPT.prompts(layers: 1, options: options, clip: clip, seed: random.derived(1))
        deepPromptEmbeddings = VPT.prompts(layers: layers - 1, options: options, clip: clip, seed: random.derived(2))
        self.classNames = classNames
        textFeatures = try VPT.classifier(classNames, template: options.template, clip: clip, tokenizer: tokenizer)
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        textFeatures = try VPT.classifier(classNames, template: options.template, clip: clip, tokenizer: tokenizer)
        self.classNames = classNames
    }

    /// The hook this method's prompts fill.
    public var hooks: VPT.PromptTokens { VPT.PromptTokens(shallow: promptEmbeddings, deep: deepPromptEmbeddings) }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        VPT.logits(images, hooks: hooks, textFeatures: textFeatures, clip: clip)
    }
}

extension VPT {
    /// KMnP/vpt's recipe as far as it is fixed (configs/base-prompt.yaml): SGD with momentum 0.9,
    /// batch 128, 100 epochs, cosine. The official learning rate and weight decay are searched per
    /// task (lr {50 … 0.05} × batch/256, wd {0.01, 0.001, 1e-4, 0}); 0.5 (grid value 1 at batch
    /// 128) and 1e-4 are the toolkit's picks. Gap: the official 10-epoch linear warm-up has no
    /// ``TrainingRecipe`` form (its warm-up is constant); this recipe has none.
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        TrainingRecipe(
            epochs: 100, batchSize: 128, optimizer: .sgd(SGD.Options(momentum: 0.9, weightDecay: 1e-4)),
            learningRate: 0.5, warmupEpochs: 0)
    }
}
