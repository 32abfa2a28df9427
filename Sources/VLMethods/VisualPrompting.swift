// Visual Prompting — "Exploring Visual Prompts for Adapting Large-Scale Models" (Bahng et al.,
// arXiv 2203.17274), following hjbahng/visual_prompting: the padding prompter of
// models/prompters.py and the CLIP objective of main_clip.py (methods-visual.md §4).

import VLCLIP
import VLOptim
import VLTensor
import VLText

/// Visual Prompting with the padding prompter: a learned frame `q` pixels wide around the image,
/// `x̃ = x + v` where `v` is zero inside the frame, added to the already-normalized pixels with no
/// clamping. Only the frame trains; the classifier is the frozen, normalized text features of
/// "This is a photo of a {}" (class names lower-cased, `_` and `-` as spaces, main_clip.py's
/// `refine_classname`), and `logits = exp(logit_scale) · cos(image(x̃), text)`.
///
/// The frame reaches CLIP through its `pixels` hook (``CLIPHooks/pixels(_:)``): the model never
/// learns the method's name. The method reads pixels, so every training batch runs the vision
/// tower with a graph (``usesFrozenImageFeatures`` is `false`).
///
/// Kept from the official code: the four strips and their names (`pad_up`, `pad_down` `[1, 3, q,
/// S]`, `pad_left`, `pad_right` `[1, 3, S − 2q, q]`), standard-normal initialization, the template.
/// Generalized: the official `prompt_size` 30 is for 224-pixel images; by default the size is
/// scaled to the model, `round(30 · S / 224)` and at least 1 (4 for the 32-pixel `world-clip`).
/// Not ported: the fixed and random patch prompters, and the vision-only (ImageNet head) models.
public struct VisualPrompting: AdaptationMethod {
    /// Visual Prompting's options; absent JSON fields take the official code's values.
    public struct Options: Codable, Sendable, Equatable {
        /// `q`, the frame's width in pixels (`--prompt_size`, 30 at 224 pixels); `nil` scales 30
        /// to the model's image size (``defaultPromptSize(imageSize:)``). Must satisfy
        /// `1 ≤ q` and `2q < S`.
        public var promptSize: Int?
        /// The frozen classifier's template; `{}` is the class name.
        public var template = "This is a photo of a {}"

        /// Options with the official values unless given.
        public init(promptSize: Int? = nil, template: String = "This is a photo of a {}") {
            self.promptSize = promptSize
            self.template = template
        }

        enum CodingKeys: String, CodingKey { case promptSize, template }

