import Foundation
import Testing
import VLTensor
import VLTestSupport
@testable import VLOptim

@Suite("Adam and AdamW")
struct AdamTests {
    /// β₁ = ½ and β₂ = ¾ keep the first step's arithmetic exact in binary.
    static let exact = AdamOptions(beta1: 0.5, beta2: 0.75, epsilon: 0, weightDecay: 0.5)

    @Test("the first step moves each value by lr·g/(|g| + ε), after the decay (hand-computed)")
    func firstStep() {
        // Adam: g = 2 + ½·1 = 2.5, m = 1.25, v = 1.5625, m̂ = 2.5, √v̂ = 2.5 → p = 1 − ½ = 0.5.
        var adam = Adam(Self.exact)
        let fromAdam = adam.update(["p": Tensor([1])], gradients: ["p": Tensor([2])], learningRate: 0.5)
        #expect(fromAdam["p"]!.item == 0.5)
        // AdamW: p = (1 − ½·½)·1 = 0.75, then the same unit step of ½ → 0.25.
        var adamW = AdamW(Self.exact)
        let fromAdamW = adamW.update(["p": Tensor([1])], gradients: ["p": Tensor([2])], learningRate: 0.5)
        #expect(fromAdamW["p"]!.item == 0.25)
    }

    @Test("the second step applies both bias corrections (hand-computed)")
    func secondStep() {
        var adam = Adam(AdamOptions(beta1: 0.5, beta2: 0.75, epsilon: 1e-3))
        var p = adam.update(["p": Tensor([1])], gradients: ["p": Tensor([2])], learningRate: 0.5)
        p = adam.update(p, gradients: ["p": Tensor([1])], learningRate: 0.5)
        // p₁ = 1 − ½·2/(2 + 1e-3);  m₂ = 1, v₂ = ¾·1 + ¼·1 = 1 (from m₁ = 1, v₁ = 1)
        let p1 = 1 - 0.5 * 2 / (2 + 1e-3)
        let p2 = p1 - (0.5 / (1 - 0.25)) * 1 / (1 / (1 - 0.5625).squareRoot() + 1e-3)
        expectClose(p["p"]!.item, Float(p2), .optimizerStep)
    }

    @Test(
        "five steps agree with the Double reference",
        arguments: [
            (AdamOptions(), false), (AdamOptions(epsilon: 1e-3, weightDecay: 5e-4), false),
            (AdamOptions.adamW, true), (AdamOptions(beta1: 0.3, beta2: 0.9, weightDecay: 0.1), true),
        ])
    func agreesWithReference(options: AdamOptions, decoupled: Bool) {
        var optimizer: any Optimizer = decoupled ? AdamW(options) : Adam(options)
        var references = Problem.shapes.mapValues { _ in
            ReferenceAdam(
                beta1: options.beta1, beta2: options.beta2, epsilon: options.epsilon,
                weightDecay: options.weightDecay, decoupled: decoupled)
        }
        var parameters = Problem.parameters
        var expected = parameters.mapValues(doubles)
        for step in 0..<5 {
            let gradients = Problem.gradients(step: step)
            let rate = 0.01 / Double(step + 1)
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

    @Test("step counts are per parameter: one without a gradient does not advance")
    func perParameterSteps() {
        var shared = AdamW()
        var parameters = Problem.parameters
        parameters = shared.update(
            parameters, gradients: ["weight": Problem.gradients(step: 0)["weight"]!], learningRate: 0.1)
        parameters = shared.update(parameters, gradients: Problem.gradients(step: 1), learningRate: 0.1)
        #expect(shared.state["weight.step"]!.item == 2)
        #expect(shared.state["bias.step"]!.item == 1)
        // The bias took its first step (t = 1) in the second update, as alone.
        var alone = AdamW()
        let expected = alone.update(
            ["bias": Problem.parameters["bias"]!],
            gradients: ["bias": Problem.gradients(step: 1)["bias"]!], learningRate: 0.1)
        #expect(parameters["bias"]!.array == expected["bias"]!.array)
    }

    @Test("state holds PyTorch's slot names with the parameter's shape")
    func stateLayout() {
        var optimizer = Adam()
        _ = optimizer.update(Problem.parameters, gradients: Problem.gradients(step: 0), learningRate: 0.1)
        let state = optimizer.state
        #expect(
            state.keys.sorted() == [
                "bias.exp_avg", "bias.exp_avg_sq", "bias.step",
                "weight.exp_avg", "weight.exp_avg_sq", "weight.step",
            ])
        #expect(state["weight.exp_avg"]!.shape == [3, 5])
        #expect(state["weight.step"]!.shape == [])
        // m₁ = (1 − β₁)·g
        expectClose(
            state["bias.exp_avg"]!, Problem.gradients(step: 0)["bias"]! * 0.1, .optimizerStep)
    }
}
