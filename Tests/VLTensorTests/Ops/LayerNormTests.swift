import Testing
import VLTestSupport

@testable import VLTensor

@Suite("layer norm")
struct LayerNormTests {
    @Test("pullback agrees with central differences", arguments: [[3, 5], [2, 3, 7], [1, 9]])
    func gradients(shape: [Int]) {
        let width = shape.last!
        let x = Tensor.uniform(shape, in: -2...2, seed: 1)
        let w = Tensor.uniform([width], in: 0.5...1.5, seed: 2)
        let b = Tensor.uniform([width], in: -1...1, seed: 3)
        let seed = Tensor.uniform(shape, in: -1...1, seed: 4)
        checkGradients(at: [x, w, b]) { ($0[0].layerNorm(weight: $0[1], bias: $0[2]) * seed).sum() }
    }

    @Test(
        "fused kernels match the composed definition",
        arguments: [[37, 83], [70, 768], [2, 5, 8], [4, 1]])
    func matchesComposed(shape: [Int]) {
        let width = shape.last!
        let x = Tensor.uniform(shape, in: -2...3, seed: 5)
        let w = Tensor.uniform([width], in: -1.5...1.5, seed: 6)
        let b = Tensor.uniform([width], in: -1...1, seed: 7)
        let seed = Tensor.uniform(shape, in: -1...1, seed: 8)
        expectClose(
            x.layerNorm(weight: w, bias: b), Oracle.layerNorm(x, w, b), .reordered, "forward")
        let fused = weightedGradients(
            of: { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }, at: [x, w, b], seed: seed)
        let composed = weightedGradients(
            of: { Oracle.layerNorm($0[0], $0[1], $0[2]) }, at: [x, w, b], seed: seed)
        for (index, name) in ["dx", "dweight", "dbias"].enumerated() {
            expectClose(fused[index], composed[index], .reorderedGradient, name)
        }
    }

    @Test("a constant row normalizes to the bias")
    func constantRow() {
        let y = Tensor(repeating: 3, shape: [2, 4])
            .layerNorm(weight: Tensor.ones([4]), bias: Tensor([1, 2, 3, 4]))
        #expect(y.array == [1, 2, 3, 4, 1, 2, 3, 4])
    }
}
