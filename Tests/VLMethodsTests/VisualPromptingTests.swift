// Visual Prompting against the PyTorch re-implementation of the official padding prompter and
// main_clip.py's objective (tools/fixtures/visual_prompting.py), against central differences, and
// its invariants: a zero frame is zero-shot CLIP, the prompt file round-trips, options are checked.

import Foundation
import Testing
import VLCLIP
import VLFormats
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
@testable import VLMethods

extension TinyPrompts {
    /// The Visual Prompting fixture.
    static func visualPrompting() throws -> Fixture { try Fixture("visual_prompting/visual_prompting") }

    /// Visual Prompting on the fixture's classes (q = 4) with its initial strips.
    static func visualPrompting(clip: CLIP, fixture: Fixture) throws -> VisualPrompting {
        var method = try VisualPrompting(
            options: VisualPrompting.Options(), clip: clip, tokenizer: try tokenizer(fixture),
            classNames: try classNames(fixture), seed: 1)
        var initial: [String: Tensor] = [:]
        for (name, _) in VisualPrompting.trainable { initial[name] = fixture["initial." + name] }
        try method.setTrainableTensors(initial)
        return method
    }
}

@Suite("Visual Prompting")
struct VisualPromptingTests {
    static let strips = VisualPrompting.trainable.map(\.name)

