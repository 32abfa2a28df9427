// CoCoOp — "Conditional Prompt Learning for Vision-Language Models" (Zhou, Yang, Loy, Liu;
// CVPR 2022, arXiv 2203.05557), following KaiyangZhou/CoOp trainers/cocoop.py: a Meta-Net maps
// each normalized image feature to a shift added to every context vector, so every image gets
// its own prompts (methods-text.md §5). Class name at the end, unified context.

import VLCLIP
import VLNN
import VLTensor
import VLText

/// Conditional Context Optimization: context vectors shifted per image by a small network.
public struct CoCoOp: AdaptationMethod {
    /// CoCoOp's options (`TRAINER.COCOOP`); defaults are the paper's `vit_b16_c4_ep10_batch1_ctxv1`.
    public struct Options: Codable, Sendable, Equatable {
        /// `M`, learned vectors per prompt (`N_CTX`); ignored with ``initialWords``.
        public var contextLength = 4
        /// Words whose embeddings initialize the context (`CTX_INIT`); `nil` draws N(0, 0.02²).
        public var initialWords: String? = "a photo of a"
        /// The Meta-Net's hidden width is the image feature width divided by this (16: 512 → 32).
        public var metaNetReduction = 16

        /// Options with the paper's defaults unless given.
        public init(contextLength: Int = 4, initialWords: String? = "a photo of a", metaNetReduction: Int = 16) {
            self.contextLength = contextLength
            self.initialWords = initialWords
            self.metaNetReduction = metaNetReduction
        }

        enum CodingKeys: String, CodingKey { case contextLength, initialWords, metaNetReduction }

