// CLIP's text tower (openai/CLIP model.py `encode_text`): token and positional embeddings,
// causal blocks, ln_final, the end-of-text token's row, then the text projection.

import VLNN
import VLTensor

/// The causal text encoder.
public struct TextTransformer: ParameterGroup {
    public let configuration: CLIPConfiguration.Text
    /// `[vocabularySize, width]`
    public var tokenEmbedding: Tensor
    /// `[contextLength, width]`
    public var positionalEmbedding: Tensor
    public var blocks: [ResidualAttentionBlock]
    public var layerNormFinal: LayerNorm
    /// `[width, embeddingWidth]`, applied as `x · text_projection`.
    public var projection: Tensor

    init<S: ParameterSource>(
        from source: inout S, configuration: CLIPConfiguration.Text, embeddingWidth: Int
    ) throws {
        let c = configuration
        self.configuration = c
        tokenEmbedding = try source.tensor(
            named: "token_embedding.weight", shape: [c.vocabularySize, c.width],
            initialization: .normal(standardDeviation: 0.02))
        positionalEmbedding = try source.tensor(
            named: "positional_embedding", shape: [c.contextLength, c.width],
            initialization: .normal(standardDeviation: 0.01))
        blocks = try (0..<c.layers).map { index in
            try ResidualAttentionBlock(
                from: &source, prefix: "transformer.resblocks.\(index)", width: c.width, heads: c.heads,
                mlpWidth: c.mlpWidth, layers: c.layers, activation: c.activation, epsilon: c.layerNormEpsilon)
        }
        layerNormFinal = try LayerNorm(from: &source, prefix: "ln_final", width: c.width, epsilon: c.layerNormEpsilon)
        projection = try source.tensor(
            named: "text_projection", shape: [c.width, embeddingWidth],
            initialization: .normal(standardDeviation: 1 / Float(c.width).squareRoot()))
    }

    private init(copying other: TextTransformer, _ parts: (Tensor, Tensor, [ResidualAttentionBlock], LayerNorm, Tensor)) {
        configuration = other.configuration
        (tokenEmbedding, positionalEmbedding, blocks, layerNormFinal, projection) = parts
    }

    /// Token embeddings (before positions) of `ids`: `[sequences, tokens, width]`.
    public func embed(_ ids: [[Int]]) -> Tensor {
        let tokens = ids.first?.count ?? 0
        precondition(ids.allSatisfy { $0.count == tokens }, "token sequences differ in length")
        let rows = tokenEmbedding.gatherRows(ids.flatMap { $0 })
        return rows.reshaped([ids.count, tokens, configuration.width])
    }

    /// The position each sequence is pooled at, following the configured rule.
    public func endOfTextPositions(_ ids: [[Int]]) -> [Int] {
        ids.map { sequence in
            switch configuration.pooling {
            case .argmaxTokenID:
                // The first maximal position, as torch.argmax returns it.
                sequence.indices.max { sequence[$0] < sequence[$1] || (sequence[$0] == sequence[$1] && $0 > $1) } ?? 0
            case .firstTokenID(let id):
                sequence.firstIndex(of: id) ?? sequence.count - 1
            }
        }
    }

    /// The last block's output `[sequences, tokens, width]` for token embeddings
    /// `[sequences, tokens, width]` (`tokens ≤ contextLength`; positions are added here).
    public func encodeTokens(embeddings: Tensor, hooks: any CLIPHooks) -> Tensor {
        let tokens = embeddings.shape[1]
        precondition(tokens <= configuration.contextLength, "\(tokens) tokens exceed the context length")
        let positions =
            tokens == configuration.contextLength
            ? positionalEmbedding : positionalEmbedding.slice(alongAxis: 0, 0..<tokens)
        var x = embeddings + positions
        for (layer, block) in blocks.enumerated() {
            let entering = hooks.text(x, enteringLayer: layer)
            precondition(entering.shape == x.shape, "a text hook changed the token shape")
            x = block(entering, causal: true)
        }
        return x
    }

    /// Text features `[sequences, embeddingWidth]` from token embeddings
    /// `[sequences, tokens, width]`, pooled at `endOfText[s]` for sequence `s`.
    ///
    /// Because the mask is causal, tokens after a sequence's end-of-text never affect its
    /// feature, so callers may pass sequences cut just after their last end-of-text token.
    public func callAsFunction(embeddings: Tensor, endOfText: [Int], hooks: any CLIPHooks = NoHooks()) -> Tensor {
        let (sequences, tokens) = (embeddings.shape[0], embeddings.shape[1])
        precondition(endOfText.count == sequences, "one end-of-text position per sequence")
        let x = encodeTokens(embeddings: embeddings, hooks: hooks)
        let rows = endOfText.enumerated().map { sequence, position in
            precondition(position >= 0 && position < tokens, "end-of-text position \(position) out of range")
            return sequence * tokens + position
        }
        // ln_final acts on each token alone, so normalizing only the pooled rows is exact.
        let pooled = x.reshaped([sequences * tokens, configuration.width]).gatherRows(rows)
        return layerNormFinal(pooled).matmul(projection)
    }

    /// Text features `[sequences, embeddingWidth]` of token ids (each `contextLength` long).
    public func callAsFunction(_ ids: [[Int]], hooks: any CLIPHooks = NoHooks()) -> Tensor {
        self(embeddings: embed(ids), endOfText: endOfTextPositions(ids), hooks: hooks)
    }

    public func mapParameters(
        prefix: String, _ transform: (String, Tensor) throws -> Tensor
    ) rethrows -> TextTransformer {
        TextTransformer(
            copying: self,
            (
                try transform(parameterName(prefix, "token_embedding.weight"), tokenEmbedding),
                try transform(parameterName(prefix, "positional_embedding"), positionalEmbedding),
                try blocks.mapParameters(prefix: parameterName(prefix, "transformer"), transform),
                try layerNormFinal.mapParameters(prefix: parameterName(prefix, "ln_final"), transform),
                try transform(parameterName(prefix, "text_projection"), projection)
            ))
    }
}
