// Layer normalization over the last axis with learned scale and shift (torch.nn.LayerNorm).

import VLTensor

/// Normalizes each vector along the last axis to zero mean and unit variance, then applies
/// `weight` and `bias`.
public struct LayerNorm: ParameterGroup {
    /// `[width]`
    public var weight: Tensor
    /// `[width]`
    public var bias: Tensor
    /// Added to the variance; CLIP uses PyTorch's default 1e-5.
    public var epsilon: Float

    public init(weight: Tensor, bias: Tensor, epsilon: Float = 1e-5) {
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// Reads `prefix.weight` and `prefix.bias`.
    public init<S: ParameterSource>(from source: inout S, prefix: String, width: Int, epsilon: Float = 1e-5) throws {
        weight = try source.tensor(named: parameterName(prefix, "weight"), shape: [width], initialization: .constant(1))
        bias = try source.tensor(named: parameterName(prefix, "bias"), shape: [width], initialization: .constant(0))
        self.epsilon = epsilon
    }

    /// `x` shaped `[…, width]`; same shape out.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight, bias: bias, epsilon: epsilon)
    }

    public func mapParameters(prefix: String, _ transform: (String, Tensor) throws -> Tensor) rethrows -> LayerNorm {
        LayerNorm(
            weight: try transform(parameterName(prefix, "weight"), weight),
            bias: try transform(parameterName(prefix, "bias"), bias), epsilon: epsilon)
    }
}

/// The nonlinearity between a transformer MLP's two layers.
public enum Activation: String, Codable, Sendable, CaseIterable {
    /// `x · σ(1.702 x)`, which OpenAI's CLIP weights were trained with.
    case quickGELU = "quick_gelu"
    /// The exact erf GELU (`torch.nn.GELU()`), used by many open_clip models.
    case gelu

    /// Applies the activation elementwise.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .quickGELU: x.quickGELU()
        case .gelu: x.gelu()
        }
    }
}
