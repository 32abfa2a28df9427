// ProGrad — "Prompt-aligned Gradient for Prompt Tuning" (Zhu, Niu, Han, Wu, Zhang; ICCV 2023,
// arXiv 2205.14865), following BeierZhu/Prompt-align trainers/prograd.py and the modified Dassl's
// `prograd_backward_and_update`: CoOp whose cross-entropy gradient loses its component against the
// zero-shot distillation gradient (methods-text.md §7).

import VLCLIP
import VLTensor
import VLText

/// Prompt-aligned Gradient: CoOp trained on the cross-entropy gradient `g`, with the part that
/// conflicts with the gradient `g_kl` of distillation from zero-shot CLIP removed: when
/// `g · g_kl < 0`, `g ← g − λ (g · ĝ_kl) ĝ_kl` with `ĝ_kl = g_kl / ‖g_kl‖`, per learned tensor.
/// The distillation loss only supplies that direction; it is never minimized itself.
///
/// Kept from the official implementation: `M` = 16 context vectors, class name at the end; the
/// context starts at zero except its last rows, which hold the token embeddings of the template's
/// phrase ("a photo of a" for "a photo of a {}."); distillation is `T² · mean_batch(−Σ_c q_c log
/// softmax(s/T)_c)` with teacher probabilities `q` from the template's zero-shot logits at
/// temperature `T`; ``loss(_:labels:clip:)`` reports the cross-entropy. Fixed: the teacher uses
/// the one frozen CLIP (its image features are the student's), not a second model copy; the
/// phrase fills as many rows as it has tokens, where the official code counts space-separated
/// words and so shifts the copied embeddings when punctuation is its own token (§7.1).
public struct ProGrad: AdaptationMethod {
    /// ProGrad's options; absent JSON fields take the official values.
    public struct Options: Codable, Sendable, Equatable {
        /// `M`, learned vectors per prompt (`N_CTX`, 16).
        public var contextLength = 16
        /// The teacher's hand-crafted prompt (``TemplateTable/prograd``); `{}` is the class name.
        public var template = "a photo of a {}."
        /// Initialize the context's last rows from the template's phrase (`CTX_INIT`); otherwise
        /// every entry is drawn from N(0, 0.02²).
        public var initializeFromTemplate = true
        /// λ, how much of the conflicting component is removed (1; 0.8 in the README for 8 and
        /// 16 shots on Flowers102, DTD and EuroSAT).
        public var weight = 1.0
        /// `T`, the distillation temperature (`LOSS.T`, 1).
        public var temperature = 1.0

        /// Options with the official defaults unless given.
        public init(
            contextLength: Int = 16, template: String = "a photo of a {}.", initializeFromTemplate: Bool = true,
            weight: Double = 1.0, temperature: Double = 1.0
        ) {
            self.contextLength = contextLength
            self.template = template
            self.initializeFromTemplate = initializeFromTemplate
            self.weight = weight
            self.temperature = temperature
        }

        /// The official options for a CoOp dataset name: its ProGrad template (``TemplateTable/prograd``).
        public init(dataset: String) {
            self.init(template: ProGrad.template(forDataset: dataset))
        }

        enum CodingKeys: String, CodingKey { case contextLength, template, initializeFromTemplate, weight, temperature }

