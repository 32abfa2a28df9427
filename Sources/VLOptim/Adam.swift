// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), exactly as torch.optim.Adam and
// torch.optim.AdamW: bias-corrected moments, ε added after the square root, and weight decay
// either added to the gradient (Adam, used by TCP) or applied to the weights (AdamW, used by TPT).

import Foundation
import VLKernels
import VLTensor

/// Hyperparameters of ``Adam`` and ``AdamW`` other than the learning rate.
public struct AdamOptions: Codable, Sendable, Equatable, ValidatableOptions {
    /// `β₁`, the decay of the first moment.
    public var beta1: Double
    /// `β₂`, the decay of the second moment.
    public var beta2: Double
    /// `ε`, added to `√v̂` (not inside the root). TCP raises it to 1e-3 because fp16 Adam with
    /// 1e-8 produced NaN.
    public var epsilon: Double
    /// `λ`: Adam adds `λ·p` to the gradient; AdamW multiplies `p` by `1 − lr·λ`.
    public var weightDecay: Double

    /// Options with PyTorch's Adam defaults unless given.
    public init(
        beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0
    ) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// PyTorch's AdamW defaults: as Adam's, with weight decay 0.01.
    public static let adamW = AdamOptions(weightDecay: 0.01)

    /// Throws unless every value is one PyTorch accepts.
    public func validate() throws(OptimizerConfigurationError) {
        try OptimizerConfigurationError.require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "in [0, 1)")
        try OptimizerConfigurationError.require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "in [0, 1)")
        try OptimizerConfigurationError.require(
            epsilon >= 0 && epsilon.isFinite, "epsilon", epsilon, "finite and ≥ 0")
        try OptimizerConfigurationError.require(
            weightDecay >= 0 && weightDecay.isFinite, "weightDecay", weightDecay, "finite and ≥ 0")
    }

    enum CodingKeys: String, CodingKey { case beta1, beta2, epsilon, weightDecay }

    /// Decodes the options, taking Adam's PyTorch default for every absent key, and validates them.
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, defaults: AdamOptions())
    }

    /// Decodes the options, taking `defaults` for every absent key, and validates them.
    init(from decoder: any Decoder, defaults: AdamOptions) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            beta1: try container.decodeIfPresent(Double.self, forKey: .beta1) ?? defaults.beta1,
            beta2: try container.decodeIfPresent(Double.self, forKey: .beta2) ?? defaults.beta2,
            epsilon: try container.decodeIfPresent(Double.self, forKey: .epsilon)
                ?? defaults.epsilon,
            weightDecay: try container.decodeIfPresent(Double.self, forKey: .weightDecay)
                ?? defaults.weightDecay)
        try validate(decodingWith: decoder)
    }
}

/// Adam with L2 regularization, PyTorch semantics (`torch.optim.Adam`, `amsgrad=False`):
///
///     g ← g + λ·p
///     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²       (both zero before step 1)
///     p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
///
/// with `t` counted per parameter (a parameter without a gradient does not advance).
public struct Adam: Optimizer {
    /// The hyperparameters.
    public var options: AdamOptions { core.options }
    private var core: AdamCore

    /// A fresh optimizer with zero moments. `options` must be valid (``AdamOptions/validate()``).
    public init(_ options: AdamOptions = AdamOptions()) {
        core = AdamCore(options, decoupled: false)
    }

    public mutating func update(
        _ parameters: [String: Tensor], gradients: [String: Tensor], learningRate: Double
    ) -> [String: Tensor] {
        checkGradients(gradients, fit: parameters)
        return core.update(parameters, gradients: gradients, learningRate: learningRate)
    }

    /// `"<parameter>.exp_avg"`, `".exp_avg_sq"` and the scalar `".step"` per stepped parameter.
    public var state: [String: Tensor] { core.slots.tensors }

    public mutating func restore(_ state: [String: Tensor], parameters: [String: Tensor]) throws {
        try core.slots.restore(state, parameters: parameters)
    }
}

