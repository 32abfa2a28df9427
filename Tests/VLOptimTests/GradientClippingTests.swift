import Testing
import VLTensor
import VLTestSupport
@testable import VLOptim

@Suite("gradient clipping")
struct GradientClippingTests {
    @Test("gradients above the maximum norm are scaled by max/(norm + 1e-6) (hand-computed)")
    func clipsToMaximum() {
        // Global norm of [3] and [[4], [0]] is 5.
        let gradients = ["a": Tensor([3]), "b": Tensor([4, 0], shape: [2, 1])]
        let clipped = clippedByGlobalNorm(gradients, maximumNorm: 1)
        #expect(clipped.norm == 5)
        let factor = Float(1 / (5 + 1e-6))
        #expect(clipped.gradients["a"]!.array == [3 * factor])
        #expect(clipped.gradients["b"]!.array == [4 * factor, 0])
        #expect(clipped.gradients["b"]!.shape == [2, 1])
    }

    @Test("gradients within the maximum norm are returned untouched")
    func leavesSmallGradients() {
        let gradients = ["a": Tensor([0.3, -0.4])]
        let clipped = clippedByGlobalNorm(gradients, maximumNorm: 1)
        expectClose(Float(clipped.norm), 0.5, .forward)
        #expect(clipped.gradients["a"]!.storage === gradients["a"]!.storage)
        #expect(clippedByGlobalNorm(["z": Tensor.zeros([4])], maximumNorm: 1).norm == 0)
    }

    @Test("the clipped norm equals the maximum, for random gradients")
    func clippedNorm() {
        let gradients = Problem.gradients(step: 3).mapValues { $0 * 10 }
        let clipped = clippedByGlobalNorm(gradients, maximumNorm: 2)
        #expect(clipped.norm > 2)
        let after = clippedByGlobalNorm(clipped.gradients, maximumNorm: 1e9).norm
        expectClose(Float(after), Float(2 * clipped.norm / (clipped.norm + 1e-6)), .forward)
    }
}
