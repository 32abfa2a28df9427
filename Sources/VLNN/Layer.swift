// The parameter protocol every layer and model follows: one traversal, written once per
// struct, serves loading, listing, marking for gradients and casting.

import VLTensor

/// A value holding named parameter tensors (a layer, a block, a whole model).
///
/// Names follow the checkpoint convention of the model (for CLIP: OpenAI's `state_dict` keys),
/// so loading weights is a dictionary lookup and every key is used exactly once.
public protocol ParameterGroup: Sendable {
    /// A copy with every parameter replaced by `transform(fullName, parameter)`, visiting
    /// parameters in a fixed order. `prefix` is prepended to names (with a dot when not empty).
    func mapParameters(
        prefix: String, _ transform: (String, Tensor) throws -> Tensor
    ) rethrows -> Self
}

extension ParameterGroup {
    /// Every parameter with its full name, in traversal order.
    public func namedParameters(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var found: [(String, Tensor)] = []
        _ = mapParameters(prefix: prefix) { name, tensor in
            found.append((name, tensor))
            return tensor
        }
        return found
    }

    /// Number of scalar parameters.
    public var parameterCount: Int {
        namedParameters().reduce(0) { $0 + $1.tensor.scalarCount }
    }

    /// A copy whose parameters are all gradient leaves (for full-model gradient tests).
    public func requiringGradients() -> Self {
        mapParameters(prefix: "") { _, tensor in tensor.requiringGradient() }
    }
}

/// Joins a prefix and a name with a dot, as PyTorch state-dict keys are formed.
@inlinable
public func parameterName(_ prefix: String, _ name: String) -> String {
    prefix.isEmpty ? name : prefix + "." + name
}
