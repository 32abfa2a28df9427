import Testing
import VLTestSupport
@testable import VLTensor

@Suite("linear")
struct LinearTests {
    @Test("one GEMM onto the bias equals matmul then bias, forward and backward", arguments: [true, false])
    func matchesComposed(withBias: Bool) {
        let x = Tensor.uniform([2, 5, 12], in: -1...1, seed: 1)
        let w = Tensor.uniform([9, 12], in: -1...1, seed: 2), b = Tensor.uniform([9], in: -1...1, seed: 3)
        let seed = Tensor.uniform([2, 5, 9], in: -1...1, seed: 4)
        let inputs = withBias ? [x, w, b] : [x, w]
        let fused = { (t: [Tensor]) in t[0].linear(t[1], bias: withBias ? t[2] : nil) }
        let composed = { (t: [Tensor]) in
            let product = t[0].matmul(t[1], transposeOther: true)
            return withBias ? product + t[2] : product
        }
        expectClose(fused(inputs), composed(inputs), .reordered, "forward")
        let a = weightedGradients(of: fused, at: inputs, seed: seed)
        let c = weightedGradients(of: composed, at: inputs, seed: seed)
        for index in inputs.indices { expectClose(a[index], c[index], .reorderedGradient, "input \(index)") }
        checkGradients(at: inputs) { (fused($0) * seed).sum() }
    }
}