        /// Decodes the options, taking the default for every absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                contextLength: try container.decode(.contextLength, or: defaults.contextLength),
                template: try container.decode(.template, or: defaults.template),
                initializeFromTemplate: try container.decode(
                    .initializeFromTemplate, or: defaults.initializeFromTemplate),
                weight: try container.decode(.weight, or: defaults.weight),
                temperature: try container.decode(.temperature, or: defaults.temperature))
        }

        /// The template without its class slot: the phrase that initializes the context.
        var phrase: String {
            template.replacingOccurrences(of: " {}.", with: "").replacingOccurrences(of: "{}", with: "")
        }
    }

    /// The template for `dataset` in ProGrad's table (``TemplateTable/prograd``): "a photo of a
    /// {}." for every dataset not listed.
    public static func template(forDataset dataset: String) -> String {
        TemplateTable.prograd.template(forDataset: dataset)
    }

    public static var kind: MethodKind { .prograd }
    public var configuration: MethodConfiguration { .prograd(options) }

    /// The official state-dict key, the same as CoOp's.
    public static var trainable: [(name: String, path: WritableKeyPath<ProGrad, Tensor>)] {
        [("ctx", \.prompt.context)]
    }

    public let options: Options
    /// The student: CoOp with a unified context and the class name at the end.
    public var prompt: CoOp
    /// The teacher: zero-shot CLIP with ``Options/template`` for the current class names.
    public private(set) var teacher: ZeroShot

    public var classNames: [String] { prompt.classNames }

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        guard options.weight >= 0 && options.weight.isFinite else {
            throw MethodError.invalidOption(name: "weight", value: "\(options.weight)", requirement: "finite and ≥ 0")
        }
        guard options.temperature > 0 && options.temperature.isFinite else {
            throw MethodError.invalidOption(
                name: "temperature", value: "\(options.temperature)", requirement: "finite and > 0")
        }
        self.options = options
        prompt = try CoOp(
            options: CoOp.Options(contextLength: options.contextLength), clip: clip, tokenizer: tokenizer,
            classNames: classNames, seed: seed)
        teacher = try ZeroShot(
            options: ZeroShot.Options(templates: [options.template]), clip: clip, tokenizer: tokenizer,
            classNames: classNames, seed: seed)
        if options.initializeFromTemplate {
            prompt.context = try Self.initialContext(options, tokenizer: tokenizer, clip: clip)
        }
    }

    /// `[contextLength, width]`: zeros, then the phrase's token embeddings in the last rows.
    static func initialContext(_ options: Options, tokenizer: any TextTokenizer, clip: CLIP) throws -> Tensor {
        let words = PromptSkeleton.wordEmbeddings(options.phrase, tokenizer: tokenizer, clip: clip)
        let count = words.shape[0]
        guard count <= options.contextLength else {
            throw MethodError.invalidOption(
                name: "template", value: "'\(options.template)'",
                requirement: "a phrase of at most contextLength = \(options.contextLength) tokens, not \(count)")
        }
        let zeros = Tensor.zeros([options.contextLength - count, words.shape[1]])
        return Tensor.concatenated([zeros, words], alongAxis: 0)
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        try prompt.setClassNames(classNames, clip: clip, tokenizer: tokenizer)
        try teacher.setClassNames(classNames, clip: clip, tokenizer: tokenizer)
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        prompt.logits(images, clip: clip)
    }

    /// The cross-entropy and the distillation loss of one batch, from one student forward pass.
    public func losses(_ images: ImageBatch, labels: [Int], clip: CLIP) -> (crossEntropy: Tensor, distillation: Tensor) {
        let features = images.features(using: clip)
        let student = prompt.logits(.features(features), clip: clip)
        let temperature = Float(options.temperature)
        let target = (teacher.logits(.features(features.detached()), clip: clip) / temperature).softmax(alongAxis: -1)
        let logProbabilities = (student / temperature).logSoftmax(alongAxis: -1)
        let distillation = (target * logProbabilities).sum(alongAxis: -1).mean() * (-temperature * temperature)
        return (Tensor.crossEntropy(logits: student, labels: labels), distillation)
    }

    /// The cross-entropy's gradient with the component against the distillation gradient removed.
    public func gradients(_ images: ImageBatch, labels: [Int], clip: CLIP) -> (loss: Tensor, gradients: [String: Tensor]) {
        let (crossEntropy, distillation) = losses(images, labels: labels, clip: clip)
        var gradients = trainableGradients(of: crossEntropy)
        let guides = trainableGradients(of: distillation)
        for (name, gradient) in gradients {
            if let guide = guides[name] {
                gradients[name] = Self.project(gradient, against: guide, weight: Float(options.weight))
            }
        }
        return (crossEntropy, gradients)
    }

    /// `g − λ (g · ĝ) ĝ` when `g · guide < 0`, else `g`, with `ĝ = guide / ‖guide‖`.
    static func project(_ gradient: Tensor, against guide: Tensor, weight: Float) -> Tensor {
        let dot = (gradient * guide).sum().item
        let squaredNorm = guide.squared().sum().item
        guard dot < 0 && squaredNorm > 0 else { return gradient }
        return gradient - guide * (weight * dot / squaredNorm)
    }
}
