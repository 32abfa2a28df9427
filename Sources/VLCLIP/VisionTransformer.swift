// CLIP's image tower (openai/CLIP model.py `VisionTransformer`): patchify with a strided
// convolution, prepend the class token, add positions, ln_pre, blocks, ln_post, project.

import VLKernels
import VLNN
import VLTensor

/// The ViT image encoder.
public struct VisionTransformer: ParameterGroup {
    public let configuration: CLIPConfiguration.Vision
    /// `[width, 3, patchSize, patchSize]`, OpenAI's `conv1` (no bias).
    public var patchWeight: Tensor
    /// `[width]`
    public var classEmbedding: Tensor
    /// `[tokens, width]` with `tokens = grid² + 1`.
    public var positionalEmbedding: Tensor
    public var layerNormPre: LayerNorm
    public var blocks: [ResidualAttentionBlock]
    public var layerNormPost: LayerNorm
    /// `[width, embeddingWidth]`, OpenAI's `proj` (applied as `x · proj`).
    public var projection: Tensor

    init<S: ParameterSource>(
        from source: inout S, prefix: String, configuration: CLIPConfiguration.Vision, embeddingWidth: Int
    ) throws {
        let c = configuration
        let scale = 1 / Float(c.width).squareRoot()
        let fanIn = Float(3 * c.patchSize * c.patchSize)
        self.configuration = c
        patchWeight = try source.tensor(
            named: parameterName(prefix, "conv1.weight"), shape: [c.width, 3, c.patchSize, c.patchSize],
            initialization: .uniform(bound: 1 / fanIn.squareRoot()))
        classEmbedding = try source.tensor(
            named: parameterName(prefix, "class_embedding"), shape: [c.width],
            initialization: .normal(standardDeviation: scale))
        positionalEmbedding = try source.tensor(
            named: parameterName(prefix, "positional_embedding"), shape: [c.tokens, c.width],
            initialization: .normal(standardDeviation: scale))
        layerNormPre = try LayerNorm(
            from: &source, prefix: parameterName(prefix, "ln_pre"), width: c.width, epsilon: c.layerNormEpsilon)
        blocks = try (0..<c.layers).map { index in
            try ResidualAttentionBlock(
                from: &source, prefix: parameterName(prefix, "transformer.resblocks.\(index)"), width: c.width,
                heads: c.heads, mlpWidth: c.mlpWidth, layers: c.layers, activation: c.activation,
                epsilon: c.layerNormEpsilon)
        }
        layerNormPost = try LayerNorm(
            from: &source, prefix: parameterName(prefix, "ln_post"), width: c.width, epsilon: c.layerNormEpsilon)
        projection = try source.tensor(
            named: parameterName(prefix, "proj"), shape: [c.width, embeddingWidth],
            initialization: .normal(standardDeviation: scale))
    }

    private init(copying other: VisionTransformer, _ parts: (Tensor, Tensor, Tensor, LayerNorm, [ResidualAttentionBlock], LayerNorm, Tensor)) {
        configuration = other.configuration
        (patchWeight, classEmbedding, positionalEmbedding, layerNormPre, blocks, layerNormPost, projection) = parts
    }

    /// Pixels `[images, 3, imageSize, imageSize]` to the last block's output
    /// `[images, tokens, width]` (tokens may exceed `grid² + 1` when hooks add prompts).
    public func encodeTokens(_ pixels: Tensor, hooks: any CLIPHooks) -> Tensor {
        var x = embed(pixels, hooks: hooks)
        for (layer, block) in blocks.enumerated() {
            x = block(hooks.vision(x, enteringLayer: layer), causal: false)
        }
        return x
    }

    /// Image features `[images, embeddingWidth]`: `ln_post` on the class token, then `proj`.
    ///
    /// Equal to slicing the class token out of ``encodeTokens(_:hooks:)``, but the last block
    /// computes attention, out-projection and MLP for the class tokens alone (their keys and
    /// values still come from every token): no other row of its output is read.
    public func callAsFunction(_ pixels: Tensor, hooks: any CLIPHooks = NoHooks()) -> Tensor {
        var x = embed(pixels, hooks: hooks)
        guard let last = blocks.indices.last else {
            return layerNormPost(classTokens(of: x)).matmul(projection)
        }
        for layer in 0..<last {
            x = blocks[layer](hooks.vision(x, enteringLayer: layer), causal: false)
        }
        let pooled = blocks[last].classTokens(of: hooks.vision(x, enteringLayer: last))
        return layerNormPost(pooled).matmul(projection)
    }

    /// Patch embedding, class token, positions, shallow prompt hooks and `ln_pre`:
    /// `[images, tokens, width]`, the first block's input.
    private func embed(_ pixels: Tensor, hooks: any CLIPHooks) -> Tensor {
        let images = pixels.shape[0]
        let width = configuration.width
        // 1. Patchify: [images, grid², width].
        let patches = hooks.pixels(pixels).patchEmbedding(weight: patchWeight, patchSize: configuration.patchSize)
        // 2. Class token first, then positions.
        let classToken = classEmbedding.reshaped([1, 1, width]).broadcasted(to: [images, 1, width])
        let embedded = Tensor.concatenated([classToken, patches], alongAxis: 1) + positionalEmbedding
        // 3. Shallow prompts, then ln_pre.
        return layerNormPre(hooks.visionEmbeddings(embedded))
    }

    /// Token 0 of each image: `[images, tokens, width]` → `[images, width]`.
    private func classTokens(of tokens: Tensor) -> Tensor {
        tokens.slice(alongAxis: 1, 0..<1).reshaped([tokens.shape[0], configuration.width])
    }

    /// Every output token through `ln_post` and `proj`: `[images, tokens, embeddingWidth]`.
    /// Index 0 is the global (class-token) feature; the rest are local features (PLOT++).
    public func projectedTokens(_ pixels: Tensor, hooks: any CLIPHooks = NoHooks()) -> Tensor {
        layerNormPost(encodeTokens(pixels, hooks: hooks)).matmul(projection)
    }

    public func mapParameters(
        prefix: String, _ transform: (String, Tensor) throws -> Tensor
    ) rethrows -> VisionTransformer {
        VisionTransformer(
            copying: self,
            (
                try transform(parameterName(prefix, "conv1.weight"), patchWeight),
                try transform(parameterName(prefix, "class_embedding"), classEmbedding),
                try transform(parameterName(prefix, "positional_embedding"), positionalEmbedding),
                try layerNormPre.mapParameters(prefix: parameterName(prefix, "ln_pre"), transform),
                try blocks.mapParameters(prefix: parameterName(prefix, "transformer"), transform),
                try layerNormPost.mapParameters(prefix: parameterName(prefix, "ln_post"), transform),
                try transform(parameterName(prefix, "proj"), projection)
            ))
    }
}

extension ResidualAttentionBlock {
    /// The block's output at token 0 of each sequence, `[images, width]`, for input `x`
    /// `[images, tokens, width]` without a mask: every token's key and value, the class token's
    /// query, out-projection and MLP (the packed-row form of the shared-prefix text path).
    func classTokens(of x: Tensor) -> Tensor {
        let (images, tokens, width) = (x.shape[0], x.shape[1], x.shape[2])
        let queries = (0..<images).map { image in
            AttentionRows(query: image * tokens, first: (image * tokens)..<((image + 1) * tokens))
        }
        return self(rows: x.reshaped([images * tokens, width]), queries: queries)
    }
}
