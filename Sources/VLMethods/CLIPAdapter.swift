// CLIP-Adapter — "CLIP-Adapter: Better Vision-Language Models with Feature Adapters" (Gao et al.,
// IJCV 2024, arXiv 2110.04544), following gaopengcuhk/CLIP-Adapter clip_adapter.py: a bias-free
// two-layer MLP on the frozen image feature, mixed back with a residual ratio (methods-visual.md §7).

import VLCLIP
import VLTensor
import VLText

/// CLIP-Adapter's visual adapter: `A(f) = ReLU(W₂ · ReLU(W₁ f))` on CLIP's (unnormalized) image
/// feature `f`, blended as `f′ = α·A(f) + (1 − α)·f`, then scored against the frozen text
/// features of a hand-written template:
/// `logits = exp(logit_scale) · (f′/‖f′‖) · (t/‖t‖)ᵀ` (100 for OpenAI's weights).
///
/// Kept from the official code: no biases, reduction 4, α = 0.2, both ReLUs (the second one
/// clips the adapter's output to non-negative values), the per-dataset template of CoOp's
/// zero-shot table (``TemplateTable/coopZeroShot``, the official `CUSTOM_TEMPLATES`), only the
/// adapter trained with cross-entropy. Generalized: the width is the model's embedding width
/// (the official code hard-codes RN50's 1024). Not ported: the paper's text adapter, which the
/// official code does not contain. The training recipe is the toolkit's choice
/// (``officialRecipe(shots:dataset:)``): the configs were never released.
public struct CLIPAdapter: AdaptationMethod {
    /// CLIP-Adapter's options; absent JSON fields take the official code's values.
    public struct Options: Codable, Sendable, Equatable {
        /// Hidden width is the embedding width divided by this (`reduction`, 4), rounded down.
        public var reduction = 4
        /// `α`, the adapter's share of the blended feature (`ratio`, 0.2).
        public var ratio = 0.2
        /// The hand-written template of the frozen classifier; `{}` is the class name.
        public var template = "a photo of a {}."

        /// Options with the official values unless given.
        public init(reduction: Int = 4, ratio: Double = 0.2, template: String = "a photo of a {}.") {
            self.reduction = reduction
            self.ratio = ratio
            self.template = template
        }

        /// The official options for a CoOp dataset name: its template in CoOp's zero-shot table.
        public init(dataset: String) {
            self.init(template: TemplateTable.coopZeroShot.template(forDataset: dataset))
        }

        enum CodingKeys: String, CodingKey { case reduction, ratio, template }

        /// Decodes the options, taking the default for every absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                reduction: try container.decode(.reduction, or: defaults.reduction),
                ratio: try container.decode(.ratio, or: defaults.ratio),
                template: try container.decode(.template, or: defaults.template))
        }
    }

    public static var kind: MethodKind { .clipAdapter }
    public var configuration: MethodConfiguration { .clipAdapter(options) }

    /// The official state-dict keys of `Adapter.fc` (Dassl registers the adapter alone).
    public static var trainable: [(name: String, path: WritableKeyPath<CLIPAdapter, Tensor>)] {
        [("fc.0.weight", \.down), ("fc.2.weight", \.up)]
    }

    public let options: Options
    /// `W₁`, `[embeddingWidth / reduction, embeddingWidth]`.
    public var down: Tensor
    /// `W₂`, `[embeddingWidth, embeddingWidth / reduction]`.
    public var up: Tensor
    public private(set) var classNames: [String]
    /// The frozen classifier `[classes, embeddingWidth]`: the template's normalized text
    /// features for the current classes (zero-shot CLIP's, ``ZeroShot/classifier``).
    public internal(set) var textFeatures: Tensor

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        let width = clip.configuration.embeddingWidth
        guard options.reduction >= 1 && width / options.reduction >= 1 else {
            throw MethodError.invalidOption(
                name: "reduction", value: "\(options.reduction)", requirement: "in 1…\(width) (the embedding width)")
        }
        guard (0...1).contains(options.ratio) else {
            throw MethodError.invalidOption(name: "ratio", value: "\(options.ratio)", requirement: "in [0, 1]")
        }
        let hidden = width / options.reduction
        self.options = options
        down = CLIPAdapter.linearWeight(input: width, output: hidden, seed: RandomGenerator(seed: seed).derived(1))
        up = CLIPAdapter.linearWeight(input: hidden, output: width, seed: RandomGenerator(seed: seed).derived(2))
        (self.classNames, textFeatures) = try ZeroShot.classifier(
            for: classNames, templates: [options.template], clip: clip, tokenizer: tokenizer)
    }

    /// `nn.Linear`'s default weight initialization: uniform in ±1/√input.
    static func linearWeight(input: Int, output: Int, seed: UInt64) -> Tensor {
        let bound = 1 / Float(input).squareRoot()
        return Tensor.uniform([output, input], in: -bound...bound, seed: seed)
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        (self.classNames, textFeatures) = try ZeroShot.classifier(
            for: classNames, templates: [options.template], clip: clip, tokenizer: tokenizer)
    }

    /// `α·A(f) + (1 − α)·f` for features `[batch, embeddingWidth]`.
    public func adapted(_ features: Tensor) -> Tensor {
        let ratio = Float(options.ratio)
        let adapter = features.matmul(down, transposeOther: true).relu().matmul(up, transposeOther: true).relu()
        return adapter * ratio + features * (1 - ratio)
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        ZeroShot.cosineLogits(adapted(images.features(using: clip)), classifier: textFeatures, clip: clip)
    }
}
