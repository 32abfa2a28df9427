import Foundation
import Testing
import VLTestSupport
@testable import VLTensor

/// One elementwise op under test: its tensor form, a scalar definition in Double, the input
/// range that keeps it smooth, and its kinks.
struct UnaryCase: Sendable, CustomStringConvertible {
    var name: String
    var apply: @Sendable (Tensor) -> Tensor
    var definition: @Sendable (Double) -> Double
    var range: ClosedRange<Float> = -3...3
    var kinks: [Float] = []
    var description: String { name }

    static let all: [UnaryCase] = [
        UnaryCase(name: "exp", apply: { $0.exp() }, definition: { Foundation.exp($0) }),
        UnaryCase(name: "log", apply: { $0.log() }, definition: { Foundation.log($0) }, range: 0.3...3),
        UnaryCase(
            name: "squareRoot", apply: { $0.squareRoot() }, definition: { $0.squareRoot() },
            range: 0.3...3),
        UnaryCase(name: "tanh", apply: { $0.tanh() }, definition: { Foundation.tanh($0) }),
        UnaryCase(name: "sigmoid", apply: { $0.sigmoid() }, definition: { 1 / (1 + Foundation.exp(-$0)) }),
        UnaryCase(name: "relu", apply: { $0.relu() }, definition: { Swift.max($0, 0) }, kinks: [0]),
        UnaryCase(
            name: "gelu", apply: { $0.gelu() },
            definition: { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }),
        UnaryCase(
            name: "quickGELU", apply: { $0.quickGELU() },
            definition: { $0 / (1 + Foundation.exp(-1.702 * $0)) }),
        UnaryCase(name: "squared", apply: { $0.squared() }, definition: { $0 * $0 }),
        UnaryCase(name: "abs", apply: { $0.abs() }, definition: { Swift.abs($0) }, kinks: [0]),
        UnaryCase(
            name: "power(2.5)", apply: { $0.power(2.5) }, definition: { Foundation.pow($0, 2.5) },
            range: 0.3...2),
        UnaryCase(
            name: "power(-1.5)", apply: { $0.power(-1.5) }, definition: { Foundation.pow($0, -1.5) },
            range: 0.5...2),
        UnaryCase(name: "power(3)", apply: { $0.power(3) }, definition: { $0 * $0 * $0 }),
        UnaryCase(
            name: "clamped(-0.5, 0.7)", apply: { $0.clamped(min: -0.5, max: 0.7) },
            definition: { Swift.min(Swift.max($0, -0.5), 0.7) }, kinks: [-0.5, 0.7]),
        UnaryCase(
            name: "clamped(min: 0.2)", apply: { $0.clamped(min: 0.2) },
            definition: { Swift.max($0, 0.2) }, kinks: [0.2]),
    ]
}

@Suite("elementwise math and activations")
struct ElementwiseActivationTests {
    @Test("forward equals the scalar definition", arguments: UnaryCase.all)
    func forward(op: UnaryCase) {
        let x = BasicOpInputs.uniform([37], in: op.range, seed: 1, avoiding: op.kinks)
        let expected = Tensor(x.array.map { Float(op.definition(Double($0))) }, shape: x.shape)
        expectClose(op.apply(x), expected, .forward, op.name)
    }

    @Test(
        "pullback agrees with central differences",
        arguments: UnaryCase.all, [[7], [3, 5], [2, 3, 4]])
    func gradient(op: UnaryCase, shape: [Int]) {
        let x = BasicOpInputs.uniform(shape, in: op.range, seed: 2, avoiding: op.kinks)
        let w = BasicOpInputs.weights(shape)
        checkGradients(at: [x]) { (op.apply($0[0]) * w).sum() }
    }

    @Test("large inputs take the parallel path and give the same values")
    func parallelPath() {
        let x = Tensor.uniform([3, 70_001], in: -4...4, seed: 3).requiringGradient()
        let y = x.gelu()
        let cdf = x.array.map { 0.5 * (1 + Foundation.erf(Double($0) / 2.0.squareRoot())) }
        let forward = zip(x.array, cdf).map { Float(Double($0) * $1) }
        expectClose(y, Tensor(forward, shape: x.shape), .forward)
        // Backward against the Double derivative Φ(x) + x·φ(x), weighted by x itself.
        let backward = zip(x.array, cdf).map { value, cdf in
            let x = Double(value)
            return Float(x * (cdf + x * Foundation.exp(-x * x / 2) / (2 * Double.pi).squareRoot()))
        }
        let gradient = (y * x.detached()).sum().gradients()[x]
        expectClose(gradient ?? Tensor.zeros([0]), Tensor(backward, shape: x.shape), .forward)
    }

    @Test("kinks use PyTorch's subgradients and clamp passes gradient at its bounds")
    func kinkConventions() {
        let x = Tensor([-1, 0, 0.5, 2]).requiringGradient()
        #expect(x.relu().sum().gradients()[x]?.array == [0, 0, 1, 1])
        #expect(x.abs().sum().gradients()[x]?.array == [-1, 0, 1, 1])
        #expect(x.clamped(min: 0, max: 0.5).sum().gradients()[x]?.array == [0, 1, 1, 0])
        #expect(x.clamped(min: 0, max: 0.5).array == [0, 0, 0.5, 0.5])
    }

    @Test("extreme inputs saturate instead of overflowing")
    func saturation() {
        let x = Tensor([-200, 200])
        #expect(x.sigmoid().array == [0, 1])
        #expect(x.quickGELU().array == [-0, 200])
        #expect(x.tanh().array == [-1, 1])
        #expect(Tensor([0]).log().array == [-.infinity])
    }
}