        /// Decodes the options, taking the default for every absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                promptSize: try container.decodeIfPresent(Int.self, forKey: .promptSize),
                template: try container.decode(.template, or: Options().template))
        }
    }

    public static var kind: MethodKind { .visualPrompting }
    public var configuration: MethodConfiguration { .visualPrompting(options) }
    public static var usesFrozenImageFeatures: Bool { false }

    /// The official `PadPrompter` parameter names.
    public static var trainable: [(name: String, path: WritableKeyPath<VisualPrompting, Tensor>)] {
        [("pad_up", \.padUp), ("pad_down", \.padDown), ("pad_left", \.padLeft), ("pad_right", \.padRight)]
    }

    /// The options, with ``Options/promptSize`` resolved for the model.
    public let options: Options
    /// Top strip `[1, 3, q, S]`.
    public var padUp: Tensor
    /// Bottom strip `[1, 3, q, S]`.
    public var padDown: Tensor
    /// Left strip `[1, 3, S − 2q, q]`.
    public var padLeft: Tensor
    /// Right strip `[1, 3, S − 2q, q]`.
    public var padRight: Tensor
    public private(set) var classNames: [String]
    /// The frozen classifier `[classes, embeddingWidth]`, unit rows.
    public internal(set) var textFeatures: Tensor

    /// The official prompt size 30 at 224 pixels, scaled to `imageSize`: `round(30 · S / 224)`,
    /// at least 1.
    public static func defaultPromptSize(imageSize: Int) -> Int {
        max(1, Int((30 * Double(imageSize) / 224).rounded()))
    }

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        let size = clip.configuration.vision.imageSize
        let promptSize = options.promptSize ?? Self.defaultPromptSize(imageSize: size)
        guard promptSize >= 1 && 2 * promptSize < size else {
            throw MethodError.invalidOption(
                name: "promptSize", value: "\(promptSize)",
                requirement: "≥ 1 and less than half the model's image size \(size)")
        }
        guard options.template.contains("{}") else {
            throw MethodError.invalidOption(name: "template", value: options.template, requirement: "with a {} placeholder")
        }
        self.options = Options(promptSize: promptSize, template: options.template)
        let random = RandomGenerator(seed: seed)
        let (strip, side) = ([1, 3, promptSize, size], [1, 3, size - 2 * promptSize, promptSize])
        padUp = Tensor.normal(strip, seed: random.derived(1))
        padDown = Tensor.normal(strip, seed: random.derived(2))
        padLeft = Tensor.normal(side, seed: random.derived(3))
        padRight = Tensor.normal(side, seed: random.derived(4))
        self.classNames = []
        textFeatures = Tensor.zeros([0, clip.configuration.embeddingWidth])
        try setClassNames(classNames, clip: clip, tokenizer: tokenizer)
    }

    /// main_clip.py's `refine_classname`: lower-cased, `_` and `-` as spaces.
    public static func refinedClassName(_ name: String) -> String {
        name.lowercased().replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        textFeatures = try ZeroShot.classifier(
            for: classNames.map(Self.refinedClassName), templates: [options.template], clip: clip, tokenizer: tokenizer
        ).features
        self.classNames = classNames
    }

    /// The prompt `v` `[1, 3, S, S]`: the four strips around a zero centre.
    public var frame: Tensor {
        let inner = padLeft.shape[2]
        let middle = Tensor.concatenated([padLeft, Tensor.zeros([1, 3, inner, inner]), padRight], alongAxis: 3)
        return Tensor.concatenated([padUp, middle, padDown], alongAxis: 2)
    }

    /// The hook that adds the frame to every image entering the vision tower.
    public var prompter: PadPrompter { PadPrompter(frame: frame) }

    /// Image features `[batch, embeddingWidth]` of prompted `pixels` `[batch, 3, S, S]`.
    public func imageFeatures(_ pixels: Tensor, clip: CLIP) -> Tensor {
        clip.encodeImage(pixels, hooks: prompter)
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        guard case .pixels(let pixels) = images else {
            preconditionFailure("visual prompting reads pixels, not frozen features")
        }
        return ZeroShot.cosineLogits(imageFeatures(pixels, clip: clip), classifier: textFeatures, clip: clip)
    }
}

/// Visual Prompting's pixel hook: adds a prompt `[1, 3, S, S]` to images `[batch, 3, S, S]`
/// (broadcast over the batch, no clamping).
public struct PadPrompter: CLIPHooks {
    /// The prompt `[1, 3, S, S]`.
    public let frame: Tensor

    /// A hook adding `frame`.
    public init(frame: Tensor) { self.frame = frame }

    public func pixels(_ images: Tensor) -> Tensor { images + frame }
}

extension VisualPrompting {
    /// main_clip.py's recipe, as far as ``TrainingRecipe`` expresses it: SGD lr 40, momentum 0.9,
    /// no weight decay, batch 256 (evaluation too), 1000 epochs, CLIP's test transform for
    /// training (no augmentation), the cosine stepped after every batch over all steps.
    /// Gap: the official 1000-step linear warm-up `lr · (step + 1) / 1000` (with the cosine over
    /// the remaining steps) has no ``TrainingRecipe`` form, whose warm-up is constant and counted
    /// in epochs; this recipe has none.
    public static func officialRecipe(shots: Int, dataset: String) -> TrainingRecipe {
        TrainingRecipe(
            epochs: 1000, batchSize: 256, optimizer: .sgd(SGD.Options(momentum: 0.9, weightDecay: 0)),
            learningRate: 40, warmupEpochs: 0, augmentation: .none, evaluationBatchSize: 256,
            stepping: .perIteration)
    }
}
