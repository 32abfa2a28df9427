import Testing
import VLTensor
import VLTestSupport
@testable import VLOptim

@Suite("optimizer state")
struct OptimizerStateTests {
    static let configurations: [OptimizerConfiguration] = [
        .sgd(.dassl), .sgd(SGD.Options(momentum: 0.9, nesterov: true)),
        .adam(AdamOptions(epsilon: 1e-3, weightDecay: 5e-4)), .adamW(.adamW),
    ]

    /// Runs `steps` (indices into ``Problem/gradients(step:)``) with a schedule-like rate.
    static func run(
        _ optimizer: inout any Optimizer, _ parameters: [String: Tensor], steps: Range<Int>
    ) -> [String: Tensor] {
        steps.reduce(parameters) { parameters, step in
            optimizer.update(
                parameters, gradients: Problem.gradients(step: step),
                learningRate: 0.01 * Double(5 - step))
        }
    }

    @Test("resuming from state exported after 3 steps matches 5 uninterrupted steps bit for bit",
          arguments: configurations)
    func roundTrip(configuration: OptimizerConfiguration) throws {
        var uninterrupted = try configuration.makeOptimizer()
        let expected = Self.run(&uninterrupted, Problem.parameters, steps: 0..<5)

        var first = try configuration.makeOptimizer()
        let middle = Self.run(&first, Problem.parameters, steps: 0..<3)
        var resumed = try configuration.makeOptimizer()
        try resumed.restore(first.state, parameters: middle)
        let final = Self.run(&resumed, middle, steps: 3..<5)

        for name in expected.keys { #expect(final[name]!.array == expected[name]!.array, "\(name)") }
        for (key, value) in uninterrupted.state {
            #expect(resumed.state[key]?.array == value.array, "\(key)")
        }
    }

    @Test("copies are independent, and exported state is a snapshot", arguments: configurations)
    func valueSemantics(configuration: OptimizerConfiguration) throws {
        var original = try configuration.makeOptimizer()
        let parameters = Self.run(&original, Problem.parameters, steps: 0..<2)
        let snapshot = original.state
        var copy = original
        _ = Self.run(&copy, parameters, steps: 2..<4)
        for (key, value) in snapshot {
            #expect(original.state[key]!.array == value.array, "original \(key) changed")
            if key.hasSuffix("step") { continue }
            #expect(copy.state[key]!.array != value.array, "copy \(key) did not step")
        }
        // The original continues exactly as if the copy never existed.
        var fresh = try configuration.makeOptimizer()
        let reference = Self.run(&fresh, Problem.parameters, steps: 0..<3)
        let continued = Self.run(&original, parameters, steps: 2..<3)
        for name in reference.keys { #expect(continued[name]!.array == reference[name]!.array) }
    }

    @Test("bad state is rejected with the offending key, leaving the optimizer unchanged")
    func rejectsBadState() throws {
        var optimizer = Adam()
        let parameters = optimizer.update(
            Problem.parameters, gradients: Problem.gradients(step: 0), learningRate: 0.1)
        let good = optimizer.state
        func rejects(_ state: [String: Tensor], _ error: OptimizerStateError) {
            #expect(throws: error) { try optimizer.restore(state, parameters: parameters) }
            #expect(optimizer.state.mapValues(\.array) == good.mapValues(\.array))
        }
        var state = good
        state["bias.momentum_buffer"] = Tensor.zeros([7])
        rejects(state, .unknownSlot(
            key: "bias.momentum_buffer", expected: ["exp_avg", "exp_avg_sq", "step"]))
        state = good
        state["head.exp_avg"] = Tensor.zeros([7])
        rejects(state, .unknownParameter(key: "head.exp_avg"))
        state = good
        state["weight.exp_avg_sq"] = Tensor.zeros([5, 3])
        rejects(state, .shapeMismatch(key: "weight.exp_avg_sq", expected: [3, 5], found: [5, 3]))
        state = good
        state["bias.step"] = Tensor(scalar: 1.5)
        rejects(state, .invalidStep(key: "bias.step", value: "1.5"))
        state = good
        state["bias.step"] = Tensor([1, 2])
        rejects(state, .invalidStep(key: "bias.step", value: "shape [2]"))
        state = good
        state["bias.exp_avg"] = nil
        rejects(state, .missingSlot(key: "bias.exp_avg"))
    }

    @Test("SGD without momentum accepts only empty state")
    func plainSGDState() throws {
        var optimizer = SGD()
        try optimizer.restore([:], parameters: Problem.parameters)
        #expect(throws: OptimizerStateError.unknownSlot(key: "bias.momentum_buffer", expected: [])) {
            try optimizer.restore(["bias.momentum_buffer": Tensor.zeros([7])], parameters: Problem.parameters)
        }
    }

    @Test("parameter names may contain dots")
    func dottedNames() throws {
        var optimizer = SGD(SGD.Options(momentum: 0.9))
        let parameters = ["prompt_learner.ctx": Tensor([1, 2])]
        let updated = optimizer.update(
            parameters, gradients: ["prompt_learner.ctx": Tensor([1, 1])], learningRate: 0.1)
        #expect(Array(optimizer.state.keys) == ["prompt_learner.ctx.momentum_buffer"])
        var restored = SGD(SGD.Options(momentum: 0.9))
        try restored.restore(optimizer.state, parameters: updated)
        #expect(restored.state["prompt_learner.ctx.momentum_buffer"]!.array == [1, 1])
    }
}
