import Testing
import VLTestSupport

@testable import VLTensor

@Suite("patch embedding")
struct ConvolutionTests {
    @Test(
        "forward equals the convolution loop, remainder pixels dropped",
        arguments: [[2, 3, 5, 7], [1, 3, 8, 8]])
    func forward(shape: [Int]) {
        let x = Tensor.uniform(shape, in: -1...1, seed: 1)
        let w = Tensor.uniform([4, shape[1], 2, 2], in: -1...1, seed: 2)
        expectClose(
            x.patchEmbedding(weight: w, patchSize: 2), Oracle.patchConvolution(x, w, size: 2), .kernel)
    }

    @Test("pullbacks agree with central differences")
    func gradients() {
        let x = Tensor.uniform([2, 3, 5, 7], in: -1...1, seed: 3)
        let w = Tensor.uniform([4, 3, 2, 2], in: -1...1, seed: 4)
        let seed = Tensor.uniform([2, 6, 4], in: -1...1, seed: 5)
        checkGradients(at: [x, w]) { ($0[0].patchEmbedding(weight: $0[1], patchSize: 2) * seed).sum() }
    }

    @Test("patches are row-major and channel-major within a patch")
    func patchOrder() {
        let x = Tensor((0..<32).map(Float.init), shape: [1, 2, 4, 4])
        let p = x.patches(size: 2)
        #expect(p.shape == [1, 4, 8])
        // Patch (0, 1): channel 0 rows 0–1, columns 2–3, then channel 1.
        #expect(Array(p.array[8..<16]) == [2, 3, 6, 7, 18, 19, 22, 23])
    }
}
