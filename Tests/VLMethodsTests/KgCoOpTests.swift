// KgCoOp against the PyTorch implementation of the official loss (tools/fixtures/kgcoop.py),
// against central differences, and its options, anchor and class-name handling.

import Foundation
import Testing
import VLCLIP
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
@testable import VLMethods

extension TinyPrompts {
    static func kgcoop() throws -> Fixture { try Fixture("kgcoop/kgcoop") }

    /// The KgCoOp fixture's variants by name, as options.
    static func kgcoopVariants(_ fixture: Fixture) throws -> [(name: String, options: KgCoOp.Options)] {
        try optionVariants(of: KgCoOp.self, fixture)
    }

    /// KgCoOp for a fixture variant, starting from the fixture's initial context.
    static func kgcoop(_ name: String, _ options: KgCoOp.Options, clip: CLIP, fixture: Fixture) throws -> KgCoOp {
        try method(KgCoOp.self, name, options, clip: clip, fixture: fixture)
    }
}

@Suite("KgCoOp")
struct KgCoOpTests {
    /// Loss of `method` on the fixture's first batch, and its gradient for the context.
    static func firstStep(_ method: KgCoOp, clip: CLIP, fixture: Fixture) -> (loss: Float, gradient: Tensor) {
        let live = method.requiringGradients()
        let features = TinyPrompts.step(fixture["image_features"], 0)
        let loss = live.loss(.features(features), labels: TinyPrompts.labels(fixture, step: 0, batch: 6), clip: clip)
        return (loss.item, loss.gradients().gradient(for: live.prompt.context))
    }

    @Test("the anchor is the template's normalized features from the frozen CLIP")
    func anchor() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.kgcoop())
        for (name, options) in try TinyPrompts.kgcoopVariants(fixture) {
            let method = try TinyPrompts.kgcoop(name, options, clip: clip, fixture: fixture)
            expectClose(method.anchor.classifier, fixture["anchor"], .model, "\(name) anchor")
        }
    }

    @Test("first-step loss and context gradient match PyTorch for every variant")
    func gradientParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.kgcoop())
        for (name, options) in try TinyPrompts.kgcoopVariants(fixture) {
            let method = try TinyPrompts.kgcoop(name, options, clip: clip, fixture: fixture)
            let (loss, gradient) = Self.firstStep(method, clip: clip, fixture: fixture)
            expectClose(loss, fixture["\(name).losses"].array[0], .model, "\(name) loss")
            expectClose(gradient, fixture["\(name).first_gradient"], .cancellingGradient, "\(name) gradient")
        }
    }

    @Test("context gradients agree with central differences", arguments: ["words", "specific_random"])
    func finiteDifferences(variant: String) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.kgcoop())
        let options = try TinyPrompts.kgcoopVariants(fixture).first { $0.name == variant }!.options
        let method = try TinyPrompts.kgcoop(variant, options, clip: clip, fixture: fixture)
        let features = TinyPrompts.step(fixture["image_features"], 0)
        let labels = TinyPrompts.labels(fixture, step: 0, batch: 6)
        // The same step as CoOp's check: the context's scale (0.02 random, ~0.1 from words).
        checkGradients(at: [method.prompt.context], step: 1e-3) { inputs in
            var probe = method
            probe.prompt.context = inputs[0]
            return probe.loss(.features(features), labels: labels, clip: clip)
        }
    }

    @Test("weight 0 leaves CoOp's loss; the regularizer is W · (1 − mean cos)")
    func regularizer() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.kgcoop())
        let options = try TinyPrompts.kgcoopVariants(fixture).first { $0.name == "words" }!.options
        var method = try TinyPrompts.kgcoop("words", options, clip: clip, fixture: fixture)
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 0))
        let labels = TinyPrompts.labels(fixture, step: 0, batch: 6)
        let crossEntropy = method.prompt.loss(features, labels: labels, clip: clip).item

        let text = method.prompt.textFeatures(clip: clip).normalized().array
        let anchor = method.anchor.classifier.array
        let width = clip.configuration.embeddingWidth
        let meanCosine = stride(from: 0, to: text.count, by: width).map { start in
            (start..<(start + width)).reduce(0.0) { $0 + Double(text[$1]) * Double(anchor[$1]) }
        }.reduce(0, +) / Double(method.classNames.count)
        let total = method.loss(features, labels: labels, clip: clip).item
        expectClose(total, Float(Double(crossEntropy) + 8 * (1 - meanCosine)), .model, "W = 8")

        var unweighted = method.options
        unweighted.weight = 0
        method = try KgCoOp(
            options: unweighted, clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: method.classNames, seed: 1)
        #expect(method.loss(features, labels: labels, clip: clip).item == method.prompt.loss(features, labels: labels, clip: clip).item)
    }

    @Test("new class names rebuild prompts and anchor and keep the learned context")
    func newClassNames() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.kgcoop())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        let options = try TinyPrompts.kgcoopVariants(fixture).first { $0.name == "unified_random" }!.options
        var method = try TinyPrompts.kgcoop("unified_random", options, clip: clip, fixture: fixture)
        let context = method.prompt.context.array
        let names = ["w9 w10", "w11", "w12"]
        try method.setClassNames(names, clip: clip, tokenizer: tokenizer)
        #expect(method.classNames == names)
        #expect(method.prompt.context.array == context)
        let zeroShot = try ZeroShot(
            options: ZeroShot.Options(templates: [options.template]), clip: clip, tokenizer: tokenizer,
            classNames: names, seed: 1)
        #expect(method.anchor.classifier.array == zeroShot.classifier.array)
        #expect(method.anchor.classifier.shape == [3, 32])
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 1))
        #expect(method.logits(features, clip: clip).shape == [6, 3])
        #expect(method.loss(features, labels: [0, 1, 2, 0, 1, 2], clip: clip).item.isFinite)
    }

    @Test("options: official defaults, explicit null for random context, per-dataset templates")
    func options() throws {
        let defaults = try JSONDecoder().decode(KgCoOp.Options.self, from: Data("{}".utf8))
        #expect(defaults == KgCoOp.Options())
        #expect(defaults.initialWords == "a photo of a" && defaults.weight == 8 && defaults.contextLength == 4)
        let random = try JSONDecoder().decode(KgCoOp.Options.self, from: Data(#"{"initialWords": null}"#.utf8))
        #expect(random.initialWords == nil)
        #expect(try JSONDecoder().decode(KgCoOp.Options.self, from: JSONEncoder().encode(random)) == random)
        #expect(KgCoOp.Options(dataset: "DescribableTextures").template == "a photo of a {}, a type of texture.")
        #expect(KgCoOp.Options(dataset: "world:shapes").template == "a photo of a {}.")
        let recipe = MethodKind.kgcoop.officialRecipe(shots: 4, dataset: "ImageNet")
        #expect(recipe.epochs == 100 && recipe.batchSize == 128 && recipe.learningRate == 0.002)

        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.kgcoop())
        let method = try KgCoOp(
            options: KgCoOp.Options(), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: try TinyPrompts.classNames(fixture), seed: 1)
        #expect(method.prompt.context.shape == [4, 48] && method.trainableCount == 4 * 48)
        #expect(method.prompt.options.classTokenPosition == .end)
        #expect(method.configuration == .kgcoop(KgCoOp.Options()))
        #expect(throws: MethodError.self) {
            try KgCoOp(
                options: KgCoOp.Options(weight: -1), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
                classNames: ["w1"], seed: 1)
        }
    }
}
