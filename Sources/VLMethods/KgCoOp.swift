// KgCoOp — "Visual-Language Prompt Tuning with Knowledge-guided Context Optimization" (Yao, Zhang,
// Xu; CVPR 2023, arXiv 2303.13283), following htyao89/KgCoOp trainers/kgcoop.py: CoOp's learned
// context kept close to the hand-crafted prompt's text features (methods-text.md §6).

import VLCLIP
import VLTensor
import VLText

/// Knowledge-guided Context Optimization: CoOp whose loss adds
/// `weight · (1 − (1/C) Σ_c cos(w_c, t_c))`, pulling each class's learned-prompt text feature
/// `w_c` toward the frozen feature `t_c` of a hand-crafted template.
///
/// This is the official code's form of the regularizer. For unit vectors `‖w − t‖² = 2(1 − cos)`,
/// so it is the paper's mean squared distance with half the weight: the official `W = 8` is
/// λ = 4 in the paper's notation.
///
/// Kept from the official implementation: the class name always sits at the end of the prompt;
/// only `ctx` is learned (the unused `meta_net`, `bias_vectors` and adapter are not ported); the
/// anchor is the normalized text feature of the per-dataset template (``TemplateTable/kgcoop``) for the
/// current class names. Fixed: the anchor comes from the one frozen CLIP, computed once per class
/// list by ``setClassNames(_:clip:tokenizer:)``, not from a second model copy; the context words
/// are the given ``Options/initialWords`` (the official code replaces any `CTX_INIT` by
/// "a photo of a", the default here); training runs in fp32 (the official `amp` branch is broken).
public struct KgCoOp: AdaptationMethod {
    /// KgCoOp's options; absent JSON fields take the official scripts' values.
    public struct Options: Codable, Sendable, Equatable {
        /// Learned vectors per prompt when ``initialWords`` is `nil` (`N_CTX`, 4 in the scripts).
        public var contextLength = 4
        /// One context per class (`CSC`); only with random initialization, as in CoOp.
        public var classSpecific = false
        /// Words whose token embeddings initialize the context (`CTX_INIT`); `nil` draws every
        /// entry from N(0, 0.02²). An explicit JSON `null` selects random initialization.
        public var initialWords: String? = "a photo of a"
        /// The hand-crafted prompt whose features anchor the learned ones; `{}` is the class name.
        public var template = "a photo of a {}."
        /// `W`, the regularizer's weight (8 in every official script).
        public var weight = 8.0

        /// Options with the official defaults unless given.
        public init(
            contextLength: Int = 4, classSpecific: Bool = false, initialWords: String? = "a photo of a",
            template: String = "a photo of a {}.", weight: Double = 8.0
        ) {
            self.contextLength = contextLength
            self.classSpecific = classSpecific
            self.initialWords = initialWords
            self.template = template
            self.weight = weight
        }

        /// The official options for a CoOp dataset name: its KgCoOp template (``TemplateTable/kgcoop``).
        public init(dataset: String) {
            self.init(template: KgCoOp.template(forDataset: dataset))
        }

        enum CodingKeys: String, CodingKey { case contextLength, classSpecific, initialWords, template, weight }

        /// Decodes the options, taking the default for every absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                contextLength: try container.decode(.contextLength, or: defaults.contextLength),
                classSpecific: try container.decode(.classSpecific, or: defaults.classSpecific),
                initialWords: container.contains(.initialWords)
                    ? try container.decodeIfPresent(String.self, forKey: .initialWords) : defaults.initialWords,
                template: try container.decode(.template, or: defaults.template),
                weight: try container.decode(.weight, or: defaults.weight))
        }

        /// Encodes every field, `initialWords` as `null` when absent so it decodes the same.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(contextLength, forKey: .contextLength)
            try container.encode(classSpecific, forKey: .classSpecific)
            try container.encode(initialWords, forKey: .initialWords)
            try container.encode(template, forKey: .template)
            try container.encode(weight, forKey: .weight)
        }

        /// The learned prompt's options: CoOp's, class name at the end.
        var coop: CoOp.Options {
            CoOp.Options(
                contextLength: contextLength, classSpecific: classSpecific, initialWords: initialWords,
                classTokenPosition: .end)
        }
    }

    /// The template for `dataset` in KgCoOp's table (``TemplateTable/kgcoop``); "a photo of a {}."
    /// for datasets the official code does not list and for the world's datasets.
    public static func template(forDataset dataset: String) -> String {
        TemplateTable.kgcoop.template(forDataset: dataset)
    }

    public static var kind: MethodKind { .kgcoop }
    public var configuration: MethodConfiguration { .kgcoop(options) }

    /// The official state-dict key, the same as CoOp's.
    public static var trainable: [(name: String, path: WritableKeyPath<KgCoOp, Tensor>)] {
        [("ctx", \.prompt.context)]
    }

    public private(set) var options: Options
    /// The learned prompts: CoOp with the class name at the end.
    public var prompt: CoOp
    /// The hand-crafted prompts' normalized features `[classes, embeddingWidth]` for the current
    /// class names (zero-shot CLIP with ``Options/template``).
    public private(set) var anchor: ZeroShot

    public var classNames: [String] { prompt.classNames }

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        guard options.weight >= 0 && options.weight.isFinite else {
            throw MethodError.invalidOption(name: "weight", value: "\(options.weight)", requirement: "finite and ≥ 0")
        }
        prompt = try CoOp(options: options.coop, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        anchor = try ZeroShot(
            options: ZeroShot.Options(templates: [options.template]), clip: clip, tokenizer: tokenizer,
            classNames: classNames, seed: seed)
        var resolved = options
        resolved.contextLength = prompt.options.contextLength
        resolved.initialWords = prompt.options.initialWords
        self.options = resolved
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        try prompt.setClassNames(classNames, clip: clip, tokenizer: tokenizer)
        try anchor.setClassNames(classNames, clip: clip, tokenizer: tokenizer)
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        prompt.logits(images, clip: clip)
    }

    /// Cross-entropy of the logits plus `weight · (1 − mean_c cos(w_c, t_c))`, the learned prompt
    /// features encoded once for both terms.
    public func loss(_ images: ImageBatch, labels: [Int], clip: CLIP) -> Tensor {
        let text = prompt.textFeatures(clip: clip)
        let logits = clip.logits(imageFeatures: images.features(using: clip), textFeatures: text)
        return Tensor.crossEntropy(logits: logits, labels: labels) + knowledgeGuidance(text)
    }

    /// `weight · (1 − mean_c cos(w_c, t_c))` for prompt features `[classes, embeddingWidth]`;
    /// cosine with the official ε = 1e-7.
    func knowledgeGuidance(_ textFeatures: Tensor) -> Tensor {
        let cosine = textFeatures.cosineSimilarity(anchor.classifier, alongAxis: -1, epsilon: 1e-7)
        return (1 - cosine.mean()) * Float(options.weight)
    }
}
