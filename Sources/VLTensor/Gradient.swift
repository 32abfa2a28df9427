// Reverse-mode differentiation: a graph that lives on the tensors themselves.
//
// Each differentiable result holds a node with its inputs and a pullback closure written beside
// the forward (micrograd's shape). There is no global tape, so independent computations on
// different threads never share mutable state.

/// A vertex of the gradient graph. A leaf has no pullback: it is a tensor the caller asked
/// gradients for (``Tensor/requiringGradient()``).
final class GradientNode: @unchecked Sendable {
    let inputs: [Tensor]
    let pullback: ((Tensor) -> [Tensor?])?

    init(inputs: [Tensor] = [], pullback: ((Tensor) -> [Tensor?])? = nil) {
        self.inputs = inputs
        self.pullback = pullback
    }

    var isLeaf: Bool { pullback == nil }
}

extension Tensor {
    /// The same values as a new leaf of the gradient graph: gradients of any result computed
    /// from it can be read back with ``Gradients/subscript(_:)``.
    public func requiringGradient() -> Tensor {
        Tensor(shape: shape, storage: storage, node: GradientNode())
    }

    /// The same values, cut from the graph: nothing flows back through the result.
    public func detached() -> Tensor {
        node == nil ? self : Tensor(shape: shape, storage: storage)
    }

    /// Attaches `pullback` to this freshly computed tensor when any of `inputs` requires a
    /// gradient; otherwise returns `self` unchanged, so inference records nothing.
    ///
    /// `pullback` maps the gradient of the output (same shape as `self`) to one gradient per
    /// input, in input order, each shaped like its input; `nil` for inputs that need none.
    public func withPullback(
        inputs: [Tensor], _ pullback: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        guard inputs.contains(where: \.requiresGradient) else { return self }
        return Tensor(
            shape: shape, storage: storage, node: GradientNode(inputs: inputs, pullback: pullback))
    }

    /// Gradients of this tensor with respect to every leaf it depends on.
    ///
    /// - Parameter seed: the gradient of the final objective with respect to `self`, shaped like
    ///   `self`; defaults to ones (so for a scalar loss, `d loss / d loss = 1`).
    public func gradients(seed: Tensor? = nil) -> Gradients {
        var result = Gradients()
        guard let root = node else { return result }
        let seed = seed ?? Tensor.ones(shape)
        precondition(seed.shape == shape, "seed shape \(seed.shape) differs from \(shape)")

        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed.detached()]
        for vertex in Tensor.reverseTopologicalOrder(from: root) {
            guard let gradient = pending.removeValue(forKey: ObjectIdentifier(vertex)) else {
                continue
            }
            guard let pullback = vertex.pullback else {
                result.add(gradient, for: vertex)
                continue
            }
            let inputGradients = pullback(gradient)
            precondition(inputGradients.count == vertex.inputs.count, "pullback arity mismatch")
            for (input, inputGradient) in zip(vertex.inputs, inputGradients) {
                guard let inputNode = input.node, let inputGradient else { continue }
                precondition(
                    inputGradient.shape == input.shape,
                    "gradient shape \(inputGradient.shape) differs from input shape \(input.shape)")
                let key = ObjectIdentifier(inputNode)
                if let existing = pending[key] {
                    pending[key] = existing + inputGradient
                } else {
                    pending[key] = inputGradient
                }
            }
        }
        return result
    }

    /// Nodes reachable from `root`, each after every node that consumes it (iterative DFS, so
    /// deep graphs cannot overflow the stack).
    static func reverseTopologicalOrder(from root: GradientNode) -> [GradientNode] {
        var order: [GradientNode] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(node: GradientNode, nextInput: Int)] = [(root, 0)]
        while let (vertex, nextInput) = stack.popLast() {
            if nextInput < vertex.inputs.count {
                stack.append((vertex, nextInput + 1))
                if let child = vertex.inputs[nextInput].node,
                    visited.insert(ObjectIdentifier(child)).inserted
                {
                    stack.append((child, 0))
                }
            } else {
                order.append(vertex)
            }
        }
        return order.reversed()
    }
}

/// Gradients with respect to leaf tensors, looked up by the tensor itself.
public struct Gradients: @unchecked Sendable {
    private var values: [ObjectIdentifier: (node: GradientNode, gradient: Tensor)] = [:]

    public init() {}

    /// The gradient for `tensor`, or `nil` when the objective does not depend on it.
    public subscript(_ tensor: Tensor) -> Tensor? {
        guard let node = tensor.node else { return nil }
        return values[ObjectIdentifier(node)]?.gradient
    }

    /// The gradient for `tensor`, or zeros shaped like it when the objective ignores it.
    public func gradient(for tensor: Tensor) -> Tensor {
        self[tensor] ?? Tensor.zeros(tensor.shape)
    }

    /// Number of leaves that received a gradient.
    public var count: Int { values.count }

    mutating func add(_ gradient: Tensor, for node: GradientNode) {
        let key = ObjectIdentifier(node)
        if let existing = values[key] {
            values[key] = (node, existing.gradient + gradient)
        } else {
            values[key] = (node, gradient)
        }
    }

    /// Adds `other`'s gradients into these (gradient accumulation over micro-batches).
    public mutating func accumulate(_ other: Gradients) {
        for (_, entry) in other.values { add(entry.gradient, for: entry.node) }
    }
}
