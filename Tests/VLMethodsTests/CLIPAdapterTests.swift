// CLIP-Adapter against the PyTorch implementation of the official forward (tools/fixtures/adapters.py),
// against central differences, and its α = 0 and option invariants.

import Foundation
import Testing
import VLCLIP
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
@testable import VLMethods

extension TinyPrompts {
    /// The adapters fixture.
    static func adapters() throws -> Fixture { try Fixture("adapters/adapters") }

    /// CLIP-Adapter on the fixture's classes with its initial weights and, unless `ownText`, its
    /// text features (so the adapter math is compared alone).
    static func clipAdapter(clip: CLIP, fixture: Fixture, ownText: Bool = false) throws -> CLIPAdapter {
        var method = try CLIPAdapter(
            options: CLIPAdapter.Options(), clip: clip, tokenizer: try tokenizer(fixture),
            classNames: try classNames(fixture), seed: 1)
        try method.setTrainableTensors([
            "fc.0.weight": fixture["clip_adapter.initial.fc.0.weight"],
            "fc.2.weight": fixture["clip_adapter.initial.fc.2.weight"],
        ])
        if !ownText { method.textFeatures = fixture["text_features"] }
        return method
    }
}

@Suite("CLIP-Adapter")
struct CLIPAdapterTests {
    @Test("the frozen classifier is the template's normalized text features")
    func classifier() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let method = try TinyPrompts.clipAdapter(clip: clip, fixture: fixture, ownText: true)
        expectClose(method.textFeatures, fixture["text_features"], .model, "text features")
        #expect(method.trainableCount == 2 * 32 * 8)
    }

    @Test("first-step loss and both weight gradients match PyTorch")
    func gradientParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let live = try TinyPrompts.clipAdapter(clip: clip, fixture: fixture).requiringGradients()
        let features = TinyPrompts.step(fixture["clip_adapter.image_features"], 0)
        let labels = Array(fixture.integers("clip_adapter.labels")[0..<6])
        let (loss, gradients) = live.gradients(.features(features), labels: labels, clip: clip)
        expectClose(loss.item, fixture["clip_adapter.losses"].array[0], .model, "loss")
        for name in ["fc.0.weight", "fc.2.weight"] {
            expectClose(gradients[name]!, fixture["clip_adapter.first_gradient." + name], .gradient, name)
        }
    }

    /// How far a batch keeps from the ReLUs' kinks: the smallest |pre-activation| of each layer
    /// over what a weight step of `step` can move it by (each below 1 means a kink within reach).
    static func kinkMargin(_ method: CLIPAdapter, _ features: Tensor, step: Float) -> Float {
        let hidden = features.matmul(method.down, transposeOther: true)
        let output = hidden.relu().matmul(method.up, transposeOther: true)
        let reach = { (tensor: Tensor) in tensor.array.map(Swift.abs).max()! * step }
        let closest = { (tensor: Tensor) in tensor.array.map(Swift.abs).min()! }
        return min(closest(hidden) / reach(features), closest(output) / reach(hidden.relu()))
    }

    @Test("weight gradients agree with central differences on the batch farthest from the ReLU kinks")
    func finiteDifferences() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let method = try TinyPrompts.clipAdapter(clip: clip, fixture: fixture)
        // A central difference straddling a kink measures a one-sided slope: use a batch without one in reach.
        let margins = (0..<10).map { step in
            Self.kinkMargin(method, TinyPrompts.step(fixture["clip_adapter.image_features"], step), step: 1e-3)
        }
        let batch = margins.indices.max { margins[$0] < margins[$1] }!
        let features = TinyPrompts.step(fixture["clip_adapter.image_features"], batch)
        try #require(Self.kinkMargin(method, features, step: 1e-3) > 1, "batch \(batch) has a kink within reach")
        let labels = Array(fixture.integers("clip_adapter.labels")[(batch * 6)..<((batch + 1) * 6)])
        checkGradients(at: [method.down, method.up], step: 1e-3) { inputs in
            var probe = method
            probe.down = inputs[0]
            probe.up = inputs[1]
            return probe.loss(.features(features), labels: labels, clip: clip)
        }
    }

    @Test("ratio 0 gives zero-shot CLIP's logits exactly")
    func ratioZero() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let (tokenizer, names) = (try TinyPrompts.tokenizer(fixture), try TinyPrompts.classNames(fixture))
        let adapter = try CLIPAdapter(
            options: CLIPAdapter.Options(ratio: 0), clip: clip, tokenizer: tokenizer, classNames: names, seed: 4)
        let zeroShot = try ZeroShot(
            options: ZeroShot.Options(templates: ["a photo of a {}."]), clip: clip, tokenizer: tokenizer,
            classNames: names, seed: 4)
        let features = ImageBatch.features(TinyPrompts.step(fixture["clip_adapter.image_features"], 3))
        #expect(adapter.logits(features, clip: clip).array == zeroShot.logits(features, clip: clip).array)
    }

    @Test("options: dataset templates, defaults for absent fields, and bad values named")
    func options() throws {
        #expect(CLIPAdapter.Options(dataset: "EuroSAT").template == "a centered satellite photo of {}.")
        #expect(CLIPAdapter.Options(dataset: "world:shapes").template == "a photo of a {}.")
        let decoded = try MethodConfiguration(kind: .clipAdapter, optionsJSON: Data(#"{"ratio": 0.6}"#.utf8))
        #expect(decoded == .clipAdapter(CLIPAdapter.Options(ratio: 0.6)))
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let (tokenizer, names) = (try TinyPrompts.tokenizer(fixture), try TinyPrompts.classNames(fixture))
        #expect(throws: MethodError.invalidOption(name: "ratio", value: "1.5", requirement: "in [0, 1]")) {
            try CLIPAdapter(
                options: CLIPAdapter.Options(ratio: 1.5), clip: clip, tokenizer: tokenizer, classNames: names, seed: 1)
        }
        #expect(throws: MethodError.self) {
            try CLIPAdapter(
                options: CLIPAdapter.Options(reduction: 64), clip: clip, tokenizer: tokenizer, classNames: names, seed: 1)
        }
    }
}
