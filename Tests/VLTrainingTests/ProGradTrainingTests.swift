// ProGrad trained by the shared procedure: a 10-step SGD trajectory on the projected gradients
// against the PyTorch implementation of the official update (tools/fixtures/prograd.py).

import Foundation
import Testing
import VLCLIP
import VLMethods
import VLOptim
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
import VLTraining

@Suite("ProGrad training")
struct ProGradTrainingTests {
    @Test("10 SGD steps on projected gradients follow PyTorch's losses and end at its context")
    func trajectory() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Fixture("prograd/prograd"))
        let learningRate = Double(fixture.metadata["learning_rate"]!)!
        let table = try JSONDecoder().decode(
            [String: ProGrad.Options].self, from: Data(fixture.metadata["variants"]!.utf8))
        for (name, options) in table.sorted(by: { $0.key < $1.key }) {
            #expect(fixture.integers("\(name).projected").contains(1), "\(name): the projection is exercised")
            var method = try ProGrad(
                options: options, clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
                classNames: try TinyPrompts.classNames(fixture), seed: 1)
            var optimizer: any Optimizer = SGD(SGD.Options(momentum: 0.9, weightDecay: 5e-4))
            let expected = fixture["\(name).losses"].array
            for step in 0..<expected.count {
                let loss = trainingStep(
                    &method, &optimizer, images: .features(TinyPrompts.step(fixture["image_features"], step)),
                    labels: TinyPrompts.labels(fixture, step: step, batch: 6), clip: clip, learningRate: learningRate)
                expectClose(loss, expected[step], .trajectoryLoss, "\(name) step \(step)")
            }
            expectClose(method.prompt.context, fixture["\(name).final_ctx"], .trajectoryParameters, "\(name) final context")
        }
    }
}
