// KgCoOp trained by the shared procedure: a 10-step SGD trajectory against the PyTorch
// implementation of the official loss (tools/fixtures/kgcoop.py), and a full run that leaves
// the frozen CLIP, which also computed the anchor, bit-identical.

import Foundation
import Testing
import VLCLIP
import VLMethods
import VLOptim
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
import VLTraining

@Suite("KgCoOp training")
struct KgCoOpTrainingTests {
    static func fixture() throws -> Fixture { try Fixture("kgcoop/kgcoop") }

    /// The fixture's variants, each starting from its initial context.
    static func variants(clip: CLIP, fixture: Fixture) throws -> [(name: String, method: KgCoOp)] {
        try TinyPrompts.contextVariants(of: KgCoOp.self, clip: clip, fixture: fixture)
    }

    @Test("10 SGD steps follow PyTorch's losses and end at its context, every variant")
    func trajectory() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Self.fixture())
        let learningRate = Double(fixture.metadata["learning_rate"]!)!
        for (name, start) in try Self.variants(clip: clip, fixture: fixture) {
            var method = start
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

    @Test("training leaves the frozen CLIP bit-identical and moves the context")
    func frozenCLIP() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Self.fixture())
        let hash = clip.contentHash()
        var method = try Self.variants(clip: clip, fixture: fixture).first { $0.name == "words" }!.method
        let initial = method.prompt.context.array
        let (data, _) = try TinyData.images(perClass: 2, fixture: fixture)
        let recipe = TrainingRecipe(epochs: 2, batchSize: 4, learningRate: 0.1)
        let summary = try train(&method, clip: clip, on: data, recipe: recipe, seed: 3)
        #expect(summary.finalLoss?.isFinite == true)
        #expect(method.prompt.context.array != initial)
        #expect(clip.contentHash() == hash)
        #expect(!clip.namedParameters().contains { $0.tensor.requiresGradient })
    }
}
