// One pre-LayerNorm transformer block as OpenAI's CLIP builds it (model.py
// `ResidualAttentionBlock`): x + attn(ln_1(x)), then x + mlp(ln_2(x)).

import VLNN
import VLTensor

/// Multi-head self-attention with PyTorch `nn.MultiheadAttention`'s fused in-projection.
public struct SelfAttention: ParameterGroup {
    /// `[3·width, width]`: query, key and value projections stacked in that order.
    public var inProjectionWeight: Tensor
    /// `[3·width]`
    public var inProjectionBias: Tensor
    public var outProjection: Linear
    public let heads: Int

    init(inProjectionWeight: Tensor, inProjectionBias: Tensor, outProjection: Linear, heads: Int) {
        self.inProjectionWeight = inProjectionWeight
        self.inProjectionBias = inProjectionBias
        self.outProjection = outProjection
        self.heads = heads
    }

    init<S: ParameterSource>(from source: inout S, prefix: String, width: Int, heads: Int, layers: Int) throws {
        let attentionStd = 1 / Float(width).squareRoot()
        inProjectionWeight = try source.tensor(
            named: parameterName(prefix, "in_proj_weight"), shape: [3 * width, width],
            initialization: .normal(standardDeviation: attentionStd))
        inProjectionBias = try source.tensor(
            named: parameterName(prefix, "in_proj_bias"), shape: [3 * width], initialization: .constant(0))
        outProjection = try Linear(
            from: &source, prefix: parameterName(prefix, "out_proj"), inputWidth: width, outputWidth: width,
            weightInitialization: .normal(standardDeviation: attentionStd / Float(2 * layers).squareRoot()))
        self.heads = heads
    }

    /// Attends over `x` shaped `[batch, tokens, width]`; with `causal`, token i sees tokens ≤ i.
    public func callAsFunction(_ x: Tensor, causal: Bool) -> Tensor {
        // One GEMM for query, key and value onto their bias: [batch, tokens, 3·width], read in
        // place by the kernel.
        let projected = x.linear(inProjectionWeight, bias: inProjectionBias)
        return outProjection(Tensor.attention(packed: projected, heads: heads, causal: causal))
    }

    public func mapParameters(prefix: String, _ transform: (String, Tensor) throws -> Tensor) rethrows -> SelfAttention {
        SelfAttention(
            inProjectionWeight: try transform(parameterName(prefix, "in_proj_weight"), inProjectionWeight),
            inProjectionBias: try transform(parameterName(prefix, "in_proj_bias"), inProjectionBias),
            outProjection: try outProjection.mapParameters(prefix: parameterName(prefix, "out_proj"), transform),
            heads: heads)
    }
}

/// `x + attn(ln_1(x))`, then `x + c_proj(act(c_fc(ln_2(x))))`.
public struct ResidualAttentionBlock: ParameterGroup {
    public var layerNorm1: LayerNorm
    public var attention: SelfAttention
    public var layerNorm2: LayerNorm
    public var mlpIn: Linear
    public var mlpOut: Linear
    public let activation: Activation

    init(
        layerNorm1: LayerNorm, attention: SelfAttention, layerNorm2: LayerNorm, mlpIn: Linear, mlpOut: Linear,
        activation: Activation
    ) {
        self.layerNorm1 = layerNorm1
        self.attention = attention
        self.layerNorm2 = layerNorm2
        self.mlpIn = mlpIn
        self.mlpOut = mlpOut
        self.activation = activation
    }

    /// Reads block parameters under `prefix` with OpenAI names (`ln_1`, `attn`, `ln_2`,
    /// `mlp.c_fc`, `mlp.c_proj`); initialization follows OpenAI's `initialize_parameters`.
    init<S: ParameterSource>(
        from source: inout S, prefix: String, width: Int, heads: Int, mlpWidth: Int, layers: Int,
        activation: Activation, epsilon: Float
    ) throws {
        layerNorm1 = try LayerNorm(from: &source, prefix: parameterName(prefix, "ln_1"), width: width, epsilon: epsilon)
        attention = try SelfAttention(
            from: &source, prefix: parameterName(prefix, "attn"), width: width, heads: heads, layers: layers)
        layerNorm2 = try LayerNorm(from: &source, prefix: parameterName(prefix, "ln_2"), width: width, epsilon: epsilon)
        mlpIn = try Linear(
            from: &source, prefix: parameterName(prefix, "mlp.c_fc"), inputWidth: width, outputWidth: mlpWidth,
            weightInitialization: .normal(standardDeviation: 1 / Float(2 * width).squareRoot()))
        mlpOut = try Linear(
            from: &source, prefix: parameterName(prefix, "mlp.c_proj"), inputWidth: mlpWidth, outputWidth: width,
            weightInitialization: .normal(
                standardDeviation: 1 / Float(width).squareRoot() / Float(2 * layers).squareRoot()))
        self.activation = activation
    }

    /// `x` shaped `[batch, tokens, width]`; same shape out.
    public func callAsFunction(_ x: Tensor, causal: Bool) -> Tensor {
        let attended = x + attention(layerNorm1(x), causal: causal)
        return attended + mlpOut(activation(mlpIn(layerNorm2(attended))))
    }

    public func mapParameters(
        prefix: String, _ transform: (String, Tensor) throws -> Tensor
    ) rethrows -> ResidualAttentionBlock {
        ResidualAttentionBlock(
            layerNorm1: try layerNorm1.mapParameters(prefix: parameterName(prefix, "ln_1"), transform),
            attention: try attention.mapParameters(prefix: parameterName(prefix, "attn"), transform),
            layerNorm2: try layerNorm2.mapParameters(prefix: parameterName(prefix, "ln_2"), transform),
            mlpIn: try mlpIn.mapParameters(prefix: parameterName(prefix, "mlp.c_fc"), transform),
            mlpOut: try mlpOut.mapParameters(prefix: parameterName(prefix, "mlp.c_proj"), transform),
            activation: activation)
    }
}

extension Array where Element == ResidualAttentionBlock {
    /// Maps the parameters of `resblocks.0`, `resblocks.1`, … under `prefix`.
    func mapParameters(
        prefix: String, _ transform: (String, Tensor) throws -> Tensor
    ) rethrows -> [ResidualAttentionBlock] {
        try enumerated().map { index, block in
            try block.mapParameters(prefix: parameterName(prefix, "resblocks.\(index)"), transform)
        }
    }
}
