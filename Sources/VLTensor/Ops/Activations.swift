// Activation functions: tanh, sigmoid, ReLU, GELU (exact erf form, PyTorch's default) and
// quickGELU (x·σ(1.702x), which OpenAI's CLIP was trained with).

import VLKernels

extension Tensor {
    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor { applying(.tanh) }

    /// Logistic sigmoid `1 / (1 + e⁻ˣ)` elementwise.
    public func sigmoid() -> Tensor { applying(.sigmoid) }

    /// `max(x, 0)` elementwise; the gradient at 0 is 0, as in PyTorch.
    public func relu() -> Tensor { applying(.relu) }

    /// `x · Φ(x)` with the standard normal CDF `Φ(x) = ½(1 + erf(x/√2))`: `torch.nn.GELU()`
    /// with its default `approximate="none"`.
    public func gelu() -> Tensor { applying(.gelu) }

    /// `x · σ(1.702 x)`, the GELU approximation OpenAI's CLIP uses (`QuickGELU`).
    public func quickGELU() -> Tensor { applying(.quickGELU) }
}