        /// Decodes the options, taking the default for every absent key (an explicit `null`
        /// `initialWords` selects random initialization).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            let words: String? =
                container.contains(.initialWords)
                ? try container.decodeIfPresent(String.self, forKey: .initialWords) : defaults.initialWords
            self.init(
                contextLength: try container.decode(.contextLength, or: defaults.contextLength),
                initialWords: words,
                metaNetReduction: try container.decode(.metaNetReduction, or: defaults.metaNetReduction))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(contextLength, forKey: .contextLength)
            try container.encode(initialWords, forKey: .initialWords)
            try container.encode(metaNetReduction, forKey: .metaNetReduction)
        }
    }

    public static var kind: MethodKind { .cocoop }
    public var configuration: MethodConfiguration { .cocoop(options) }

    /// The official state-dict keys (`prompt_learner.ctx`, `prompt_learner.meta_net.*`).
    public static var trainable: [(name: String, path: WritableKeyPath<CoCoOp, Tensor>)] {
        [
            ("ctx", \.context),
            ("meta_net.linear1.weight", \.metaNet1.weight),
            ("meta_net.linear1.bias", \.metaNet1.bias!),
            ("meta_net.linear2.weight", \.metaNet2.weight),
            ("meta_net.linear2.bias", \.metaNet2.bias!),
        ]
    }

    public private(set) var options: Options
    /// `[contextLength, width]`.
    public var context: Tensor
    /// Meta-Net layer 1: `embeddingWidth → embeddingWidth / reduction`, then ReLU.
    public var metaNet1: Linear
    /// Meta-Net layer 2: `embeddingWidth / reduction → text width`.
    public var metaNet2: Linear
    /// The frozen prompt parts for the current class names.
    public var prompts: PromptSkeleton

    public var classNames: [String] { prompts.classNames }

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        let width = clip.configuration.text.width
        let features = clip.configuration.embeddingWidth
        guard options.metaNetReduction > 0 && features / options.metaNetReduction > 0 else {
            throw MethodError.invalidOption(
                name: "metaNetReduction", value: "\(options.metaNetReduction)",
                requirement: "between 1 and the feature width \(features)")
        }
        var resolved = options
        if let words = options.initialWords {
            resolved.initialWords = words.replacingOccurrences(of: "_", with: " ")
            context = PromptSkeleton.wordEmbeddings(resolved.initialWords!, tokenizer: tokenizer, clip: clip)
            resolved.contextLength = context.shape[0]
        } else {
            guard options.contextLength > 0 else {
                throw MethodError.invalidOption(
                    name: "contextLength", value: "\(options.contextLength)", requirement: "at least 1")
            }
            context = Tensor.normal([options.contextLength, width], standardDeviation: 0.02, seed: seed)
        }
        guard resolved.contextLength > 0 else {
            throw MethodError.invalidOption(name: "initialWords", value: "''", requirement: "at least one token")
        }
        let hidden = features / options.metaNetReduction
        metaNet1 = CoCoOp.linear(input: features, output: hidden, seed: seed &+ 1)
        metaNet2 = CoCoOp.linear(input: hidden, output: width, seed: seed &+ 2)
        self.options = resolved
        prompts = try PromptSkeleton(
            classNames: classNames, initialWords: resolved.initialWords, contextLength: resolved.contextLength,
            tokenizer: tokenizer, clip: clip)
    }

    /// `nn.Linear`'s default initialization: weight and bias uniform in ±1/√input.
    static func linear(input: Int, output: Int, seed: UInt64) -> Linear {
        let bound = 1 / Float(input).squareRoot()
        return Linear(
            weight: Tensor.uniform([output, input], in: -bound...bound, seed: seed),
            bias: Tensor.uniform([output], in: -bound...bound, seed: seed &+ 0x5EED))
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        let path = prompts.path
        prompts = try PromptSkeleton(
            classNames: classNames, initialWords: options.initialWords, contextLength: options.contextLength,
            tokenizer: tokenizer, clip: clip)
        prompts.path = path
    }


    /// The context shifted per image, `[batch, contextLength, width]`: `ctx + h(z)` for each
    /// L2-normalized image feature `z` (`[batch, embeddingWidth]`).
    public func shiftedContext(normalizedImageFeatures z: Tensor) -> Tensor {
        let shift = metaNet2(metaNet1(z).relu())
        let batch = z.shape[0]
        let width = context.shape[1]
        return context.reshaped([1, options.contextLength, width]) + shift.reshaped([batch, 1, width])
    }

    /// Prompts encoded at once are capped near this many (images × classes), so evaluation
    /// batches over many classes stay within memory; chunks change no value.
    static let sequencesPerChunk = 4096

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        logits(images, clip: clip, sequencesPerChunk: Self.sequencesPerChunk)
    }

    /// Logits computed for chunks of about `sequencesPerChunk / classes` images at a time.
    func logits(_ images: ImageBatch, clip: CLIP, sequencesPerChunk: Int) -> Tensor {
        let z = images.features(using: clip).normalized(alongAxis: -1)
        let chunk = Swift.max(1, sequencesPerChunk / prompts.classCount)
        guard z.shape[0] > chunk else { return logits(normalizedFeatures: z, clip: clip) }
        let pieces = stride(from: 0, to: z.shape[0], by: chunk).map { start in
            logits(normalizedFeatures: z.slice(alongAxis: 0, start..<Swift.min(start + chunk, z.shape[0])), clip: clip)
        }
        return Tensor.concatenated(pieces, alongAxis: 0)
    }

    /// Logits `[batch, classes]` for L2-normalized image features `[batch, embeddingWidth]`.
    func logits(normalizedFeatures z: Tensor, clip: CLIP) -> Tensor {
        let batch = z.shape[0]
        let classes = prompts.classCount
        // One prompt group per image: each image's shifted context is shared by all classes.
        let text = prompts.textFeatures(PromptContext(shared: shiftedContext(normalizedImageFeatures: z)), clip: clip)
        let classifier = text.normalized(alongAxis: -1).reshaped([batch, classes, -1])
        let scores = (classifier * z.reshaped([batch, 1, -1])).sum(alongAxis: -1)
        return scores * clip.logitScale.exp()
    }
}
