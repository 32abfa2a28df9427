// VLOptim against the PyTorch fixtures written by tools/fixtures/optim.py
// (see Tests/Fixtures/optim/README.md for what each file holds).

import Testing
import VLTensor
import VLTestSupport
@testable import VLOptim

@Suite("against torch.optim")
struct TorchParityTests {
    static let optimizers: [(fixture: String, configuration: OptimizerConfiguration)] = [
        ("sgd", .sgd(.dassl)),
        ("sgd_plain", .sgd(SGD.Options())),
        ("sgd_nesterov", .sgd(SGD.Options(momentum: 0.9, weightDecay: 1e-3, nesterov: true))),
        ("adam", .adam(AdamOptions(epsilon: 1e-3, weightDecay: 5e-4))),
        ("adam_default", .adam(AdamOptions())),
        ("adamw", .adamW(AdamOptions(weightDecay: 0.01))),
    ]
    static let names = ["param0", "param1"]

    @Test("five steps follow torch's trajectory, and the final state matches torch's",
          arguments: optimizers)
    func trajectory(fixture: String, configuration: OptimizerConfiguration) throws {
        let f = try Fixture("optim/\(fixture)")
        var optimizer = try configuration.makeOptimizer()
        var parameters = ["param0": f["param0_initial"], "param1": f["param1_initial"]]
        let rates = f["learning_rates"].array, mask = f["param1_gradient_mask"].array
        for step in 0..<5 {
            var gradients = ["param0": f["param0_grad\(step)"]]
            if mask[step] == 1 { gradients["param1"] = f["param1_grad\(step)"] }
            parameters = optimizer.update(
                parameters, gradients: gradients, learningRate: Double(rates[step]))
            for name in Self.names {
                expectClose(
                    parameters[name]!, f["\(name)_step\(step + 1)"], .optimizerStep,
                    "\(fixture) \(name) after step \(step + 1)")
            }
        }
        let slots = Self.slots(configuration)
        #expect(optimizer.state.keys.sorted() == Self.names.flatMap { name in slots.map { "\(name).\($0)" } })
        for (key, value) in optimizer.state {
            expectClose(value, f["state.\(key)"], .optimizerStep, "\(fixture) \(key)")
        }
    }

    /// The slots torch keeps for a configuration.
    static func slots(_ configuration: OptimizerConfiguration) -> [String] {
        switch configuration {
        case .sgd(let options): options.momentum == 0 ? [] : ["momentum_buffer"]
        case .adam, .adamW: ["exp_avg", "exp_avg_sq", "step"]
        }
    }

    static let schedules: [(fixture: String, schedule: LearningRateSchedule)] = [
        ("dassl_ep10", .dassl(baseLearningRate: 0.002, maximumEpoch: 10)),
        ("dassl_ep50", .dassl(baseLearningRate: 0.002, maximumEpoch: 50)),
        ("maple_ep5", .dassl(baseLearningRate: 0.0035, maximumEpoch: 5)),
        ("linear_warmup3_ep20", LearningRateSchedule(
            baseLearningRate: 0.01, decay: .cosine(steps: 20),
            warmup: .linear(steps: 3, startLearningRate: 1e-5))),
        ("dapl_per_iteration", LearningRateSchedule(
            baseLearningRate: 3e-3, decay: .cosine(steps: 25),
            warmup: .linear(steps: 1, startLearningRate: 1e-5), stepping: .perIteration)),
    ]

    @Test("schedules give torch's CosineAnnealingLR behind Dassl's warm-up", arguments: schedules)
    func schedule(fixture: String, schedule: LearningRateSchedule) throws {
        let expected = try Fixture("optim/schedules")[fixture].array
        // Per-iteration schedules are read through (epoch, iteration) with 13 batches per epoch.
        let iterationsPerEpoch = schedule.stepping == .perIteration ? 13 : 1
        for (step, rate) in expected.enumerated() {
            let actual = schedule.learningRate(
                epoch: step / iterationsPerEpoch, iteration: step % iterationsPerEpoch,
                iterationsPerEpoch: iterationsPerEpoch)
            #expect(
                Tolerance.storedFloat32.accepts(actual, Double(rate)),
                "\(fixture) step \(step): \(actual) vs torch \(rate)")
        }
    }

    @Test("clipping matches torch.nn.utils.clip_grad_norm_")
    func clipping() throws {
        let f = try Fixture("optim/clip")
        let clipped = clippedByGlobalNorm(
            ["param0": f["param0_grad"], "param1": f["param1_grad"]],
            maximumNorm: Double(f["maximum_norm"].item))
        expectClose(Float(clipped.norm), f["norm"].item, .forward, "norm")
        #expect(clipped.norm > Double(f["maximum_norm"].item), "the fixture must actually clip")
        for name in Self.names {
            expectClose(clipped.gradients[name]!, f["\(name)_clipped"], .forward, name)
        }
    }
}
