import Testing
import VLTensor
import VLTestSupport
@testable import VLOptim

@Suite("SGD")
struct SGDTests {
    /// One scalar parameter, with values chosen so every intermediate is exact in binary.
    static func scalarRun(_ options: SGD.Options, gradients: [Float]) -> [Float] {
        var optimizer = SGD(options)
        var parameters = ["p": Tensor([1])]
        return gradients.map { g in
            parameters = optimizer.update(parameters, gradients: ["p": Tensor([g])], learningRate: 0.5)
            return parameters["p"]!.item
        }
    }

    @Test("momentum starts from the decayed gradient, then decays it (hand-computed)")
    func handComputedMomentum() {
        // d₁ = 2 + ¼·1 = 2.25 = b₁;  p₁ = 1 − ½·2.25 = −0.125
        // d₂ = 1 + ¼·(−0.125) = 0.96875;  b₂ = ½·2.25 + ½·0.96875 = 1.609375
        // p₂ = −0.125 − ½·1.609375 = −0.9296875
        let options = SGD.Options(momentum: 0.5, dampening: 0.5, weightDecay: 0.25)
        #expect(Self.scalarRun(options, gradients: [2, 1]) == [-0.125, -0.9296875])
    }

    @Test("Nesterov looks ahead along the buffer (hand-computed)")
    func handComputedNesterov() {
        // d₁ = 2.25 = b₁, step d = 2.25 + ½·2.25 = 3.375;  p₁ = 1 − 1.6875 = −0.6875
        // d₂ = 1 − 0.171875 = 0.828125;  b₂ = 1.125 + 0.828125 = 1.953125
        // step d = 0.828125 + 0.9765625 = 1.8046875;  p₂ = −0.6875 − 0.90234375 = −1.58984375
        let options = SGD.Options(momentum: 0.5, weightDecay: 0.25, nesterov: true)
        #expect(Self.scalarRun(options, gradients: [2, 1]) == [-0.6875, -1.58984375])
    }

    @Test("without momentum it is p − lr·(g + λp) and keeps no state")
    func plain() {
        let options = SGD.Options(weightDecay: 0.25)
        // p₁ = 1 − ½·2.25 = −0.125;  p₂ = −0.125 − ½·(1 − 0.03125) = −0.609375
        #expect(Self.scalarRun(options, gradients: [2, 1]) == [-0.125, -0.609375])
        var optimizer = SGD(options)
        _ = optimizer.update(Problem.parameters, gradients: Problem.gradients(step: 0), learningRate: 1)
        #expect(optimizer.state.isEmpty)
    }

    @Test(
        "five steps agree with the Double reference",
        arguments: [
            SGD.Options(), .dassl, SGD.Options(momentum: 0.9, dampening: 0.3, weightDecay: 0.01),
            SGD.Options(momentum: 0.8, weightDecay: 1e-3, nesterov: true),
        ])
    func agreesWithReference(options: SGD.Options) {
        var optimizer = SGD(options)
        var references = Problem.shapes.mapValues { _ in
            ReferenceSGD(
                momentum: options.momentum, dampening: options.dampening,
                weightDecay: options.weightDecay, nesterov: options.nesterov)
        }
        var parameters = Problem.parameters
        var expected = parameters.mapValues(doubles)
        for step in 0..<5 {
            let gradients = Problem.gradients(step: step)
            let rate = 0.1 / Double(step + 1)
            parameters = optimizer.update(parameters, gradients: gradients, learningRate: rate)
            for name in expected.keys {
                expected[name] = references[name]!.step(
                    expected[name]!, doubles(gradients[name]!), learningRate: rate)
                expectClose(
                    parameters[name]!, tensor(expected[name]!, shape: Problem.shapes[name]!),
                    .optimizerStep, "\(name) after step \(step + 1)")
            }
        }
    }

    @Test("a parameter without a gradient is returned as is, its buffer untouched")
    func missingGradient() {
        var optimizer = SGD(.dassl)
        let start = Problem.parameters
        let first = optimizer.update(start, gradients: Problem.gradients(step: 0), learningRate: 0.1)
        let bufferBefore = optimizer.state["bias.momentum_buffer"]!
        let partial = ["weight": Problem.gradients(step: 1)["weight"]!]
        let second = optimizer.update(first, gradients: partial, learningRate: 0.1)
        #expect(second["bias"]!.storage === first["bias"]!.storage)
        #expect(second["weight"]!.array != first["weight"]!.array)
        #expect(optimizer.state["bias.momentum_buffer"]!.array == bufferBefore.array)
    }

    @Test("updated parameters are fresh gradient leaves exactly when the inputs were")
    func gradientLeaves() {
        var optimizer = SGD(.dassl)
        let parameters = ["a": Tensor([1, 2]).requiringGradient(), "b": Tensor([3])]
        let gradients = ["a": Tensor([1, 1]), "b": Tensor([1])]
        let updated = optimizer.update(parameters, gradients: gradients, learningRate: 0.1)
        #expect(updated["a"]!.requiresGradient)
        #expect(!updated["b"]!.requiresGradient)
        let loss = (updated["a"]! * Tensor([3, 4])).sum()
        #expect(loss.gradients()[updated["a"]!]?.array == [3, 4])
    }

    @Test("large parameters split across threads give the same values as the reference")
    func largeParameter() {
        let count = 100_003
        let parameter = Tensor.uniform([count], in: -1...1, seed: 5)
        let gradient = Tensor.uniform([count], in: -1...1, seed: 6)
        var optimizer = SGD(.dassl)
        var reference = ReferenceSGD(momentum: 0.9, weightDecay: 5e-4)
        var p = ["x": parameter], expected = doubles(parameter)
        for _ in 0..<2 {
            p = optimizer.update(p, gradients: ["x": gradient], learningRate: 0.002)
            expected = reference.step(expected, doubles(gradient), learningRate: 0.002)
        }
        expectClose(p["x"]!, tensor(expected, shape: [count]), .optimizerStep)
    }
}
