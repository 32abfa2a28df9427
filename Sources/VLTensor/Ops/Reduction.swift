// Sums and means along axes, and the broadcast that is their pullback.

import VLKernels

extension Tensor {
    /// Sum of all values, as a scalar tensor.
    public func sum() -> Tensor {
        reshaped([scalarCount]).sum(alongAxes: [0], keepingAxes: false)
    }

    /// Mean of all values, as a scalar tensor.
    public func mean() -> Tensor { sum().scaled(by: 1 / Float(Swift.max(scalarCount, 1))) }

    /// Sum along one axis.
    public func sum(alongAxis axis: Int, keepingAxis: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingAxes: keepingAxis)
    }

    /// Mean along one axis.
    public func mean(alongAxis axis: Int, keepingAxis: Bool = false) -> Tensor {
        let extent = shape[Shape.normalize(axis: axis, rank: rank)]
        return sum(alongAxis: axis, keepingAxis: keepingAxis).scaled(by: 1 / Float(Swift.max(extent, 1)))
    }

    /// Sum along several axes. With `keepingAxes` the reduced axes stay with extent 1.
    public func sum(alongAxes axes: [Int], keepingAxes: Bool = false) -> Tensor {
        let resolved = Set(axes.map { Shape.normalize(axis: $0, rank: rank) })
        let keptShape = shape.enumerated().map { resolved.contains($0.offset) ? 1 : $0.element }
        var reduced = detached()
        for axis in resolved.sorted(by: >) { reduced = reduced.sumKeepingAxis(axis) }
        let finalShape =
            keepingAxes ? keptShape : shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
        let inputShape = shape
        return reduced.reshaped(finalShape).withPullback(inputs: [self]) { g in
            [g.reshaped(keptShape).broadcasted(to: inputShape)]
        }
    }

    /// Sums one axis, keeping it with extent 1 (no graph: callers attach the pullback).
    private func sumKeepingAxis(_ axis: Int) -> Tensor {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var outShape = shape
        outShape[axis] = 1
        let x = self
        return Tensor.computed(shape: outShape) { out in
            Kernels.sumAxis(
                x.pointer, into: out.baseAddress!, outer: outer, axis: shape[axis], inner: inner)
        }
    }

    /// Repeats this tensor along its extent-1 (or missing leading) axes to reach `target`.
    public func broadcasted(to target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(Shape.broadcast(shape, target) == target, "cannot broadcast \(shape) to \(target)")
        let strides = Shape.broadcastStrides(shape, to: target)
        let x = self
        return Tensor.computed(shape: target) { out in
            Kernels.stridedCopy(x.pointer, strides: strides, into: out.baseAddress!, shape: target)
        }.withPullback(inputs: [x]) { g in [g.reduced(toShape: x.shape)] }
    }
}
