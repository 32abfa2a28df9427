// Stochastic gradient descent with momentum, dampening, L2 weight decay and Nesterov momentum,
// exactly as torch.optim.SGD (the optimizer Dassl, CoOp, CoCoOp and MaPLe train with).

import VLKernels
import VLTensor

/// SGD with PyTorch's semantics: the decay `λ·p` is added to the gradient, the first step
/// stores the (decayed) gradient itself as the momentum buffer, and later steps decay it.
///
///     d = g + λ·p
///     b = d  (first step),   b = μ·b + (1 − dampening)·d  (later steps)
///     d = d + μ·b  (Nesterov),   d = b  (otherwise)
///     p ← p − lr·d
public struct SGD: Optimizer {
    /// Hyperparameters other than the learning rate; defaults are PyTorch's.
    public struct Options: Codable, Sendable, Equatable, ValidatableOptions {
        /// `μ`; 0 keeps no momentum buffer.
        public var momentum: Double
        /// How much of the new gradient the momentum buffer drops (`1 − dampening` is kept).
        public var dampening: Double
        /// `λ` of the L2 term added to the gradient (Dassl default 5e-4; it decays prompts too).
        public var weightDecay: Double
        /// Nesterov momentum; needs `momentum > 0` and `dampening == 0`, as PyTorch requires.
        public var nesterov: Bool

        /// Options with PyTorch's defaults unless given.
        public init(
            momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
            nesterov: Bool = false
        ) {
            self.momentum = momentum
            self.dampening = dampening
            self.weightDecay = weightDecay
            self.nesterov = nesterov
        }

        /// Dassl's defaults (`OPTIM` in defaults.py), used by CoOp, CoCoOp, MaPLe and PromptSRC:
        /// momentum 0.9, weight decay 5e-4, dampening 0, no Nesterov.
        public static let dassl = Options(momentum: 0.9, weightDecay: 5e-4)

        /// Throws unless every value is one PyTorch accepts.
        public func validate() throws(OptimizerConfigurationError) {
            try OptimizerConfigurationError.require(momentum >= 0, "momentum", momentum, "≥ 0")
            try OptimizerConfigurationError.require(dampening.isFinite, "dampening", dampening, "finite")
            try OptimizerConfigurationError.require(
                weightDecay >= 0, "weightDecay", weightDecay, "≥ 0")
            try OptimizerConfigurationError.require(
                !nesterov || (momentum > 0 && dampening == 0), "nesterov", nesterov,
                "only with momentum > 0 and dampening 0")
        }

        enum CodingKeys: String, CodingKey { case momentum, dampening, weightDecay, nesterov }

        /// Decodes the options, taking PyTorch's default for every absent key, and validates them.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                momentum: try container.decodeIfPresent(Double.self, forKey: .momentum)
                    ?? defaults.momentum,
                dampening: try container.decodeIfPresent(Double.self, forKey: .dampening)
                    ?? defaults.dampening,
                weightDecay: try container.decodeIfPresent(Double.self, forKey: .weightDecay)
                    ?? defaults.weightDecay,
                nesterov: try container.decodeIfPresent(Bool.self, forKey: .nesterov)
                    ?? defaults.nesterov)
            try validate(decodingWith: decoder)
        }
    }

    /// The hyperparameters.
    public let options: Options
    private var slots: SlotTable

    /// A fresh optimizer with no momentum buffers. `options` must be valid (``Options/validate()``).
    public init(_ options: Options = Options()) {
        do { try options.validate() } catch { preconditionFailure("SGD: \(error)") }
        self.options = options
        // Without momentum PyTorch keeps no buffer, so a saved buffer cannot be restored either.
        slots = SlotTable(
            bufferNames: options.momentum != 0 ? ["momentum_buffer"] : [], countsSteps: false)
    }

    public mutating func update(
        _ parameters: [String: Tensor], gradients: [String: Tensor], learningRate: Double
    ) -> [String: Tensor] {
        checkGradients(gradients, fit: parameters)
        precondition(learningRate >= 0, "learning rate \(learningRate) is negative")
        let scalars = SGDStepScalars(
            learningRate: Float(learningRate), momentum: Float(options.momentum),
            gradientWeight: Float(1 - options.dampening), weightDecay: Float(options.weightDecay),
            nesterov: options.nesterov)
        var updated = parameters
        for name in parameters.keys.sorted() {
            guard let gradient = gradients[name] else { continue }
            updated[name] = step(parameters[name]!, gradient, name: name, scalars)
        }
        return updated
    }

    private mutating func step(
        _ parameter: Tensor, _ gradient: Tensor, name: String, _ scalars: SGDStepScalars
    ) -> Tensor {
        guard options.momentum != 0 else {
            return Tensor.parameter(shape: parameter.shape, leaf: parameter.requiresGradient) {
                Kernels.sgdStep(
                    parameter: parameter.pointer, gradient: gradient.pointer, momentumBuffer: nil,
                    isFirstStep: true, into: $0, count: parameter.scalarCount, scalars)
            }
        }
        return slots.withSlots(of: name, shape: parameter.shape) { slots, isNew in
            Tensor.parameter(shape: parameter.shape, leaf: parameter.requiresGradient) {
                Kernels.sgdStep(
                    parameter: parameter.pointer, gradient: gradient.pointer,
                    momentumBuffer: slots.buffers[0].base, isFirstStep: isNew, into: $0,
                    count: parameter.scalarCount, scalars)
            }
        }
    }

    /// `"<parameter>.momentum_buffer"` for every parameter stepped with momentum.
    public var state: [String: Tensor] { slots.tensors }

    public mutating func restore(_ state: [String: Tensor], parameters: [String: Tensor]) throws {
        try slots.restore(state, parameters: parameters)
    }
}
