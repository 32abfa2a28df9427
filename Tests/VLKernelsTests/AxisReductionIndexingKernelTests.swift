import Foundation
import Testing
@testable import VLKernels

/// `Tolerance.kernel`'s rule (|a − e| ≤ 1e-6 + 1e-5·|e|); this target sits below VLTestSupport.
func withinKernelTolerance(_ actual: Double, _ expected: Double) -> Bool {
    Swift.abs(actual - expected) <= 1e-6 + 1e-5 * Swift.abs(expected)
}

/// Deterministic values in [-scale, scale) without the tensor layer.
func kernelTestValues(_ count: Int, seed: Int, scale: Float = 1) -> [Float] {
    (0..<count).map { scale * Float(((($0 + 1) * 7919 + seed * 104_729) % 2001) - 1000) / 1000 }
}

@Suite("axis reduction kernels")
struct AxisReductionKernelTests {
    static let extents = [(1, 1, 1), (3, 5, 7), (17, 4, 33), (300, 49, 4), (5, 1000, 1), (2, 3, 20_000)]

    @Test("maximumAxis agrees with the naive loop, first index on ties", arguments: extents)
    func maximum(outer: Int, axis: Int, inner: Int) {
        // Quantized values make ties common.
        let x = kernelTestValues(outer * axis * inner, seed: 1).map { ($0 * 8).rounded() }
        var values = [Float](repeating: 0, count: outer * inner)
        var indices = [Int](repeating: -1, count: outer * inner)
        Kernels.maximumAxis(x, values: &values, indices: &indices, outer: outer, axis: axis, inner: inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let slice = (0..<axis).map { x[(o * axis + $0) * inner + i] }
                let best = slice.max()!
                #expect(values[o * inner + i] == best)
                #expect(indices[o * inner + i] == slice.firstIndex(of: best)!)
            }
        }
    }

    @Test("logSumExpAxis agrees with the naive Double loop", arguments: extents)
    func logSumExp(outer: Int, axis: Int, inner: Int) {
        let x = kernelTestValues(outer * axis * inner, seed: 2, scale: 20)
        var out = [Float](repeating: 0, count: outer * inner)
        Kernels.logSumExpAxis(x, into: &out, outer: outer, axis: axis, inner: inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let slice = (0..<axis).map { Double(x[(o * axis + $0) * inner + i]) }
                let top = slice.max()!
                let expected = top + Foundation.log(slice.reduce(0) { $0 + Foundation.exp($1 - top) })
                let actual = Double(out[o * inner + i])
                #expect(withinKernelTolerance(actual, expected))
            }
        }
    }
}

@Suite("indexing kernels")
struct IndexingKernelTests {
    static let extents = [(1, 1, 1), (2, 5, 3), (1, 1000, 77), (40, 7, 600)]

    @Test("gather selects rows of the middle axis", arguments: extents)
    func gather(outer: Int, axis: Int, inner: Int) {
        let x = kernelTestValues(outer * axis * inner, seed: 3)
        let indices = (0..<(2 * axis + 1)).map { ($0 * 5 + 1) % axis }
        var out = [Float](repeating: .nan, count: outer * indices.count * inner)
        Kernels.gather(x, indices: indices, into: &out, outer: outer, axis: axis, inner: inner)
        var expected: [Float] = []
        for o in 0..<outer {
            for j in indices { expected += x[((o * axis + j) * inner)..<((o * axis + j + 1) * inner)] }
        }
        #expect(out == expected)
    }

    @Test("scatterAdd is the adjoint of gather: repeats accumulate", arguments: extents)
    func scatterAdd(outer: Int, axis: Int, inner: Int) {
        let indices = (0..<(2 * axis + 1)).map { ($0 * 5 + 1) % axis }
        let source = kernelTestValues(outer * indices.count * inner, seed: 4)
        let start = kernelTestValues(outer * axis * inner, seed: 5)
        var out = start
        Kernels.scatterAdd(source, indices: indices, into: &out, outer: outer, axis: axis, inner: inner)
        var expected = start
        for o in 0..<outer {
            for (j, index) in indices.enumerated() {
                for i in 0..<inner {
                    expected[(o * axis + index) * inner + i] += source[(o * indices.count + j) * inner + i]
                }
            }
        }
        #expect(out == expected)
    }

    @Test("copyBlocks moves strided blocks and leaves the gaps alone")
    func copyBlocks() {
        let source = kernelTestValues(5 * 9, seed: 6)
        var destination = [Float](repeating: -7, count: 5 * 12)
        Kernels.copyBlocks(source, sourceStride: 9, into: &destination, destinationStride: 12, rows: 5, width: 4)
        for r in 0..<5 {
            #expect(Array(destination[(r * 12)..<(r * 12 + 4)]) == Array(source[(r * 9)..<(r * 9 + 4)]))
            #expect(destination[(r * 12 + 4)..<(r * 12 + 12)].allSatisfy { $0 == -7 })
        }
    }
}
