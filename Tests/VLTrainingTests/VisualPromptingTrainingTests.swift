// Visual Prompting trained by the shared procedure: a 10-step SGD trajectory against PyTorch
// (tools/fixtures/visual_prompting.py), and end-to-end runs of it and of VPT-shallow and VPT-deep
// on pixels that leave CLIP unchanged.

import Foundation
import Testing
import VLCLIP
import VLData
import VLOptim
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
import VLTraining
@testable import VLMethods

@Suite("Visual Prompting training")
struct VisualPromptingTrainingTests {
    static func fixture() throws -> Fixture { try Fixture("visual_prompting/visual_prompting") }

    /// Visual Prompting on the fixture's classes, starting from its initial strips.
    static func method(clip: CLIP, fixture: Fixture) throws -> VisualPrompting {
        var method = try VisualPrompting(
            options: .init(), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: try TinyPrompts.classNames(fixture), seed: 1)
        var initial: [String: Tensor] = [:]
        for (name, _) in VisualPrompting.trainable { initial[name] = fixture["initial." + name] }
        try method.setTrainableTensors(initial)
        return method
    }

    @Test("10 SGD steps (momentum 0.9, no weight decay) follow PyTorch's losses and end at its strips")
    func trajectory() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Self.fixture())
        let hash = clip.contentHash()
        var method = try Self.method(clip: clip, fixture: fixture)
        var optimizer: any Optimizer = SGD(SGD.Options(momentum: 0.9, weightDecay: 0))
        let expected = fixture["losses"].array
        for step in 0..<expected.count {
            let labels = Array(fixture.integers("labels")[(step * 4)..<((step + 1) * 4)])
            let loss = trainingStep(
                &method, &optimizer, images: .pixels(TinyPrompts.step(fixture["pixels"], step)), labels: labels,
                clip: clip, learningRate: 2)
            expectClose(loss, expected[step], .trajectoryLoss, "step \(step)")
        }
        for (name, path) in VisualPrompting.trainable {
            expectClose(method[keyPath: path], fixture["final." + name], .trajectoryParameters, name)
        }
        #expect(clip.contentHash() == hash, "CLIP's weights are never written")
    }

    @Test(
        "train then evaluate on pixels: the prompts move, CLIP stays bit-identical and holds no gradient",
        arguments: [MethodKind.visualPrompting, .vptShallow, .vptDeep])
    func endToEnd(kind: MethodKind) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Self.fixture())
        let hash = clip.contentHash()
        let (data, _) = try TinyData.images(perClass: 4, fixture: fixture)
        let fresh = try MethodConfiguration(kind: kind).makeMethod(
            clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture), classNames: try TinyPrompts.classNames(fixture),
            seed: 2)
        var recipe = kind.officialRecipe(shots: 4, dataset: "world:shapes")
        (recipe.epochs, recipe.batchSize, recipe.learningRate) = (2, 8, 1)
        func run<Method: AdaptationMethod>(_ fresh: Method) throws {
            var method = fresh
            var epochs: [Int] = []
            _ = try train(&method, clip: clip, on: data, recipe: recipe, seed: 5) { event in
                if case .epochFinished(let epoch, _) = event { epochs.append(epoch) }
            }
            #expect(epochs == [0, 1])
            for (name, _) in Method.trainable {
                #expect(method.trainableTensors[name]!.array != fresh.trainableTensors[name]!.array, "\(name) trained")
            }
            #expect(method.trainableTensors.values.allSatisfy { $0.array.allSatisfy(\.isFinite) })
            let result = try evaluate(method, clip: clip, on: data, batchSize: 7)
            #expect(result.metrics.count == 20)
        }
        try run(fresh)
        #expect(clip.contentHash() == hash)
        #expect(!clip.namedParameters().contains { $0.tensor.requiresGradient })
    }
}
