// A CLIP model (Radford et al., "Learning Transferable Visual Models From Natural Language
// Supervision", ICML 2021): two towers and a learned temperature, with OpenAI's parameter names.

import VLNN
import VLTensor

/// A CLIP model: image tower, text tower and logit scale. A value: copies share weights.
public struct CLIP: ParameterGroup {
    public let configuration: CLIPConfiguration
    public var vision: VisionTransformer
    public var text: TextTransformer
    /// Scalar `[]`; logits are multiplied by `exp(logitScale)` (100 for released weights).
    public var logitScale: Tensor

    /// Builds a model whose parameters come from `source`, named with OpenAI's state-dict keys.
    public init<S: ParameterSource>(configuration: CLIPConfiguration, parameters source: inout S) throws {
        self.configuration = configuration
        vision = try VisionTransformer(
            from: &source, prefix: "visual", configuration: configuration.vision,
            embeddingWidth: configuration.embeddingWidth)
        text = try TextTransformer(
            from: &source, configuration: configuration.text, embeddingWidth: configuration.embeddingWidth)
        // ln(1 / 0.07), CLIP's initial temperature.
        logitScale = try source.tensor(named: "logit_scale", shape: [], initialization: .constant(2.659_260_1))
    }

    /// A freshly initialized model (OpenAI's initialization scheme), reproducible from `seed`.
    public init(configuration: CLIPConfiguration, seed: UInt64) {
        var source = InitializedParameters(seed: seed)
        // Initialization never throws: every shape comes from the configuration itself.
        try! self.init(configuration: configuration, parameters: &source)
    }

    /// Builds a model from named tensors, using every tensor exactly once.
    public init(configuration: CLIPConfiguration, tensors: [String: Tensor], origin: String) throws {
        var source = LoadedParameters(tensors, origin: origin)
        try self.init(configuration: configuration, parameters: &source)
        try source.finish()
    }

    private init(configuration: CLIPConfiguration, vision: VisionTransformer, text: TextTransformer, logitScale: Tensor) {
        self.configuration = configuration
        self.vision = vision
        self.text = text
        self.logitScale = logitScale
    }

    /// Image features `[images, embeddingWidth]` (projected, not normalized) of preprocessed
    /// pixels `[images, 3, imageSize, imageSize]`.
    public func encodeImage(_ pixels: Tensor, hooks: any CLIPHooks = NoHooks()) -> Tensor {
        vision(pixels, hooks: hooks)
    }

    /// Text features `[sequences, embeddingWidth]` (projected, not normalized) of token ids.
    public func encodeText(_ ids: [[Int]], hooks: any CLIPHooks = NoHooks()) -> Tensor {
        text(ids, hooks: hooks)
    }

    /// Text features from token embeddings `[sequences, tokens, width]` pooled at `endOfText`:
    /// the entry point for learned context vectors (CoOp and its family).
    public func encodeText(embeddings: Tensor, endOfText: [Int], hooks: any CLIPHooks = NoHooks()) -> Tensor {
        text(embeddings: embeddings, endOfText: endOfText, hooks: hooks)
    }

    /// `exp(logitScale) · normalize(image) · normalize(text)ᵀ`: `[images, sequences]`.
    public func logits(imageFeatures: Tensor, textFeatures: Tensor) -> Tensor {
        let image = imageFeatures.normalized(alongAxis: -1)
        let text = textFeatures.normalized(alongAxis: -1)
        return image.matmul(text, transposeOther: true) * logitScale.exp()
    }

    public func mapParameters(prefix: String, _ transform: (String, Tensor) throws -> Tensor) rethrows -> CLIP {
        CLIP(
            configuration: configuration,
            vision: try vision.mapParameters(prefix: parameterName(prefix, "visual"), transform),
            text: try text.mapParameters(prefix: prefix, transform),
            logitScale: try transform(parameterName(prefix, "logit_scale"), logitScale))
    }
}
