// PLOT against the PyTorch implementation of the official math (tools/fixtures/plot.py), against
// central differences, and its options, inference cache, prompt file and class-name handling.

import Foundation
import Testing
import VLCLIP
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
@testable import VLMethods

extension TinyPrompts {
    static func plot() throws -> Fixture { try Fixture("plot/plot") }

    /// The PLOT fixture's variants by name, as options.
    static func plotVariants(_ fixture: Fixture) throws -> [(name: String, options: PLOT.Options)] {
        try optionVariants(of: PLOT.self, fixture)
    }

    /// PLOT for a fixture variant, starting from the fixture's initial context.
    static func plot(_ name: String, _ options: PLOT.Options, clip: CLIP, fixture: Fixture) throws -> PLOT {
        try method(PLOT.self, name, options, clip: clip, fixture: fixture)
    }

    /// The projected tokens `[4, 17, 32]` of the fixture's batch `step`.
    static func plotTokens(_ fixture: Fixture, step: Int) -> ImageBatch {
        .tokenFeatures(Self.step(fixture["token_features"], step))
    }
}

@Suite("PLOT")
struct PLOTTests {
    @Test("word initialization gives each prompt its phrase's token embeddings, as PyTorch")
    func wordInitialization() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.plot())
        let options = try TinyPrompts.plotVariants(fixture).first { $0.name == "words" }!.options
        let method = try PLOT(
            options: options, clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: try TinyPrompts.classNames(fixture), seed: 1)
        #expect(method.context.array == fixture["words.initial_ctx"].array)
    }

    @Test("first-step loss and context gradient match PyTorch for every variant")
    func gradientParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.plot())
        for (name, options) in try TinyPrompts.plotVariants(fixture) {
            let live = try TinyPrompts.plot(name, options, clip: clip, fixture: fixture).requiringGradients()
            let loss = live.loss(
                TinyPrompts.plotTokens(fixture, step: 0), labels: TinyPrompts.labels(fixture, step: 0, batch: 4),
                clip: clip)
            expectClose(loss.item, fixture["\(name).losses"].array[0], .model, "\(name) loss")
            let gradient = loss.gradients().gradient(for: live.context)
            expectClose(gradient, fixture["\(name).first_gradient"], .gradient, "\(name) gradient")
        }
    }

    @Test("context gradients agree with central differences (plan held fixed, as under no_grad)")
    func finiteDifferences() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.plot())
        let options = try TinyPrompts.plotVariants(fixture).first { $0.name == "global" }!.options
        let method = try TinyPrompts.plot("global", options, clip: clip, fixture: fixture)
        let tokens = TinyPrompts.step(fixture["token_features"], 0)
        let labels = TinyPrompts.labels(fixture, step: 0, batch: 4)
        // PLOT differentiates Σ T*·S with T* a constant; the finite differences see T* move with
        // the context, so they are taken with the plan frozen at the unperturbed context.
        let plan = Self.plan(method, tokens: tokens, clip: clip)
        checkGradients(at: [method.context], step: 1e-3) { inputs in
            var probe = method
            probe.context = inputs[0]
            return Self.lossWithPlan(probe, plan: plan, tokens: tokens, labels: labels, clip: clip)
        }
        // And the method's own loss has the same gradient as the loss with the plan frozen.
        let live = method.requiringGradients()
        let own = live.loss(.tokenFeatures(tokens), labels: labels, clip: clip).gradients().gradient(for: live.context)
        let frozen = Self.lossWithPlan(live, plan: plan, tokens: tokens, labels: labels, clip: clip)
            .gradients().gradient(for: live.context)
        expectClose(own, frozen, .reorderedGradient, "plan as a constant")
    }

    /// The transport plan `[batch · classes, locals, prompts]` of `method` on `tokens`.
    static func plan(_ method: PLOT, tokens: Tensor, clip: CLIP) -> Tensor {
        let similarity = Self.similarity(method, tokens: tokens, clip: clip)
        return Tensor.sinkhorn(cost: 1 - similarity.detached(), epsilon: 0.1, maximumIterations: 100, threshold: 0.01)
    }

    /// `S` as PLOT lays it out, `[batch · classes, locals, prompts]`, written out plainly.
    static func similarity(_ method: PLOT, tokens: Tensor, clip: CLIP) -> Tensor {
        let (batch, tokenCount) = (tokens.shape[0], tokens.shape[1])
        let local = tokens.slice(alongAxis: 1, 1..<tokenCount).normalized()
        let text = method.textFeatures(clip: clip).normalized()
            .reshaped([method.options.promptCount, method.classNames.count, -1])
        var pairs: [Tensor] = []
        for b in 0..<batch {
            let image = local.slice(alongAxis: 0, b..<(b + 1)).reshaped([tokenCount - 1, -1])
            for c in 0..<method.classNames.count {
                let prompts = text.slice(alongAxis: 1, c..<(c + 1)).reshaped([method.options.promptCount, -1])
                pairs.append(image.matmul(prompts, transposeOther: true))
            }
        }
        return Tensor.stacked(pairs, alongAxis: 0)
    }

    /// PLOT's cross-entropy with a given plan, global term included when the options say so.
    static func lossWithPlan(_ method: PLOT, plan: Tensor, tokens: Tensor, labels: [Int], clip: CLIP) -> Tensor {
        let classes = method.classNames.count
        var scores = (plan * Self.similarity(method, tokens: tokens, clip: clip)).sum(alongAxes: [1, 2])
            .reshaped([tokens.shape[0], classes])
        if method.options.addsGlobalLogits {
            let global = tokens.slice(alongAxis: 1, 0..<1).reshaped([tokens.shape[0], -1])
            scores = scores + method.globalScores(global, text: method.textFeatures(clip: clip))
        }
        return Tensor.crossEntropy(logits: scores * clip.logitScale.exp(), labels: labels)
    }

    @Test("from pixels, the learned prompts give PyTorch's logits (projected patch tokens as local features)")
    func pixelLogits() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.plot())
        for (name, options) in try TinyPrompts.plotVariants(fixture) {
            var method = try TinyPrompts.plot(name, options, clip: clip, fixture: fixture)
            try method.setTrainableTensors(["ctx": fixture["\(name).final_ctx"]])
            let logits = method.logits(for: fixture["probe_pixels"], clip: clip)
            expectClose(logits, fixture["\(name).final_logits"], .model, "\(name) logits")
            let prepared = method.preparedForInference(clip: clip)
            #expect(prepared.logits(for: fixture["probe_pixels"], clip: clip).array == logits.array)
            let tokens = PLOT.imageBatch(fixture["probe_pixels"], clip: clip)
            #expect(method.logits(tokens, clip: clip).array == logits.array)
        }
    }

    @Test("the transport-weighted score equals the plainly written Σ T ⊙ S, and T has PLOT's marginals")
    func scoresAndPlan() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.plot())
        let options = try TinyPrompts.plotVariants(fixture).first { $0.name == "random" }!.options
        let method = try TinyPrompts.plot("random", options, clip: clip, fixture: fixture)
        let tokens = TinyPrompts.step(fixture["token_features"], 3)
        let plan = Self.plan(method, tokens: tokens, clip: clip)
        #expect(plan.shape == [4 * 5, 16, 4])
        for total in plan.sum(alongAxes: [1, 2]).array { #expect(Swift.abs(total - 1) < 1e-5) }
        for column in plan.sum(alongAxis: 1).array { #expect(Swift.abs(column - 0.25) < 1e-6) }
        let expected = (plan * Self.similarity(method, tokens: tokens, clip: clip)).sum(alongAxes: [1, 2])
        let scores = method.transportScores(
            localFeatures: tokens.slice(alongAxis: 1, 1..<17), text: method.textFeatures(clip: clip))
        expectClose(scores.reshaped([-1]), expected, .reordered, "scores")
    }

    @Test("new class names rebuild the prompts and keep the learned context")
    func newClassNames() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.plot())
        let options = try TinyPrompts.plotVariants(fixture).first { $0.name == "random" }!.options
        var method = try TinyPrompts.plot("random", options, clip: clip, fixture: fixture)
        let context = method.context.array
        let prepared = method.preparedForInference(clip: clip)
        let names = ["w9 w10", "w11", "w12"]
        try method.setClassNames(names, clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture))
        #expect(method.classNames == names && method.context.array == context)
        #expect(method.textFeatures(clip: clip).shape == [4 * 3, 32])
        let batch = TinyPrompts.plotTokens(fixture, step: 1)
        #expect(method.logits(batch, clip: clip).shape == [4, 3])
        var relabelled = prepared
        try relabelled.setClassNames(names, clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture))
        #expect(relabelled.logits(batch, clip: clip).array == method.logits(batch, clip: clip).array)
    }

    @Test("the prompt file round-trips the context, options and logits")
    func promptFile() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.plot())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        let configuration = MethodConfiguration.plot(
            PLOT.Options(promptCount: 3, contextLength: 2, addsGlobalLogits: true))
        let method = try configuration.makeMethod(
            clip: clip, tokenizer: tokenizer, classNames: try TinyPrompts.classNames(fixture), seed: 4)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-plot-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let model = PromptFile.Model(name: "tiny", path: "tiny_openai.safetensors", sha256: clip.contentHash())
        try PromptFile(method, model: model, training: nil).write(to: url)
        let loaded = try PromptFile(contentsOf: url)
        #expect(loaded.configuration == configuration)
        let restored = try loaded.makeMethod(clip: clip, tokenizer: tokenizer)
        #expect(restored.trainableTensors["ctx"]?.array == method.trainableTensors["ctx"]?.array)
        let batch = TinyPrompts.plotTokens(fixture, step: 2)
        #expect(restored.logits(batch, clip: clip).array == method.logits(batch, clip: clip).array)
    }

    @Test("options: official defaults and recipe, invalid values named")
    func options() throws {
        let defaults = try JSONDecoder().decode(PLOT.Options.self, from: Data("{}".utf8))
        #expect(defaults == PLOT.Options())
        #expect(defaults.promptCount == 4 && defaults.contextLength == 16 && defaults.initialWords == nil)
        #expect(defaults.epsilon == 0.1 && defaults.maximumIterations == 100 && defaults.threshold == 0.01)
        #expect(!defaults.addsGlobalLogits)
        let decoded = try MethodConfiguration(kind: .plot, optionsJSON: Data(#"{"promptCount": 2}"#.utf8))
        #expect(decoded == .plot(PLOT.Options(promptCount: 2)))
        let recipe = MethodKind.plot.officialRecipe(shots: 1, dataset: "EuroSAT")
        #expect(recipe.epochs == 50 && recipe.batchSize == 128 && recipe.learningRate == 0.002)
        #expect(recipe.evaluationBatchSize == 200 && recipe.optimizer == .sgd(.dassl))
        #expect(PLOT.readsImageTokens && PLOT.usesFrozenImageFeatures)

        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.plot())
        let (tokenizer, names) = (try TinyPrompts.tokenizer(fixture), try TinyPrompts.classNames(fixture))
        let method = try PLOT(
            options: PLOT.Options(contextLength: 4), clip: clip, tokenizer: tokenizer, classNames: names, seed: 1)
        #expect(method.context.shape == [4, 4, 48] && method.trainableCount == 4 * 4 * 48)
        #expect(method.configuration == .plot(PLOT.Options(contextLength: 4)))
        let invalid: [(PLOT.Options, String)] = [
            (PLOT.Options(promptCount: 0), "promptCount"), (PLOT.Options(epsilon: 0), "epsilon"),
            (PLOT.Options(maximumIterations: 0), "maximumIterations"), (PLOT.Options(threshold: -1), "threshold"),
            (PLOT.Options(promptCount: 2, contextLength: 4, initialWords: ["a photo of a"]), "initialWords"),
            (PLOT.Options(promptCount: 1, contextLength: 4, initialWords: ["a photo"]), "initialWords"),
        ]
        for (options, name) in invalid {
            let error = #expect(throws: MethodError.self) {
                try PLOT(options: options, clip: clip, tokenizer: tokenizer, classNames: names, seed: 1)
            }
            guard case .invalidOption(let option, _, _) = error else {
                Issue.record("\(name): expected an invalid option, got \(String(describing: error))")
                continue
            }
            #expect(option == name)
        }
    }
}

extension PLOTTests {
    @Test("the fixture pins the official stopping rule: a converged plan moves the gradient")
    func stoppingRuleMatters() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.plot())
        var options = try TinyPrompts.plotVariants(fixture).first { $0.name == "random" }!.options
        options.threshold = 0
        let live = try TinyPrompts.plot("random", options, clip: clip, fixture: fixture).requiringGradients()
        let batch = TinyPrompts.plotTokens(fixture, step: 0)
        let loss = live.loss(batch, labels: TinyPrompts.labels(fixture, step: 0, batch: 4), clip: clip)
        let gradient = loss.gradients().gradient(for: live.context).array
        let expected = fixture["random.first_gradient"].array
        // Observed: 34 of 576 elements move beyond the tolerance the official rule meets.
        let outside = zip(gradient, expected).filter { !Tolerance.gradient.accepts(Double($0), Double($1)) }.count
        #expect(outside > 0)
    }
}
