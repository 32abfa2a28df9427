import Testing
import VLTestSupport
@testable import VLTensor

@Suite("reductions, movement and matmul")
struct ReductionMovementMatMulTests {
    @Test("sum along axes, keeping or dropping them")
    func sums() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(x.sum(alongAxis: 0).array == [5, 7, 9])
        #expect(x.sum(alongAxis: -1, keepingAxis: true).shape == [2, 1])
        #expect(x.sum(alongAxes: [0, 1]).item == 21)
        #expect(x.mean().item == 3.5)
        let w = Tensor.uniform([2, 2], in: -1...1, seed: 9)
        checkGradients(at: [Tensor.uniform([2, 3, 2], seed: 1)]) {
            ($0[0].sum(alongAxis: 1) * w).sum()
        }
        checkGradients(at: [Tensor.uniform([2, 3, 2], seed: 2)]) { $0[0].mean(alongAxis: 0).sum() }
    }

    @Test("permute, transpose and reshape move values and gradients")
    func movement() {
        let x = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let p = x.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(p.array[0..<6] == [0, 4, 8, 12, 16, 20])
        #expect(x.transposed().shape == [2, 4, 3])
        #expect(x.reshaped([6, -1]).shape == [6, 4])
        let w = Tensor.uniform([4, 2, 3], in: -1...1, seed: 3)
        checkGradients(at: [Tensor.uniform([2, 3, 4], seed: 4)]) { ($0[0].permuted([2, 0, 1]) * w).sum() }
        let b = Tensor.uniform([2, 3], seed: 8)
        checkGradients(at: [b]) { ($0[0].broadcasted(to: [4, 2, 3]) * w.reshaped([4, 2, 3])).sum() }
    }

    @Test(
        "matmul pullbacks for every transpose and batching",
        arguments: [false, true], [false, true])
    func matmulGradients(transposeA: Bool, transposeB: Bool) {
        let m = 3, k = 4, n = 5
        let a = Tensor.uniform(transposeA ? [2, k, m] : [2, m, k], in: -1...1, seed: 1)
        let b = Tensor.uniform(transposeB ? [2, n, k] : [2, k, n], in: -1...1, seed: 2)
        let shared = Tensor.uniform(transposeB ? [n, k] : [k, n], in: -1...1, seed: 3)
        let w = Tensor.uniform([2, m, n], in: -1...1, seed: 4)
        checkGradients(at: [a, b]) {
            ($0[0].matmul($0[1], transposeSelf: transposeA, transposeOther: transposeB) * w).sum()
        }
        checkGradients(at: [a, shared]) {
            ($0[0].matmul($0[1], transposeSelf: transposeA, transposeOther: transposeB) * w).sum()
        }
    }

    @Test("matmul forward equals the definition")
    func matmulForward() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2])
        #expect(a.matmul(b).array == [4, 5, 10, 11])
        #expect(a.matmul(a, transposeOther: true).array == [14, 32, 32, 77])
    }
}
