// A fully connected layer with PyTorch's weight layout (`[out, in]`).

import VLTensor

/// `y = x · Wᵀ + b`.
public struct Linear: ParameterGroup {
    /// `[outputWidth, inputWidth]`, as `torch.nn.Linear` stores it.
    public var weight: Tensor
    /// `[outputWidth]`, or nil for a layer without bias.
    public var bias: Tensor?

    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
    }

    /// Reads `prefix.weight` (and `prefix.bias` when `hasBias`) from `source`.
    public init<S: ParameterSource>(
        from source: inout S, prefix: String, inputWidth: Int, outputWidth: Int, hasBias: Bool = true,
        weightInitialization: Initialization
    ) throws {
        weight = try source.tensor(
            named: parameterName(prefix, "weight"), shape: [outputWidth, inputWidth],
            initialization: weightInitialization)
        bias =
            hasBias
            ? try source.tensor(named: parameterName(prefix, "bias"), shape: [outputWidth], initialization: .constant(0))
            : nil
    }

    /// Applies the layer to `x` shaped `[…, inputWidth]`, giving `[…, outputWidth]`: one GEMM
    /// accumulated onto the bias (`Tensor.linear`), no separate bias pass.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.linear(weight, bias: bias)
    }

    public func mapParameters(prefix: String, _ transform: (String, Tensor) throws -> Tensor) rethrows -> Linear {
        Linear(
            weight: try transform(parameterName(prefix, "weight"), weight),
            bias: try bias.map { try transform(parameterName(prefix, "bias"), $0) })
    }
}
