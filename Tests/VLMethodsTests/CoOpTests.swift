// CoOp against the PyTorch implementation of the official math (tools/fixtures/coop.py), against
// central differences, and its three text paths against one another.

import Testing
import VLCLIP
import VLTensor
import VLMethodsTestSupport
import VLTestSupport

@testable import VLMethods

@Suite("CoOp")
struct CoOpTests {
    /// Loss of `method` on the fixture's first batch, and its gradient for the context.
    static func firstStep(_ method: CoOp, clip: CLIP, fixture: Fixture) -> (loss: Float, gradient: Tensor) {
        let live = method.requiringGradients()
        let features = TinyPrompts.step(fixture["image_features"], 0)
        let loss = live.loss(.features(features), labels: TinyPrompts.labels(fixture, step: 0, batch: 6), clip: clip)
        return (loss.item, loss.gradients().gradient(for: live.context))
    }

    @Test("first-step context gradient matches PyTorch for every variant")
    func gradientParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        for (name, options) in try TinyPrompts.variants(fixture) {
            let method = try TinyPrompts.coop(name, options, clip: clip, fixture: fixture)
            let (loss, gradient) = Self.firstStep(method, clip: clip, fixture: fixture)
            expectClose(loss, fixture["\(name).losses"].array[0], .model, "\(name) loss")
            expectClose(gradient, fixture["\(name).first_gradient"], .gradient, "\(name) gradient")
        }
    }

    @Test("word initialization copies the phrase's token embeddings")
    func wordInitialization() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let method = try CoOp(
            options: CoOp.Options(contextLength: 16, classSpecific: true, initialWords: "a_photo_of_a"), clip: clip,
            tokenizer: try TinyPrompts.tokenizer(fixture), classNames: try TinyPrompts.classNames(fixture), seed: 3)
        #expect(method.options.contextLength == 4)
        #expect(method.options.initialWords == "a photo of a")
        #expect(method.context.shape == [4, 48], "word initialization gives a unified context, as the official code")
        #expect(method.context.array == fixture["unified_end_words.initial_ctx"].array)
    }

    @Test("random initialization is N(0, 0.02²), class-specific when asked")
    func randomInitialization() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let method = try CoOp(
            options: CoOp.Options(contextLength: 8, classSpecific: true), clip: clip,
            tokenizer: try TinyPrompts.tokenizer(fixture), classNames: ["w1", "w4", "w8"], seed: 3)
        #expect(method.context.shape == [3, 8, 48])
        let values = method.context.array.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let deviation = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        #expect(abs(mean) < 0.002 && abs(deviation - 0.02) < 0.002, "mean \(mean), deviation \(deviation)")
    }

    @Test("full, truncated and shared-prefix text paths give the same loss and gradients")
    func pathsAgree() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        for (name, options) in try TinyPrompts.variants(fixture) {
            var method = try TinyPrompts.coop(name, options, clip: clip, fixture: fixture)
            #expect(method.prompts.path == .sharedPrefix)
            let shared = Self.firstStep(method, clip: clip, fixture: fixture)
            for path in [TextEncodingPath.full, .truncated] {
                method.prompts.path = path
                let other = Self.firstStep(method, clip: clip, fixture: fixture)
                expectClose(shared.loss, other.loss, .exactShortcut, "\(name) \(path) loss")
                expectClose(shared.gradient, other.gradient, .exactShortcut, "\(name) \(path) gradient")
            }
        }
    }

    @Test(
        "context gradients agree with central differences",
        arguments: ["unified_end_random", "specific_middle_random", "unified_front_random"])
    func finiteDifferences(variant: String) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let options = try TinyPrompts.variants(fixture).first { $0.name == variant }!.options
        let method = try TinyPrompts.coop(variant, options, clip: clip, fixture: fixture)
        let features = TinyPrompts.step(fixture["image_features"], 0)
        let labels = TinyPrompts.labels(fixture, step: 0, batch: 6)
        // Context entries are ~0.02 and the loss bends sharply at that scale (logit scale 20):
        // a step of 1e-3 keeps the truncation error small; rounding stays ~1e-7 · 2 / 1e-3.
        checkGradients(at: [method.context], step: 1e-3) { inputs in
            var probe = method
            probe.context = inputs[0]
            return probe.loss(.features(features), labels: labels, clip: clip)
        }
    }

    @Test("new class names rebuild the prompts and keep the learned context")
    func newClassNames() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        let options = try TinyPrompts.variants(fixture).first { $0.name == "unified_middle_random" }!.options
        var method = try TinyPrompts.coop("unified_middle_random", options, clip: clip, fixture: fixture)
        let context = method.context.array
        try method.setClassNames(["w9 w10", "w11", "w12"], clip: clip, tokenizer: tokenizer)
        #expect(method.classNames == ["w9 w10", "w11", "w12"])
        #expect(method.context.array == context)
        let fresh = try TinyPrompts.coop("unified_middle_random", options, clip: clip, fixture: fixture)
        var rebuilt = fresh
        try rebuilt.setClassNames(["w9 w10", "w11", "w12"], clip: clip, tokenizer: tokenizer)
        let features = TinyPrompts.step(fixture["image_features"], 1)
        #expect(method.logits(.features(features), clip: clip).shape == [6, 3])
        #expect(
            method.logits(.features(features), clip: clip).array
                == rebuilt.logits(.features(features), clip: clip).array)

        let specific = try TinyPrompts.variants(fixture).first { $0.name == "specific_end_random" }!.options
        var classSpecific = try TinyPrompts.coop("specific_end_random", specific, clip: clip, fixture: fixture)
        #expect(throws: MethodError.self) {
            try classSpecific.setClassNames(["w9", "w10"], clip: clip, tokenizer: tokenizer)
        }
    }

    @Test("prompts longer than the context are refused, naming the class")
    func tooLong() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        #expect(throws: MethodError.promptTooLong(className: "w1 w2 w3", tokens: 17, contextLength: 16)) {
            try CoOp(
                options: CoOp.Options(contextLength: 11), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
                classNames: ["w1", "w1 w2 w3"], seed: 1)
        }
    }
}
