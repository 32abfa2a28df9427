// 10-step training trajectories of CoOp (every variant) and CoCoOp against the PyTorch
// implementation of the official math with torch.optim.SGD (tools/fixtures/coop.py).

import Foundation
import Testing
import VLCLIP
import VLMethods
import VLOptim
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
import VLTraining

@Suite("training trajectories")
struct TrajectoryTests {
    static func optimizer(_ fixture: Fixture) -> any Optimizer {
        SGD(SGD.Options(momentum: 0.9, weightDecay: 5e-4))
    }

    static func learningRate(_ fixture: Fixture) -> Double { Double(fixture.metadata["learning_rate"]!)! }

    @Test("CoOp: 10 SGD steps follow PyTorch's losses and end at its context, every variant")
    func coop() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        for (name, options) in try TinyPrompts.variants(fixture) {
            var method = try TinyPrompts.coop(name, options, clip: clip, fixture: fixture)
            var optimizer = Self.optimizer(fixture)
            let expected = fixture["\(name).losses"].array
            for step in 0..<expected.count {
                let loss = trainingStep(
                    &method, &optimizer, images: .features(TinyPrompts.step(fixture["image_features"], step)),
                    labels: TinyPrompts.labels(fixture, step: step, batch: 6), clip: clip,
                    learningRate: Self.learningRate(fixture))
                expectClose(loss, expected[step], .trajectoryLoss, "\(name) step \(step)")
            }
            expectClose(method.context, fixture["\(name).final_ctx"], .trajectoryParameters, "\(name) final context")
        }
    }

    @Test("CoCoOp: 10 SGD steps on pixels follow PyTorch's losses and end at its tensors")
    func cocoop() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.cocoop())
        var method = try TinyPrompts.cocoop(clip: clip, fixture: fixture)
        var optimizer = Self.optimizer(fixture)
        let expected = fixture["losses"].array
        for step in 0..<expected.count {
            let loss = trainingStep(
                &method, &optimizer, images: .pixels(TinyPrompts.step(fixture["pixels"], step)),
                labels: TinyPrompts.labels(fixture, step: step, batch: 2), clip: clip,
                learningRate: Self.learningRate(fixture))
            expectClose(loss, expected[step], .trajectoryLoss, "step \(step)")
        }
        for (name, tensor) in method.trainableTensors {
            expectClose(tensor, fixture["final." + name], .trajectoryParameters, name)
        }
    }
}