/// Adam with decoupled weight decay, PyTorch semantics (`torch.optim.AdamW`, `amsgrad=False`):
/// first `p ← (1 − lr·λ)·p`, then the ``Adam`` step without the L2 term.
public struct AdamW: Optimizer {
    /// The hyperparameters.
    public var options: AdamOptions { core.options }
    private var core: AdamCore

    /// A fresh optimizer with zero moments. `options` must be valid (``AdamOptions/validate()``).
    public init(_ options: AdamOptions = .adamW) {
        core = AdamCore(options, decoupled: true)
    }

    public mutating func update(
        _ parameters: [String: Tensor], gradients: [String: Tensor], learningRate: Double
    ) -> [String: Tensor] {
        checkGradients(gradients, fit: parameters)
        return core.update(parameters, gradients: gradients, learningRate: learningRate)
    }

    /// `"<parameter>.exp_avg"`, `".exp_avg_sq"` and the scalar `".step"` per stepped parameter.
    public var state: [String: Tensor] { core.slots.tensors }

    public mutating func restore(_ state: [String: Tensor], parameters: [String: Tensor]) throws {
        try core.slots.restore(state, parameters: parameters)
    }
}

/// The update shared by Adam and AdamW; only where the weight decay goes differs.
struct AdamCore: Sendable {
    let options: AdamOptions
    let decoupled: Bool
    var slots = SlotTable(bufferNames: ["exp_avg", "exp_avg_sq"], countsSteps: true)

    init(_ options: AdamOptions, decoupled: Bool) {
        do { try options.validate() } catch {
            preconditionFailure("\(decoupled ? "AdamW" : "Adam"): \(error)")
        }
        self.options = options
        self.decoupled = decoupled
    }

    mutating func update(
        _ parameters: [String: Tensor], gradients: [String: Tensor], learningRate: Double
    ) -> [String: Tensor] {
        precondition(learningRate >= 0, "learning rate \(learningRate) is negative")
        var updated = parameters
        for name in parameters.keys.sorted() {
            guard let gradient = gradients[name] else { continue }
            updated[name] = step(parameters[name]!, gradient, name: name, learningRate)
        }
        return updated
    }

    private mutating func step(
        _ parameter: Tensor, _ gradient: Tensor, name: String, _ learningRate: Double
    ) -> Tensor {
        let options = options, decoupled = decoupled
        return slots.withSlots(of: name, shape: parameter.shape) { slots, _ in
            precondition(
                slots.step < SlotTable.maximumStep,
                "'\(name)' passed 2^24 steps, beyond what a Float32 step count holds exactly")
            slots.step += 1
            let scalars = AdamCore.scalars(
                options, decoupled: decoupled, step: slots.step, learningRate: learningRate)
            return Tensor.parameter(shape: parameter.shape, leaf: parameter.requiresGradient) {
                Kernels.adamStep(
                    parameter: parameter.pointer, gradient: gradient.pointer,
                    firstMoment: slots.buffers[0].base, secondMoment: slots.buffers[1].base,
                    into: $0, count: parameter.scalarCount, scalars)
            }
        }
    }

    /// The step's scalars, computed in `Double` as Python computes them and rounded to `Float`
    /// where PyTorch hands them to a tensor kernel.
    private static func scalars(
        _ options: AdamOptions, decoupled: Bool, step: Int, learningRate: Double
    ) -> AdamStepScalars {
        let t = Double(step), decay = options.weightDecay
        let firstCorrection = 1 - pow(options.beta1, t)
        let secondCorrection = 1 - pow(options.beta2, t)
        return AdamStepScalars(
            parameterScale: decoupled && decay != 0 ? Float(1 - learningRate * decay) : 1,
            gradientWeightDecay: decoupled ? 0 : Float(decay),
            firstMomentWeight: Float(1 - options.beta1),
            beta2: Float(options.beta2),
            secondMomentWeight: Float(1 - options.beta2),
            secondMomentCorrectionRoot: Float(pow(secondCorrection, 0.5)),  // Python: `** 0.5`
            epsilon: Float(options.epsilon),
            stepSize: Float(learningRate / firstCorrection))
    }
}
