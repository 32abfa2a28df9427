// VPT-shallow and VPT-deep on CLIP's vision tower against the PyTorch re-implementation of
// KMnP/vpt's prompt insertion (tools/fixtures/vpt.py), against central differences, and their
// invariants: no replacement without deep prompts, the prompt file round-trips, options are checked.

import Foundation
import Testing
import VLCLIP
import VLOptim
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
@testable import VLMethods

extension TinyPrompts {
    /// The VPT fixture.
    static func vpt() throws -> Fixture { try Fixture("vpt/vpt") }

    /// `Method` (VPT-shallow or VPT-deep, p = 3) on the fixture's classes with the fixture's
    /// initial prompts under `prefix`.
    static func vpt<Method: AdaptationMethod>(
        _ type: Method.Type, prefix: String, clip: CLIP, fixture: Fixture
    ) throws -> Method where Method.Options == VPT.Options {
        var method = try Method(
            options: VPT.Options(promptLength: 3), clip: clip, tokenizer: try tokenizer(fixture),
            classNames: try classNames(fixture), seed: 1)
        var initial: [String: Tensor] = [:]
        for (name, _) in Method.trainable { initial[name] = fixture[prefix + "initial." + name] }
        try method.setTrainableTensors(initial)
        return method
    }
}

@Suite("VPT")
struct VPTTests {
    @Test("official names, shapes and initialization bound")
    func shapes() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.vpt())
        let (tokenizer, names) = (try TinyPrompts.tokenizer(fixture), try TinyPrompts.classNames(fixture))
        let deep = try VPTDeep(options: .init(), clip: clip, tokenizer: tokenizer, classNames: names, seed: 3)
        #expect(VPTDeep.trainable.map(\.name) == ["prompt_embeddings", "deep_prompt_embeddings"])
        #expect(VPTShallow.trainable.map(\.name) == ["prompt_embeddings"])
        #expect(deep.promptEmbeddings.shape == [1, 10, 64] && deep.deepPromptEmbeddings.shape == [1, 10, 64])
        let bound = VPT.initializationBound(patchSize: 8, width: 64)
        #expect(abs(VPT.initializationBound(patchSize: 16, width: 768) - 0.0625) < 1e-7, "ViT-B/16: 0.0625")
        let values = deep.promptEmbeddings.array + deep.deepPromptEmbeddings.array
        #expect(values.allSatisfy { abs($0) <= bound } && values.map(abs).max()! > bound * 0.9)
        expectClose(deep.textFeatures, fixture["text_features"], .model, "text features")
        #expect(!VPTDeep.usesFrozenImageFeatures && !VPTShallow.usesFrozenImageFeatures)
    }

    @Test("shallow: first-step logits, loss and prompt gradient match PyTorch")
    func shallowParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.vpt())
        let live = try TinyPrompts.vpt(VPTShallow.self, prefix: "shallow.", clip: clip, fixture: fixture)
            .requiringGradients()
        try Self.expectFirstStep(live, prefix: "shallow.", clip: clip, fixture: fixture)
    }

    @Test("deep: first-step logits, loss and both prompt gradients match PyTorch")
    func deepParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.vpt())
        let live = try TinyPrompts.vpt(VPTDeep.self, prefix: "deep.", clip: clip, fixture: fixture)
            .requiringGradients()
        try Self.expectFirstStep(live, prefix: "deep.", clip: clip, fixture: fixture)
    }

    static func expectFirstStep<Method: AdaptationMethod>(
        _ live: Method, prefix: String, clip: CLIP, fixture: Fixture
    ) throws {
        let pixels = ImageBatch.pixels(TinyPrompts.step(fixture["pixels"], 0))
        let labels = Array(fixture.integers("labels")[0..<2])
        expectClose(live.logits(pixels, clip: clip), fixture[prefix + "first_logits"], .model, "logits")
        let (loss, gradients) = live.gradients(pixels, labels: labels, clip: clip)
        expectClose(loss.item, fixture[prefix + "losses"].array[0], .model, "loss")
        for (name, _) in Method.trainable {
            expectClose(gradients[name]!, fixture[prefix + "first_gradient." + name], .gradient, name)
        }
    }

    @Test("10 SGD steps (momentum 0.9, weight decay 1e-4) follow PyTorch for shallow and deep")
    func trajectories() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.vpt())
        let hash = clip.contentHash()
        var shallow = try TinyPrompts.vpt(VPTShallow.self, prefix: "shallow.", clip: clip, fixture: fixture)
        var deep = try TinyPrompts.vpt(VPTDeep.self, prefix: "deep.", clip: clip, fixture: fixture)
        try Self.expectTrajectory(&shallow, prefix: "shallow.", clip: clip, fixture: fixture)
        try Self.expectTrajectory(&deep, prefix: "deep.", clip: clip, fixture: fixture)
        #expect(clip.contentHash() == hash, "CLIP's weights are never written")
    }

    static func expectTrajectory<Method: AdaptationMethod>(
        _ method: inout Method, prefix: String, clip: CLIP, fixture: Fixture
    ) throws {
        var optimizer: any Optimizer = SGD(SGD.Options(momentum: 0.9, weightDecay: 1e-4))
        let expected = fixture[prefix + "losses"].array
        for step in 0..<expected.count {
            let labels = Array(fixture.integers("labels")[(step * 2)..<((step + 1) * 2)])
            let live = method.requiringGradients()
            let (loss, gradients) = live.gradients(
                .pixels(TinyPrompts.step(fixture["pixels"], step)), labels: labels, clip: clip)
            expectClose(loss.item, expected[step], .trajectoryLoss, "\(prefix) step \(step)")
            let updated = optimizer.update(method.trainableTensors, gradients: gradients, learningRate: 0.5)
            try method.setTrainableTensors(updated.mapValues { $0.detached() })
        }
        for (name, path) in Method.trainable {
            expectClose(method[keyPath: path], fixture[prefix + "final." + name], .trajectoryParameters, name)
        }
    }

    @Test("prompt gradients agree with central differences (deep)")
    func finiteDifferences() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.vpt())
        let method = try TinyPrompts.vpt(VPTDeep.self, prefix: "deep.", clip: clip, fixture: fixture)
        let pixels = ImageBatch.pixels(TinyPrompts.step(fixture["pixels"], 1))
        let labels = Array(fixture.integers("labels")[2..<4])
        checkGradients(at: [method.promptEmbeddings, method.deepPromptEmbeddings], step: 1e-2) { inputs in
            var probe = method
            probe.promptEmbeddings = inputs[0]
            probe.deepPromptEmbeddings = inputs[1]
            return probe.loss(pixels, labels: labels, clip: clip)
        }
    }

    @Test("the hook inserts after the class token, replaces only entering blocks ≥ 1, and keeps the count")
    func hookLayout() throws {
        let shallow = Tensor.uniform([1, 2, 3], in: -1...1, seed: 1)
        let deep = Tensor.uniform([2, 2, 3], in: -1...1, seed: 2)
        let tokens = Tensor.uniform([2, 4, 3], in: -1...1, seed: 3)
        let hooks = VPT.PromptTokens(shallow: shallow, deep: deep)
        let inserted = hooks.visionEmbeddings(tokens)
        #expect(inserted.shape == [2, 6, 3])
        let row = { (t: Tensor, image: Int, token: Int) in
            Array(t.array[((image * t.shape[1] + token) * 3)..<((image * t.shape[1] + token) * 3 + 3)])
        }
        #expect(row(inserted, 1, 0) == row(tokens, 1, 0) && row(inserted, 1, 3) == row(tokens, 1, 1))
        #expect(row(inserted, 1, 2) == Array(shallow.array[3..<6]))
        #expect(hooks.vision(inserted, enteringLayer: 0).array == inserted.array)
        let replaced = hooks.vision(inserted, enteringLayer: 2)
        #expect(replaced.shape == [2, 6, 3] && row(replaced, 0, 1) == Array(deep.array[6..<9]))
        #expect(row(replaced, 0, 5) == row(inserted, 0, 5))
        #expect(VPT.PromptTokens(shallow: shallow, deep: nil).vision(inserted, enteringLayer: 1).array == inserted.array)
    }

    @Test("the prompt file round-trips VPT-deep's prompts and logits")
    func promptFile() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.vpt())
        let method = try TinyPrompts.vpt(VPTDeep.self, prefix: "deep.", clip: clip, fixture: fixture)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-\(UUID().uuidString)-vpt.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try PromptFile(method, model: PromptFile.Model(name: "tiny")).write(to: url)
        let loaded = try PromptFile(contentsOf: url)
        #expect(loaded.configuration == .vptDeep(VPT.Options(promptLength: 3)))
        let rebuilt = try loaded.makeMethod(clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture))
        let pixels = ImageBatch.pixels(TinyPrompts.step(fixture["pixels"], 2))
        #expect(rebuilt.logits(pixels, clip: clip).array == method.logits(pixels, clip: clip).array)
    }

    @Test("options: defaults for absent fields, bad lengths and a one-block tower named")
    func options() throws {
        let decoded = try MethodConfiguration(kind: .vptDeep, optionsJSON: Data(#"{"promptLength": 5}"#.utf8))
        #expect(decoded == .vptDeep(VPT.Options(promptLength: 5)))
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.vpt())
        let (tokenizer, names) = (try TinyPrompts.tokenizer(fixture), try TinyPrompts.classNames(fixture))
        #expect(throws: MethodError.invalidOption(name: "promptLength", value: "0", requirement: "≥ 1")) {
            try VPTShallow(options: .init(promptLength: 0), clip: clip, tokenizer: tokenizer, classNames: names, seed: 1)
        }
        let oneBlock = CLIP(
            configuration: CLIPConfiguration(
                embeddingWidth: 32, vision: .init(imageSize: 32, patchSize: 8, width: 64, layers: 1, heads: 4),
                text: .init(contextLength: 16, vocabularySize: 512, width: 48, layers: 1, heads: 4)),
            seed: 1)
        #expect(throws: MethodError.self) {
            try VPTDeep(options: .init(), clip: oneBlock, tokenizer: tokenizer, classNames: names, seed: 1)
        }
        let recipe = MethodKind.vptDeep.officialRecipe(shots: 16, dataset: "EuroSAT")
        #expect(recipe.epochs == 100 && recipe.batchSize == 128 && recipe.learningRate == 0.5)
    }
}