    @Test("the frozen classifier is the template's text features, and the strips have the official shapes")
    func classifierAndShapes() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.visualPrompting())
        let method = try TinyPrompts.visualPrompting(clip: clip, fixture: fixture)
        expectClose(method.textFeatures, fixture["text_features"], .model, "text features")
        #expect(method.options.promptSize == 4, "round(30 · 32 / 224)")
        #expect(Self.strips == ["pad_up", "pad_down", "pad_left", "pad_right"])
        #expect(method.padUp.shape == [1, 3, 4, 32] && method.padDown.shape == [1, 3, 4, 32])
        #expect(method.padLeft.shape == [1, 3, 24, 4] && method.padRight.shape == [1, 3, 24, 4])
        #expect(method.trainableCount == 2 * 3 * 4 * 32 + 2 * 3 * 24 * 4)
        #expect(!VisualPrompting.usesFrozenImageFeatures)
    }

    @Test("first-step logits, loss and the four strips' gradients match PyTorch")
    func gradientParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.visualPrompting())
        let live = try TinyPrompts.visualPrompting(clip: clip, fixture: fixture).requiringGradients()
        let pixels = TinyPrompts.step(fixture["pixels"], 0)
        let labels = Array(fixture.integers("labels")[0..<4])
        expectClose(live.logits(.pixels(pixels), clip: clip), fixture["first_logits"], .model, "logits")
        let (loss, gradients) = live.gradients(.pixels(pixels), labels: labels, clip: clip)
        expectClose(loss.item, fixture["losses"].array[0], .model, "loss")
        for name in Self.strips {
            expectClose(gradients[name]!, fixture["first_gradient." + name], .gradient, name)
        }
    }

    @Test("strip gradients agree with central differences")
    func finiteDifferences() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.visualPrompting())
        let method = try TinyPrompts.visualPrompting(clip: clip, fixture: fixture)
        let pixels = TinyPrompts.step(fixture["pixels"], 1).slice(alongAxis: 0, 0..<2)
        let labels = Array(fixture.integers("labels")[4..<6])
        let paths = VisualPrompting.trainable.map(\.path)
        checkGradients(at: paths.map { method[keyPath: $0] }, step: 1e-2) { inputs in
            var probe = method
            for (path, input) in zip(paths, inputs) { probe[keyPath: path] = input }
            return probe.loss(.pixels(pixels), labels: labels, clip: clip)
        }
    }

    @Test("a zero frame gives zero-shot CLIP's logits exactly")
    func zeroFrame() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.visualPrompting())
        let (tokenizer, names) = (try TinyPrompts.tokenizer(fixture), try TinyPrompts.classNames(fixture))
        var method = try VisualPrompting(
            options: VisualPrompting.Options(), clip: clip, tokenizer: tokenizer, classNames: names, seed: 3)
        for (_, path) in VisualPrompting.trainable { method[keyPath: path] = Tensor.zeros(method[keyPath: path].shape) }
        let zeroShot = try ZeroShot(
            options: ZeroShot.Options(templates: ["This is a photo of a {}"]), clip: clip, tokenizer: tokenizer,
            classNames: names, seed: 3)
        let pixels = ImageBatch.pixels(TinyPrompts.step(fixture["pixels"], 0))
        #expect(method.logits(pixels, clip: clip).array == zeroShot.logits(pixels, clip: clip).array)
        expectClose(method.logits(pixels, clip: clip), fixture["zero_shot_logits"], .model, "zero-shot logits")
    }

    @Test("the frame is the strips around a zero centre, added without clamping")
    func frame() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.visualPrompting())
        let method = try TinyPrompts.visualPrompting(clip: clip, fixture: fixture)
        let frame = method.frame
        #expect(frame.shape == [1, 3, 32, 32])
        let values = frame.array
        let at = { (channel: Int, row: Int, column: Int) in values[(channel * 32 + row) * 32 + column] }
        #expect(at(2, 0, 31) == method.padUp.array[(2 * 4 + 0) * 32 + 31])
        #expect(at(1, 30, 5) == method.padDown.array[(1 * 4 + 2) * 32 + 5])
        #expect(at(0, 4, 0) == method.padLeft.array[0])
        #expect(at(0, 27, 31) == method.padRight.array[(0 * 24 + 23) * 4 + 3])
        #expect((4..<28).allSatisfy { row in (4..<28).allSatisfy { at(1, row, $0) == 0 } })
        let images = Tensor(repeating: 100, shape: [2, 3, 32, 32])
        #expect(method.prompter.pixels(images).array.max()! > 100, "no clamping to the pixel range")
    }

    @Test("the prompt file round-trips the strips and the logits")
    func promptFile() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.visualPrompting())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        let method = try TinyPrompts.visualPrompting(clip: clip, fixture: fixture)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-\(UUID().uuidString)-vp.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let model = PromptFile.Model(name: "tiny", path: "tiny_openai.safetensors", sha256: clip.contentHash())
        try PromptFile(method, model: model, training: nil).write(to: url)
        let loaded = try PromptFile(contentsOf: url)
        #expect(loaded.configuration == .visualPrompting(VisualPrompting.Options(promptSize: 4)))
        #expect(Set(loaded.tensors.keys) == Set(Self.strips))
        for name in Self.strips { #expect(loaded.tensors[name]?.array == method.trainableTensors[name]!.array, "\(name)") }
        let rebuilt = try loaded.makeMethod(clip: clip, tokenizer: tokenizer)
        let pixels = ImageBatch.pixels(TinyPrompts.step(fixture["pixels"], 2))
        #expect(rebuilt.logits(pixels, clip: clip).array == method.logits(pixels, clip: clip).array)
    }

    @Test("options: the scaled default size, class-name refinement, defaults for absent fields, bad sizes named")
    func options() throws {
        #expect(VisualPrompting.defaultPromptSize(imageSize: 224) == 30)
        #expect(VisualPrompting.defaultPromptSize(imageSize: 32) == 4)
        #expect(VisualPrompting.defaultPromptSize(imageSize: 4) == 1)
        #expect(VisualPrompting.refinedClassName("Black-Footed_Albatross") == "black footed albatross")
        let decoded = try MethodConfiguration(kind: .visualPrompting, optionsJSON: Data(#"{"promptSize": 3}"#.utf8))
        #expect(decoded == .visualPrompting(VisualPrompting.Options(promptSize: 3)))
        #expect(MethodConfiguration(kind: .visualPrompting, dataset: "EuroSAT") == .visualPrompting(.init()))
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.visualPrompting())
        let (tokenizer, names) = (try TinyPrompts.tokenizer(fixture), try TinyPrompts.classNames(fixture))
        let requirement = "≥ 1 and less than half the model's image size 32"
        for size in [0, 16] {
            #expect(throws: MethodError.invalidOption(name: "promptSize", value: "\(size)", requirement: requirement)) {
                try VisualPrompting(
                    options: VisualPrompting.Options(promptSize: size), clip: clip, tokenizer: tokenizer,
                    classNames: names, seed: 1)
            }
        }
        let recipe = MethodKind.visualPrompting.officialRecipe(shots: 16, dataset: "EuroSAT")
        #expect(recipe.learningRate == 40 && recipe.batchSize == 256 && recipe.epochs == 1000)
        #expect(recipe.stepping == .perIteration && recipe.augmentation == .none)
        #expect(recipe.optimizer == .sgd(.init(momentum: 0.9, weightDecay: 0)))
    }
}
