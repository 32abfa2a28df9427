// Optimizer parameter updates over flat Float buffers: SGD (momentum, dampening, Nesterov) and
// Adam/AdamW, in the operation order of torch.optim's single-tensor paths (torch 2.x sgd.py,
// adam.py), so results agree with PyTorch to Float32 rounding.

/// The scalars of one SGD step, each already rounded to `Float` where PyTorch rounds its Python
/// float before the tensor arithmetic.
public struct SGDStepScalars: Sendable {
    /// `lr`.
    public var learningRate: Float
    /// `μ`; 0 means no momentum buffer.
    public var momentum: Float
    /// `1 − dampening`, the weight of the new gradient in the momentum buffer.
    public var gradientWeight: Float
    /// `λ` of the L2 term added to the gradient.
    public var weightDecay: Float
    /// Whether the step looks ahead along the momentum (Sutskever et al. 2013 as PyTorch writes it).
    public var nesterov: Bool

    /// Collects the scalars of one step.
    public init(
        learningRate: Float, momentum: Float, gradientWeight: Float, weightDecay: Float,
        nesterov: Bool
    ) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.gradientWeight = gradientWeight
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }
}

/// The scalars of one Adam or AdamW step at step count `t`, rounded to `Float` where PyTorch
/// rounds them. Bias corrections are computed by the caller in `Double`, as Python does.
public struct AdamStepScalars: Sendable {
    /// `1 − lr·λ` for AdamW's decoupled decay; 1 when there is none.
    public var parameterScale: Float
    /// `λ` of Adam's L2 term added to the gradient; 0 for AdamW.
    public var gradientWeightDecay: Float
    /// `1 − β₁`, the interpolation weight of the first moment towards the gradient.
    public var firstMomentWeight: Float
    /// `β₂`.
    public var beta2: Float
    /// `1 − β₂`.
    public var secondMomentWeight: Float
    /// `√(1 − β₂ᵗ)`.
    public var secondMomentCorrectionRoot: Float
    /// `ε`, added after the square root of the corrected second moment.
    public var epsilon: Float
    /// `lr / (1 − β₁ᵗ)`.
    public var stepSize: Float

    /// Collects the scalars of one step.
    public init(
        parameterScale: Float, gradientWeightDecay: Float, firstMomentWeight: Float, beta2: Float,
        secondMomentWeight: Float, secondMomentCorrectionRoot: Float, epsilon: Float,
        stepSize: Float
    ) {
        self.parameterScale = parameterScale
        self.gradientWeightDecay = gradientWeightDecay
        self.firstMomentWeight = firstMomentWeight
        self.beta2 = beta2
        self.secondMomentWeight = secondMomentWeight
        self.secondMomentCorrectionRoot = secondMomentCorrectionRoot
        self.epsilon = epsilon
        self.stepSize = stepSize
    }
}

extension Kernels {
    /// One SGD step over `count` values, PyTorch `torch.optim.SGD` semantics:
    ///
    ///     d = g + λ·p
    ///     b = d                      (first step)      b = μ·b + (1 − τ)·d   (later steps)
    ///     d = d + μ·b  (Nesterov)    d = b             (otherwise)
    ///     p' = p − lr·d
    ///
    /// - Parameters:
    ///   - p: the parameter, `count` values; read only.
    ///   - g: its gradient, `count` values.
    ///   - buffer: the momentum buffer, updated in place; `nil` exactly when `momentum` is 0.
    ///   - isFirstStep: whether `buffer` is fresh; it is then overwritten with `d`, not decayed.
    ///   - out: receives `p'`, `count` values (may not alias `p`).
    public static func sgdStep(
        parameter p: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
        momentumBuffer buffer: UnsafeMutablePointer<Float>?, isFirstStep: Bool,
        into out: UnsafeMutablePointer<Float>, count: Int, _ s: SGDStepScalars
    ) {
        parallelChunks(count, minimumPerChunk: 16384) { start, end in
            for i in start..<end {
                // PyTorch skips the decay term when λ = 0, which matters only for non-finite p.
                var d = s.weightDecay != 0 ? g[i] + s.weightDecay * p[i] : g[i]
                if let buffer {
                    let b = isFirstStep ? d : buffer[i] * s.momentum + s.gradientWeight * d
                    buffer[i] = b
                    d = s.nesterov ? d + s.momentum * b : b
                }
                out[i] = p[i] - s.learningRate * d
            }
        }
    }

    /// One Adam/AdamW step over `count` values, PyTorch `torch.optim.Adam`/`AdamW` semantics:
    ///
    ///     p = (1 − lr·λ)·p                 (AdamW only)
    ///     g = g + λ·p                      (Adam only)
    ///     m = m + (1 − β₁)·(g − m)         (torch's lerp towards g)
    ///     v = β₂·v + (1 − β₂)·g·g
    ///     p' = p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
    ///
    /// - Parameters:
    ///   - p: the parameter, `count` values; read only.
    ///   - g: its gradient, `count` values.
    ///   - m: the first moment, updated in place (zeros before the first step).
    ///   - v: the second moment, updated in place (zeros before the first step).
    ///   - out: receives `p'`, `count` values (may not alias `p`).
    public static func adamStep(
        parameter p: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
        firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
        into out: UnsafeMutablePointer<Float>, count: Int, _ s: AdamStepScalars
    ) {
        let decoupled = s.parameterScale != 1, coupled = s.gradientWeightDecay != 0
        let w = s.firstMomentWeight
        // torch.lerp switches formula at weight ½ so the result stays exact at both ends.
        let smallWeight = abs(w) < 0.5
        parallelChunks(count, minimumPerChunk: 16384) { start, end in
            for i in start..<end {
                let x = decoupled ? p[i] * s.parameterScale : p[i]
                let d = coupled ? g[i] + s.gradientWeightDecay * x : g[i]
                let moment = smallWeight ? m[i] + w * (d - m[i]) : d - (d - m[i]) * (1 - w)
                m[i] = moment
                let square = v[i] * s.beta2 + s.secondMomentWeight * d * d
                v[i] = square
                let denominator = square.squareRoot() / s.secondMomentCorrectionRoot + s.epsilon
                out[i] = x + (-s.stepSize * moment) / denominator
            }
        }
    }
}
