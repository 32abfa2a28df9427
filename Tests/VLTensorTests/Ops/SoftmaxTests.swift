import Foundation
import Testing
import VLTestSupport

@testable import VLTensor

@Suite("softmax and log-softmax")
struct SoftmaxTests {
    @Test(
        "pullbacks agree with central differences",
        arguments: [([3, 5], -1), ([4, 3], 0), ([2, 3, 4], 1), ([7], 0)])
    func gradients(shape: [Int], axis: Int) {
        let x = Tensor.uniform(shape, in: -3...3, seed: 1)
        let seed = Tensor.uniform(shape, in: -1...1, seed: 2)
        checkGradients(at: [x]) { ($0[0].softmax(alongAxis: axis) * seed).sum() }
        checkGradients(at: [x]) { ($0[0].logSoftmax(alongAxis: axis) * seed).sum() }
    }

    @Test("fused kernels match the composed definition", arguments: [[5, 3], [33, 50], [9, 1000]])
    func matchesComposed(shape: [Int]) {
        let x = Tensor.uniform(shape, in: -20...20, seed: 3)
        let seed = Tensor.uniform(shape, in: -1...1, seed: 4)
        expectClose(x.softmax(), Oracle.softmax(x), .reordered, "softmax")
        expectClose(x.logSoftmax(), Oracle.logSoftmax(x), .reordered, "logSoftmax")
        expectClose(
            weightedGradients(of: { $0[0].softmax() }, at: [x], seed: seed)[0],
            weightedGradients(of: { Oracle.softmax($0[0]) }, at: [x], seed: seed)[0],
            .reorderedGradient, "softmax gradient")
        expectClose(
            weightedGradients(of: { $0[0].logSoftmax() }, at: [x], seed: seed)[0],
            weightedGradients(of: { Oracle.logSoftmax($0[0]) }, at: [x], seed: seed)[0],
            .reorderedGradient, "logSoftmax gradient")
    }

    @Test("a non-last axis equals moving it last")
    func otherAxis() {
        let x = Tensor.uniform([3, 4, 5], in: -2...2, seed: 5)
        expectClose(
            x.softmax(alongAxis: 1), x.permuted([0, 2, 1]).softmax().permuted([0, 2, 1]),
            .kernel)
    }

    @Test("large inputs do not overflow, and -∞ gets exactly zero probability")
    func extremes() {
        let y = Tensor([1000, 1000, -.infinity, 999], shape: [1, 4]).softmax()
        let e = Float(M_E)
        expectClose(
            y, Tensor([e / (2 * e + 1), e / (2 * e + 1), 0, 1 / (2 * e + 1)], shape: [1, 4]), .forward)
        #expect(y.array[2] == 0)
        let logY = Tensor([1000, 0], shape: [1, 2]).logSoftmax()
        expectClose(logY, Tensor([0, -1000], shape: [1, 2]), .forward)
    }
}
