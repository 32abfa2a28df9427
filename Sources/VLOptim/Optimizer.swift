// The optimizer protocol: named parameters in, updated parameters out, with the optimizer's
// memory exportable as named tensors for exact resumption (PyTorch's optimizer state_dict).

import VLTensor

/// A first-order optimizer over named parameters, following `torch.optim` semantics.
///
/// Optimizers are values: copying one copies its memory (momentum buffers, moments, step
/// counts), so a test-time tuner can keep a fresh copy and reset by assignment. Parameters are
/// processed independently, in sorted name order, so results never depend on dictionary order.
public protocol Optimizer: Sendable {
    /// Takes one step and returns the updated parameters.
    ///
    /// A parameter without an entry in `gradients` is returned unchanged and its memory is left
    /// alone, as PyTorch skips parameters whose `.grad` is `None`. A returned parameter requires
    /// a gradient exactly when the one passed in did (it is a fresh leaf of the gradient graph).
    ///
    /// - Parameters:
    ///   - parameters: the current values, by name.
    ///   - gradients: gradients of the loss, shaped like their parameters; every name must be a
    ///     key of `parameters`.
    ///   - learningRate: `lr` for this step, usually from a ``LearningRateSchedule``. `Double`,
    ///     like PyTorch's Python float, so schedules and bias corrections keep full precision
    ///     until the kernels round them to `Float`.
    mutating func update(
        _ parameters: [String: Tensor], gradients: [String: Tensor], learningRate: Double
    ) -> [String: Tensor]

    /// The optimizer's memory as named tensors: `"<parameter>.<slot>"`, with PyTorch's slot names
    /// (`momentum_buffer`; `exp_avg`, `exp_avg_sq`, and the scalar `step`). The tensors are
    /// copies, unaffected by later updates.
    var state: [String: Tensor] { get }

    /// Replaces the optimizer's memory with `state`, as exported by ``state``, after checking
    /// every key and shape against `parameters`. Resuming this way and continuing gives results
    /// bit-identical to never having stopped.
    ///
    /// - Throws: ``OptimizerStateError`` naming the offending key; the memory is then unchanged.
    mutating func restore(_ state: [String: Tensor], parameters: [String: Tensor]) throws
}

/// A saved optimizer state that does not fit the optimizer or its parameters.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    /// The key is not `"<parameter>.<slot>"` with a slot this optimizer keeps.
    case unknownSlot(key: String, expected: [String])
    /// The key names a parameter that is not being optimized.
    case unknownParameter(key: String)
    /// The tensor's shape differs from its parameter's.
    case shapeMismatch(key: String, expected: [Int], found: [Int])
    /// A `step` entry that is not a scalar holding a whole number from 1 to 2²⁴.
    case invalidStep(key: String, value: String)
    /// A parameter has some of its slots but not all.
    case missingSlot(key: String)

    public var description: String {
        switch self {
        case .unknownSlot(let key, let expected):
            "optimizer state key '\(key)' is not '<parameter>.<slot>' with a slot in "
                + expected.joined(separator: ", ")
        case .unknownParameter(let key):
            "optimizer state key '\(key)' names no parameter being optimized"
        case .shapeMismatch(let key, let expected, let found):
            "optimizer state '\(key)' has shape \(found), its parameter has \(expected)"
        case .invalidStep(let key, let value):
            "optimizer state '\(key)' must be a scalar step count from 1 to 2^24, found \(value)"
        case .missingSlot(let key):
            "optimizer state lacks '\(key)'"
        }
    }
}

extension Optimizer {
    /// Checks that `gradients` fit `parameters` before a step: a gradient for an unknown
    /// parameter, or of another shape, is a programming error in the training loop.
    func checkGradients(_ gradients: [String: Tensor], fit parameters: [String: Tensor]) {
        for (name, gradient) in gradients {
            guard let parameter = parameters[name] else {
                preconditionFailure("gradient for '\(name)', which is not a parameter")
            }
            precondition(
                gradient.shape == parameter.shape,
                "gradient of '\(name)' has shape \(gradient.shape), the parameter \(parameter.shape)")
        }
    }
}

extension Tensor {
    /// A tensor of `shape` written by `fill`, marked as a gradient leaf when `leaf` is true.
    static func parameter(
        shape: [Int], leaf: Bool, _ fill: (UnsafeMutablePointer<Float>) -> Void
    ) -> Tensor {
        let value = Tensor.computed(shape: shape) { fill($0.baseAddress!) }
        return leaf ? value.requiringGradient() : value
    }
}
