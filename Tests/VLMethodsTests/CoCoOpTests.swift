// CoCoOp against the PyTorch implementation of the official math, against central differences,
// and its shared-prefix path (one prefix per image) against the official full-prompt path.

import Foundation
import Testing
import VLCLIP
import VLTensor
import VLMethodsTestSupport
import VLTestSupport

@testable import VLMethods

@Suite("CoCoOp")
struct CoCoOpTests {
    /// Loss and gradients of every learned tensor on the fixture's first batch of pixels.
    static func firstStep(_ method: CoCoOp, clip: CLIP, fixture: Fixture) -> (loss: Float, gradients: [String: Tensor])
    {
        let live = method.requiringGradients()
        let pixels = TinyPrompts.step(fixture["pixels"], 0)
        let loss = live.loss(.pixels(pixels), labels: TinyPrompts.labels(fixture, step: 0, batch: 2), clip: clip)
        let gradients = loss.gradients()
        var named: [String: Tensor] = [:]
        for (name, path) in CoCoOp.trainable { named[name] = gradients.gradient(for: live[keyPath: path]) }
        return (loss.item, named)
    }

    @Test("Meta-Net shapes follow the model: embedding width → width/16 → text width")
    func shapes() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.cocoop())
        let method = try TinyPrompts.cocoop(clip: clip, fixture: fixture)
        #expect(method.metaNet1.weight.shape == [2, 32])
        #expect(method.metaNet2.weight.shape == [48, 2])
        #expect(method.context.shape == [4, 48])
        #expect(method.trainableCount == 4 * 48 + 2 * 32 + 2 + 48 * 2 + 48)
    }

    @Test("first-step loss and gradients match PyTorch")
    func gradientParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.cocoop())
        let method = try TinyPrompts.cocoop(clip: clip, fixture: fixture)
        #expect(method.context.array == fixture["initial.ctx"].array, "word initialization from 'a photo of a'")
        let (loss, gradients) = Self.firstStep(method, clip: clip, fixture: fixture)
        expectClose(loss, fixture["losses"].array[0], .model, "loss")
        for (name, gradient) in gradients {
            expectClose(gradient, fixture["first_gradient." + name], .gradient, name)
        }
    }

    @Test("shared-prefix and truncated paths equal the official full-prompt path")
    func pathsAgree() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.cocoop())
        var method = try TinyPrompts.cocoop(clip: clip, fixture: fixture)
        let shared = Self.firstStep(method, clip: clip, fixture: fixture)
        for path in [TextEncodingPath.full, .truncated] {
            method.prompts.path = path
            let other = Self.firstStep(method, clip: clip, fixture: fixture)
            expectClose(shared.loss, other.loss, .exactShortcut, "\(path) loss")
            for (name, gradient) in shared.gradients {
                expectClose(gradient, other.gradients[name]!, .exactShortcut, "\(path) \(name)")
            }
        }
    }

    @Test("gradients of the context and Meta-Net agree with central differences")
    func finiteDifferences() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.cocoop())
        let method = try TinyPrompts.cocoop(clip: clip, fixture: fixture)
        let features = clip.encodeImage(TinyPrompts.step(fixture["pixels"], 0))
        let labels = TinyPrompts.labels(fixture, step: 0, batch: 2)
        let names = CoCoOp.trainable.map(\.name)
        checkGradients(at: names.map { method.trainableTensors[$0]! }) { inputs in
            var probe = method
            try! probe.setTrainableTensors(Dictionary(uniqueKeysWithValues: zip(names, inputs)))
            return probe.loss(.features(features), labels: labels, clip: clip)
        }
    }

    @Test("options decode with the paper's defaults; null initial words means random")
    func options() throws {
        let decoded = try JSONDecoder().decode(CoCoOp.Options.self, from: Data(#"{"contextLength": 8}"#.utf8))
        #expect(decoded == CoCoOp.Options(contextLength: 8))
        let random = try JSONDecoder().decode(CoCoOp.Options.self, from: Data(#"{"initialWords": null}"#.utf8))
        #expect(random.initialWords == nil)
        let encoded = try JSONEncoder().encode(random)
        #expect(try JSONDecoder().decode(CoCoOp.Options.self, from: encoded) == random)
    }
}

@Suite("inference shortcuts")
struct InferenceShortcutTests {
    @Test("CoCoOp logits computed in chunks of images equal the whole batch")
    func cocoopChunks() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.cocoop())
        let method = try TinyPrompts.cocoop(clip: clip, fixture: fixture)
        let pixels = Tensor.concatenated(
            (0..<3).map { TinyPrompts.step(fixture["pixels"], $0) }, alongAxis: 0)
        let whole = method.logits(.pixels(pixels), clip: clip)
        let chunked = method.logits(.pixels(pixels), clip: clip, sequencesPerChunk: 10)
        #expect(whole.shape == [6, 5])
        expectClose(chunked, whole, .exactShortcut)
    }

    @Test("CoOp prepared for inference reuses its class features until the context changes")
    func coopPrepared() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let options = try TinyPrompts.variants(fixture).first { $0.name == "unified_end_random" }!.options
        let method = try TinyPrompts.coop("unified_end_random", options, clip: clip, fixture: fixture)
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 0))
        var prepared = method.preparedForInference(clip: clip)
        expectClose(prepared.logits(features, clip: clip), method.logits(features, clip: clip), .exactShortcut)
        prepared.context = prepared.context * 2
        var changed = method
        changed.context = method.context * 2
        expectClose(prepared.logits(features, clip: clip), changed.logits(features, clip: clip), .exactShortcut)
    }
}
