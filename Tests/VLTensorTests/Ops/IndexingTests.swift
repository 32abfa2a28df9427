import Testing
import VLTestSupport
@testable import VLTensor

@Suite("slicing, concatenation, stacking and index selection")
struct IndexingTests {
    static let counting = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])

    @Test("slice keeps the requested positions along any axis")
    func sliceForward() {
        let x = Self.counting
        #expect(x.slice(alongAxis: 0, 1..<2).array == Array(x.array[12..<24]))
        #expect(x.slice(alongAxis: 1, 1..<3).array == [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        #expect(x.slice(alongAxis: -1, 3..<4).array == [3, 7, 11, 15, 19, 23])
        #expect(x.slice(alongAxis: 2, 2..<2).shape == [2, 3, 0])
    }

    @Test("slice pullback agrees with central differences", arguments: [0, 1, 2])
    func sliceGradient(axis: Int) {
        let x = Tensor.uniform([2, 3, 5], seed: 1)
        let range = 1..<(x.shape[axis])
        let w = BasicOpInputs.weights(x.slice(alongAxis: axis, range).shape)
        checkGradients(at: [x]) { ($0[0].slice(alongAxis: axis, range) * w).sum() }
    }

    @Test("concatenation inverts slicing along every axis", arguments: [0, 1, 2])
    func concatenateForward(axis: Int) {
        let x = Self.counting
        let cut = x.shape[axis] - 1
        let parts = [x.slice(alongAxis: axis, 0..<cut), x.slice(alongAxis: axis, cut..<x.shape[axis])]
        #expect(Tensor.concatenated(parts, alongAxis: axis).array == x.array)
    }

    @Test("concatenation pullback splits the gradient, including odd extents")
    func concatenateGradient() {
        let a = Tensor.uniform([2, 1, 3], seed: 2), b = Tensor.uniform([2, 4, 3], seed: 3)
        let c = Tensor.uniform([2, 2, 3], seed: 4)
        let w = BasicOpInputs.weights([2, 7, 3])
        checkGradients(at: [a, b, c]) { (Tensor.concatenated($0, alongAxis: 1) * w).sum() }
        // A constant part takes no gradient and does not disturb the others.
        let leaf = a.requiringGradient()
        let g = (Tensor.concatenated([b, leaf], alongAxis: 1) * 2).sum().gradients()
        #expect(g[leaf]?.array == [Float](repeating: 2, count: 6))
    }

    @Test("stacking inserts a new axis", arguments: [0, 1, 2])
    func stackForward(axis: Int) {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2]), b = Tensor([5, 6, 7, 8], shape: [2, 2])
        let stacked = Tensor.stacked([a, b], alongAxis: axis)
        var expectedShape = [2, 2]
        expectedShape.insert(2, at: axis)
        #expect(stacked.shape == expectedShape)
        let expected: [[Float]] = [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 5, 6, 3, 4, 7, 8], [1, 5, 2, 6, 3, 7, 4, 8]]
        #expect(stacked.array == expected[axis])
        let w = BasicOpInputs.weights(expectedShape)
        checkGradients(at: [a, b]) { (Tensor.stacked($0, alongAxis: axis) * w).sum() }
    }

    @Test("gatherRows looks up rows and scatter-adds repeated ones")
    func gatherRows() {
        let table = Tensor((0..<12).map(Float.init), shape: [4, 3])
        #expect(table.gatherRows([2, 0, 2]).array == [6, 7, 8, 0, 1, 2, 6, 7, 8])
        let leaf = table.requiringGradient()
        let g = leaf.gatherRows([2, 0, 2]).sum().gradients()[leaf]
        #expect(g?.array == [1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0])
        let w = BasicOpInputs.weights([5, 3])
        checkGradients(at: [table]) { ($0[0].gatherRows([3, 1, 3, 0, 3]) * w).sum() }
    }

    @Test("selecting along any axis, with repeats", arguments: [0, 1, 2])
    func selecting(axis: Int) {
        let x = Tensor.uniform([3, 4, 5], seed: 5)
        let indices = [2, 0, 2, 1]
        let selected = x.selecting(indices, alongAxis: axis)
        let expected = Tensor.concatenated(
            indices.map { x.slice(alongAxis: axis, $0..<($0 + 1)) }, alongAxis: axis)
        #expect(selected.array == expected.array)
        let w = BasicOpInputs.weights(selected.shape)
        checkGradients(at: [x]) { ($0[0].selecting(indices, alongAxis: axis) * w).sum() }
    }

    @Test("scatterAdding adds source rows into the table and differentiates both")
    func scatterAdding() {
        let table = Tensor.zeros([3, 2])
        let source = Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2])
        #expect(table.scatterAdding(source, rows: [2, 0, 2]).array == [3, 4, 0, 0, 6, 8])
        let w = BasicOpInputs.weights([3, 2])
        checkGradients(at: [Tensor.uniform([3, 2], seed: 6), source]) {
            ($0[0].scatterAdding($0[1], rows: [2, 0, 2]) * w).sum()
        }
    }

    @Test("oneHot marks each label")
    func oneHot() {
        #expect(Tensor.oneHot(labels: [2, 0], classes: 3).array == [0, 0, 1, 1, 0, 0])
        #expect(Tensor.oneHot(labels: [], classes: 3).shape == [0, 3])
    }

    @Test("large lookups take the parallel path")
    func largeGather() {
        let table = Tensor.uniform([1000, 77], seed: 7)
        let indices = (0..<3000).map { ($0 * 37) % 1000 }
        let rows = table.gatherRows(indices)
        for (row, index) in indices.enumerated().filter({ $0.offset % 97 == 0 }) {
            let looked = rows.array[(row * 77)..<(row * 77 + 77)]
            #expect(Array(looked) == Array(table.array[(index * 77)..<(index * 77 + 77)]))
        }
        let leaf = table.requiringGradient()
        let g = leaf.gatherRows(indices).sum().gradients()[leaf]!.array
        #expect(g[0] == 3 && g[76] == 3 && g.allSatisfy { $0 == 3 })
    }
}
