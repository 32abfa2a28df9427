// ProDA against the PyTorch implementation of the re-implementation's surrogate loss
// (tools/fixtures/proda.py), against central differences, and its prompt positions, prompt
// mini-batches, inference mean, prompt file and class-name handling.

import Foundation
import Testing
import VLCLIP
import VLMethodsTestSupport
import VLTensor
import VLTestSupport

@testable import VLMethods

extension TinyPrompts {
    static func proda() throws -> Fixture { try Fixture("proda/proda") }

    /// ProDA for a fixture variant, starting from the fixture's initial context.
    static func proda(_ name: String, clip: CLIP, fixture: Fixture) throws -> ProDA {
        let options = try optionVariants(of: ProDA.self, fixture).first { $0.name == name }!.options
        return try method(ProDA.self, name, options, clip: clip, fixture: fixture)
    }

    /// The `size` prompts the fixture trained on at `step`.
    static func promptBatch(_ fixture: Fixture, variant: String, step: Int, size: Int) -> [Int] {
        Array(fixture.integers("\(variant).prompt_batches")[(step * size)..<((step + 1) * size)])
    }
}

@Suite("ProDA")
struct ProDATests {
    static let variants = ["mixed", "end_only"]

    @Test("first-step surrogate loss and context gradient match PyTorch", arguments: variants)
    func gradientParity(variant: String) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.proda())
        var method = try TinyPrompts.proda(variant, clip: clip, fixture: fixture)
        method.promptBatch = TinyPrompts.promptBatch(
            fixture, variant: variant, step: 0, size: method.options.promptBatchSize)
        let live = method.requiringGradients()
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 0))
        let loss = live.loss(features, labels: TinyPrompts.labels(fixture, step: 0, batch: 6), clip: clip)
        expectClose(loss.item, fixture["\(variant).losses"].array[0], .model, "loss")
        expectClose(
            loss.gradients().gradient(for: live.context), fixture["\(variant).first_gradient"], .cancellingGradient,
            "gradient")
    }

    @Test("the context gradient agrees with central differences (positions and diversity term)")
    func finiteDifferences() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.proda())
        var method = try TinyPrompts.proda("mixed", clip: clip, fixture: fixture)
        method.promptBatch = [0, 2, 5, 7]  // front, middle and end prompts
        // Two classes and three images keep the 2 × 1,536 evaluations quick.
        try method.setClassNames(["w1", "w2 w3"], clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture))
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 0).slice(alongAxis: 0, 0..<3))
        let labels = [0, 1, 1]
        checkGradients(at: [method.context], step: 1e-3) { inputs in
            var probe = method
            probe.context = inputs[0]
            return probe.loss(features, labels: labels, clip: clip)
        }
    }

    @Test("the surrogate adds nothing to the label's own logit")
    func surrogateAtLabel() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.proda())
        let method = try TinyPrompts.proda("mixed", clip: clip, fixture: fixture)
        let labels = TinyPrompts.labels(fixture, step: 1, batch: 6)
        let f = TinyPrompts.step(fixture["image_features"], 1).normalized(alongAxis: -1)
        let w = method.promptFeatures([1, 3, 4, 6], clip: clip)
        let surrogate = ProDA.surrogateLogits(
            promptFeatures: w, normalizedImages: f, labels: labels, logitScale: clip.logitScale)
        let plain = f.matmul(w.mean(alongAxis: 1), transposeOther: true) * clip.logitScale.exp()
        let (z, p) = (surrogate.array, plain.array)
        for (row, label) in labels.enumerated() {
            let own = row * 5 + label
            expectClose(z[own], p[own], .reordered, "row \(row)")
            for column in 0..<5 where column != label { #expect(z[row * 5 + column] >= p[row * 5 + column] - 1e-4) }
        }
    }

    @Test("inference scores with the mean feature of all prompts", arguments: variants)
    func inference(variant: String) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.proda())
        var method = try TinyPrompts.proda(variant, clip: clip, fixture: fixture)
        try method.setTrainableTensors(["ctx": fixture["\(variant).final_ctx"]])
        expectClose(method.meanFeatures(clip: clip), fixture["\(variant).final_mean_features"], .model, "mean")
        let images = TinyPrompts.step(fixture["image_features"], 4)
        let expected = images.normalized(alongAxis: -1).matmul(fixture["\(variant).final_mean_features"], transposeOther: true)
            * clip.logitScale.exp()
        expectClose(method.logits(.features(images), clip: clip), expected, .model, "logits")
        let prepared = method.preparedForInference(clip: clip)
        #expect(prepared.logits(.features(images), clip: clip).array == method.logits(.features(images), clip: clip).array)
    }

    @Test("class-token positions: K/4 front, K/4 middle, the rest end")
    func positions() {
        #expect(ProDA.positions(count: 8, mixed: true) == [.front, .front, .middle, .middle, .end, .end, .end, .end])
        #expect(ProDA.positions(count: 6, mixed: true) == [.front, .middle, .end, .end, .end, .end])
        #expect(ProDA.positions(count: 1, mixed: true) == [.end])
        #expect(ProDA.positions(count: 32, mixed: false) == Array(repeating: .end, count: 32))
        #expect(ProDA.positions(count: 32, mixed: true).filter { $0 == .end }.count == 16)
    }

    @Test("prompt mini-batches: each cycle is a permutation of all prompts, a function of seed and step")
    func promptBatches() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.proda())
        let options = ProDA.Options(promptCount: 8, contextLength: 4, promptBatchSize: 2)
        var method = try ProDA(
            options: options, clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture), classNames: ["w1"], seed: 3)
        var cycles: [[Int]] = []
        for cycle in 0..<3 {
            var order: [Int] = []
            for index in 0..<4 {
                method.prepareTrainingStep(cycle * 4 + index)
                order += method.promptBatch
            }
            #expect(order.sorted() == Array(0..<8), "cycle \(cycle)")
            cycles.append(order)
        }
        #expect(Set(cycles).count > 1)
        method.prepareTrainingStep(5)
        let again = method.promptBatch
        method.prepareTrainingStep(0)
        method.prepareTrainingStep(5)
        #expect(method.promptBatch == again)
    }

    @Test("new class names keep the prompts; the prompt file round-trips")
    func classNamesAndFile() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.proda())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        var method = try TinyPrompts.proda("mixed", clip: clip, fixture: fixture)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-proda-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try PromptFile(method, model: PromptFile.Model(name: "tiny")).write(to: url)
        let loaded = try PromptFile(contentsOf: url)
        #expect(loaded.configuration == .proda(method.options))
        let rebuilt = try loaded.makeMethod(clip: clip, tokenizer: tokenizer)
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 2))
        #expect(rebuilt.logits(features, clip: clip).array == method.logits(features, clip: clip).array)

        let context = method.context.array
        try method.setClassNames(["w9 w10", "w11", "w12"], clip: clip, tokenizer: tokenizer)
        #expect(method.context.array == context)
        #expect(method.logits(features, clip: clip).shape == [6, 3])
        #expect(method.loss(features, labels: [0, 1, 2, 0, 1, 2], clip: clip).item.isFinite)
    }

    @Test("options: defaults and invalid values")
    func options() throws {
        let defaults = try JSONDecoder().decode(ProDA.Options.self, from: Data("{}".utf8))
        #expect(defaults == ProDA.Options())
        #expect(defaults.promptCount == 32 && defaults.contextLength == 16 && defaults.promptBatchSize == 4)
        #expect(defaults.diversityWeight == 1 && defaults.mixedClassTokenPositions)
        #expect(MethodKind.proda.officialRecipe(shots: 16, dataset: "EuroSAT") == CoOp.officialRecipe(shots: 16, dataset: "EuroSAT"))
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.proda())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        for bad in [ProDA.Options(promptCount: 8, contextLength: 4, promptBatchSize: 3),
                    ProDA.Options(promptCount: 0, contextLength: 4, promptBatchSize: 1),
                    ProDA.Options(promptCount: 4, contextLength: 4, promptBatchSize: 2, diversityWeight: -1)] {
            #expect(throws: MethodError.self) {
                try ProDA(options: bad, clip: clip, tokenizer: tokenizer, classNames: ["w1"], seed: 1)
            }
        }
    }
}
