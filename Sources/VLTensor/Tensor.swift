// The Tensor value type: a shape, shared immutable storage, and (when it takes part in
// differentiation) a node of the gradient graph.

import VLKernels

/// An n-dimensional array of Float32 in row-major order.
///
/// Tensors are values: operations return new tensors and never modify their inputs. A tensor
/// that ``requiresGradient`` carries a graph node, and every operation applied to it records a
/// pullback; a tensor that does not carries nothing, so frozen-model inference builds no graph.
public struct Tensor: @unchecked Sendable {
    /// Extent of each axis. `[]` is a scalar.
    public let shape: [Int]
    /// The values, shared between tensors that are reshapes of one another.
    public let storage: TensorStorage
    /// The graph node, present exactly when the tensor requires a gradient.
    let node: GradientNode?

    init(shape: [Int], storage: TensorStorage, node: GradientNode? = nil) {
        precondition(
            storage.count == Tensor.elementCount(shape),
            "storage of \(storage.count) values cannot have shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// Number of axes.
    public var rank: Int { shape.count }
    /// Number of values (1 for a scalar).
    public var scalarCount: Int { storage.count }
    /// Whether gradients flow back to (or through) this tensor.
    public var requiresGradient: Bool { node != nil }

    /// Read-only view of the values.
    public var scalars: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: storage.base, count: storage.count)
    }
    /// Start of the values, for kernels.
    public var pointer: UnsafePointer<Float> { UnsafePointer(storage.base) }

    /// The values copied into an array.
    public var array: [Float] { Array(scalars) }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(scalarCount == 1, "item of a tensor with shape \(shape)")
        return storage.base[0]
    }

    static func elementCount(_ shape: [Int]) -> Int {
        shape.reduce(1) { count, extent in
            precondition(extent >= 0, "negative extent in shape \(shape)")
            return count * extent
        }
    }
}

// MARK: - Creation

extension Tensor {
    /// A tensor whose values are written by `fill`, which receives the uninitialized buffer
    /// and must write every element.
    public static func computed(
        shape: [Int], _ fill: (UnsafeMutableBufferPointer<Float>) -> Void
    ) -> Tensor {
        let storage = TensorStorage(uninitializedCount: elementCount(shape))
        fill(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
        return Tensor(shape: shape, storage: storage)
    }

    /// A tensor holding `scalars` with the given shape.
    public init(_ scalars: [Float], shape: [Int]) {
        precondition(
            scalars.count == Tensor.elementCount(shape),
            "\(scalars.count) values cannot have shape \(shape)")
        let storage = TensorStorage(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer {
            storage.base.update(from: $0.baseAddress!, count: scalars.count)
        }
        self.init(shape: shape, storage: storage)
    }

    /// A rank-1 tensor.
    public init(_ scalars: [Float]) { self.init(scalars, shape: [scalars.count]) }

    /// A rank-0 tensor.
    public init(scalar: Float) { self.init([scalar], shape: []) }

    /// A tensor of `shape` with every value `value`.
    public init(repeating value: Float, shape: [Int]) {
        let storage = TensorStorage(uninitializedCount: Tensor.elementCount(shape))
        storage.base.initialize(repeating: value, count: storage.count)
        self.init(shape: shape, storage: storage)
    }

    /// Zeros of `shape`.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    /// Ones of `shape`.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        let more = scalarCount > 8 ? ", …" : ""
        return "Tensor(shape: \(shape), [\(preview)\(more)]\(requiresGradient ? ", grad" : ""))"
    }
}
