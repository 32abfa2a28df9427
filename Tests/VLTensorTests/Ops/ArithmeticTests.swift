import Testing
import VLTestSupport
@testable import VLTensor

@Suite("broadcasting arithmetic")
struct ArithmeticTests {
    @Test("forward broadcasts like NumPy")
    func forwardBroadcast() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let row = Tensor([10, 20, 30])
        let column = Tensor([100, 200], shape: [2, 1])
        #expect((a + row).array == [11, 22, 33, 14, 25, 36])
        #expect((a - column).array == [-99, -98, -97, -196, -195, -194])
        #expect((a * column).array == [100, 200, 300, 800, 1000, 1200])
        #expect((a / Tensor(scalar: 2)).array == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect((column + row).shape == [2, 3])
    }

    @Test(
        "pullbacks agree with central differences",
        arguments: [([2, 3], [3]), ([2, 3], [2, 1]), ([4], [4]), ([2, 1, 3], [4, 1])])
    func gradients(aShape: [Int], bShape: [Int]) {
        let a = Tensor.uniform(aShape, in: -2...2, seed: 1)
        let b = Tensor.uniform(bShape, in: 0.5...2, seed: 2)
        let weights = Tensor.uniform(Shape.broadcast(aShape, bShape), in: -1...1, seed: 3)
        checkGradients(at: [a, b]) { ($0[0] + $0[1] * weights).sum() }
        checkGradients(at: [a, b]) { (($0[0] - $0[1]) * weights).sum() }
        checkGradients(at: [a, b]) { ($0[0] * $0[1] * weights).sum() }
        checkGradients(at: [a, b]) { ($0[0] / $0[1] * weights).sum() }
    }

    @Test("scalar operators and negation")
    func scalarOperators() {
        let x = Tensor.uniform([5], in: -1...1, seed: 4)
        let w = Tensor.uniform([5], in: -1...1, seed: 5)
        checkGradients(at: [x]) { ((3 * $0[0] + 1 - (-$0[0]) / 2) * w).sum() }
        #expect((2 - Tensor([1, 3])).array == [1, -1])
    }

    @Test("inputs that need no gradient record nothing")
    func noGraphWithoutGradients() {
        let y = (Tensor.ones([3]) * 2 + Tensor.ones([3])).sum()
        #expect(!y.requiresGradient)
        #expect(y.gradients().count == 0)
    }

    @Test("a leaf used twice accumulates both paths")
    func accumulation() {
        let x = Tensor([3]).requiringGradient()
        let y = (x * x + x).sum()
        #expect(y.gradients()[x]?.array == [7])
    }

    @Test("gradients accumulate across micro-batches")
    func microBatches() {
        let w = Tensor([1, 2]).requiringGradient()
        var total = (w * Tensor([3, 4])).sum().gradients()
        total.accumulate((w * Tensor([5, 6])).sum().gradients())
        #expect(total[w]?.array == [8, 10])
    }
}

@Suite("gradient checker")
struct GradientCheckerTests {
    @Test("finite differences catch a wrong pullback")
    func catchesWrongPullback() {
        let x = Tensor.uniform([6], in: -1...1, seed: 1)
        let wrong = FiniteDifferences.mismatches(at: [x]) { inputs in
            let y = inputs[0]
            let doubled = Tensor.computed(shape: y.shape) { out in
                for i in 0..<out.count { out[i] = 2 * y.scalars[i] }
            }.withPullback(inputs: [y]) { g in [g * 3] }  // should be g * 2
            return doubled.sum()
        }
        #expect(wrong.count == 6)
    }
}
