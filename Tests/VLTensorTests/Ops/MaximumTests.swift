import Foundation
import Testing
import VLTestSupport
@testable import VLTensor

@Suite("maximum, argmax and log-sum-exp along an axis")
struct MaximumTests {
    static let cases: [(shape: [Int], axis: Int)] = [
        ([7], 0), ([3, 5], 1), ([3, 5], 0), ([2, 3, 4], 1), ([2, 3, 4], -1), ([4, 1, 3], 1),
    ]

    @Test("max and argmax pick the largest value", arguments: cases)
    func maxForward(shape: [Int], axis: Int) {
        let x = BasicOpInputs.distinct(shape)
        let (expected, indices) = Self.naiveMaximum(x, axis: axis)
        #expect(x.max(alongAxis: axis).array == expected)
        #expect(x.argmax(alongAxis: axis) == indices)
        var kept = shape
        kept[(axis + shape.count) % shape.count] = 1
        #expect(x.max(alongAxis: axis, keepingAxis: true).shape == kept)
    }

    @Test("max pullback agrees with central differences", arguments: cases)
    func maxGradient(shape: [Int], axis: Int) {
        let x = BasicOpInputs.distinct(shape)
        let w = BasicOpInputs.weights(x.max(alongAxis: axis).shape)
        checkGradients(at: [x]) { ($0[0].max(alongAxis: axis) * w).sum() }
    }

    @Test("ties send the whole gradient to the first maximum; NaN propagates")
    func ties() {
        let x = Tensor([1, 3, 3, 0, 2, 2], shape: [2, 3]).requiringGradient()
        #expect(x.argmax(alongAxis: 1) == [1, 1])
        #expect(x.max(alongAxis: 1).sum().gradients()[x]?.array == [0, 1, 0, 0, 1, 0])
        #expect(Tensor([1, .nan, 2]).max(alongAxis: 0).item.isNaN)
    }

    @Test("logSumExp equals the Double definition, even for large values", arguments: cases)
    func logSumExpForward(shape: [Int], axis: Int) {
        let x = Tensor.uniform(shape, in: -3...3, seed: 4)
        expectClose(x.logSumExp(alongAxis: axis), Self.naiveLogSumExp(x, axis: axis), .forward)
        let shifted = x + 1000
        expectClose(
            shifted.logSumExp(alongAxis: axis), Self.naiveLogSumExp(x, axis: axis) + 1000, .forward)
    }

    @Test("logSumExp pullback agrees with central differences", arguments: cases)
    func logSumExpGradient(shape: [Int], axis: Int) {
        let x = Tensor.uniform(shape, in: -3...3, seed: 5)
        let w = BasicOpInputs.weights(x.logSumExp(alongAxis: axis, keepingAxis: true).shape)
        checkGradients(at: [x]) { ($0[0].logSumExp(alongAxis: axis, keepingAxis: true) * w).sum() }
    }

    @Test("logSumExp of all −∞ is −∞ and of +∞ is +∞")
    func logSumExpInfinities() {
        let x = Tensor([-.infinity, -.infinity, 1, .infinity], shape: [2, 2])
        #expect(x.logSumExp(alongAxis: 1).array == [-.infinity, .infinity])
    }

    // MARK: - Naive definitions

    static func slices(_ x: Tensor, axis: Int) -> [[Float]] {
        let axis = (axis + x.rank) % x.rank
        let outer = x.shape[..<axis].reduce(1, *), extent = x.shape[axis]
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        return (0..<(outer * inner)).map { slot in
            let o = slot / inner, i = slot % inner
            return (0..<extent).map { x.array[(o * extent + $0) * inner + i] }
        }
    }

    static func naiveMaximum(_ x: Tensor, axis: Int) -> ([Float], [Int]) {
        let slices = slices(x, axis: axis)
        let values = slices.map { $0.max()! }
        return (values, zip(slices, values).map { $0.firstIndex(of: $1)! })
    }

    static func naiveLogSumExp(_ x: Tensor, axis: Int) -> Tensor {
        let values = slices(x, axis: axis).map { slice in
            Float(Foundation.log(slice.reduce(0.0) { $0 + Foundation.exp(Double($1)) }))
        }
        var shape = x.shape
        shape.remove(at: (axis + x.rank) % x.rank)
        return Tensor(values, shape: shape)
    }
}
