// TCP against the PyTorch implementation of the official math (tools/fixtures/tcp.py), against
// central differences, and its injection, options, prompt file and class-name handling.

import Foundation
import Testing
import VLCLIP
import VLMethodsTestSupport
import VLOptim
import VLTensor
import VLTestSupport

@testable import VLMethods

extension TinyPrompts {
    static func tcp() throws -> Fixture { try Fixture("tcp/tcp") }

    /// The TCP fixture's variants by name, as options.
    static func tcpVariants(_ fixture: Fixture) throws -> [(name: String, options: TCP.Options)] {
        let table = try JSONDecoder().decode([String: TCP.Options].self, from: Data(fixture.metadata["variants"]!.utf8))
        return table.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// TCP for a fixture variant, starting from the fixture's initial tensors.
    static func tcp(_ name: String, _ options: TCP.Options, clip: CLIP, fixture: Fixture) throws -> TCP {
        var method = try TCP(
            options: options, clip: clip, tokenizer: try tokenizer(fixture), classNames: try classNames(fixture), seed: 1)
        let initial = Dictionary(
            uniqueKeysWithValues: method.trainableTensors.keys.map { ($0, fixture["\(name).initial.\($0)"]) })
        try method.setTrainableTensors(initial)
        return method
    }
}

@Suite("TCP")
struct TCPTests {
    static func variant(_ name: String) throws -> (CLIP, Fixture, TCP) {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.tcp())
        let options = try TinyPrompts.tcpVariants(fixture).first { $0.name == name }!.options
        return (clip, fixture, try TinyPrompts.tcp(name, options, clip: clip, fixture: fixture))
    }

    @Test("anchors, class-aware tokens and injected text features match PyTorch", arguments: ["random", "words"])
    func forward(variant: String) throws {
        let (clip, fixture, method) = try Self.variant(variant)
        expectClose(method.anchor.classifier, fixture["anchor"], .model, "anchor")
        expectClose(method.classAwareTokens(), fixture["\(variant).class_tokens"], .model, "class-aware tokens")
        expectClose(method.textFeatures(clip: clip), fixture["\(variant).initial_text_features"], .model, "text")
    }

    @Test("first-step loss and gradients of every learned tensor match PyTorch", arguments: ["random", "words"])
    func gradientParity(variant: String) throws {
        let (clip, fixture, method) = try Self.variant(variant)
        let live = method.requiringGradients()
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 0))
        let (loss, gradients) = live.gradients(features, labels: TinyPrompts.labels(fixture, step: 0, batch: 6), clip: clip)
        expectClose(loss.item, fixture["\(variant).losses"].array[0], .model, "loss")
        #expect(gradients.count == TCP.trainable.count)
        for (name, gradient) in gradients {
            expectClose(gradient, fixture["\(variant).first_gradient.\(name)"], .cancellingGradient, name)
        }
    }

    @Test("gradients of the loss agree with central differences for every learned tensor")
    func finiteDifferences() throws {
        let (clip, fixture, start) = try Self.variant("random")
        // Two classes and three images keep the 2 × 2,184 evaluations quick.
        var method = start
        try method.setClassNames(["w1", "w2 w3"], clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture))
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 0).slice(alongAxis: 0, 0..<3))
        let labels = [0, 1, 1]
        func loss(_ paths: [WritableKeyPath<TCP, Tensor>], _ inputs: [Tensor]) -> Tensor {
            var probe = method
            for (path, input) in zip(paths, inputs) { probe[keyPath: path] = input }
            return probe.loss(features, labels: labels, clip: clip)
        }
        // The context (scale 0.02) needs CoOp's small step, where the loss bends sharply.
        checkGradients(at: [method.context], step: 1e-3, tolerance: .finiteDifferenceCurved) {
            loss([\.context], $0)
        }
        let metaNet = TCP.trainable.dropFirst().map(\.path)
        checkGradients(at: metaNet.map { method[keyPath: $0] }) { loss(metaNet, $0) }
    }

    @Test("the class-aware tokens replace the context before the injection block")
    func injection() throws {
        let (clip, fixture, method) = try Self.variant("random")
        var options = method.options
        options.injectionLayer = 0
        var early = try TCP(
            options: options, clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: method.classNames, seed: 1)
        try early.setTrainableTensors(method.trainableTensors)
        // Injected before block 0 the context never reaches the encoder; at block 1 it does.
        var shifted = early
        shifted.context = early.context + 0.5
        #expect(shifted.textFeatures(clip: clip).array == early.textFeatures(clip: clip).array)
        var moved = method
        moved.context = method.context + 0.5
        #expect(moved.textFeatures(clip: clip).array != method.textFeatures(clip: clip).array)
        #expect(TCP.defaultInjectionLayer(layers: 12) == 8)
        #expect(TCP.defaultInjectionLayer(layers: 4) == 3)
        #expect(TCP.defaultInjectionLayer(layers: 2) == 1)
        #expect(TCP.defaultInjectionLayer(layers: 1) == 0)
        #expect(method.options.injectionLayer == 1)
    }

    @Test("new class names get their own anchors and tokens; learned tensors are kept")
    func newClassNames() throws {
        let (clip, fixture, start) = try Self.variant("random")
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        var method = start
        let learned = method.trainableTensors.mapValues(\.array)
        let names = ["w9 w10", "w11", "w12"]
        try method.setClassNames(names, clip: clip, tokenizer: tokenizer)
        #expect(method.classNames == names)
        #expect(method.trainableTensors.mapValues(\.array) == learned)
        let zeroShot = try ZeroShot(
            options: ZeroShot.Options(templates: [method.options.anchorTemplate]), clip: clip, tokenizer: tokenizer,
            classNames: names, seed: 1)
        #expect(method.anchor.classifier.array == zeroShot.classifier.array)
        #expect(method.classAwareTokens().shape == [3, 4, 48])
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 1))
        #expect(method.logits(features, clip: clip).shape == [6, 3])
        let prepared = method.preparedForInference(clip: clip)
        expectClose(prepared.logits(features, clip: clip), method.logits(features, clip: clip), .reordered, "cached")
    }

    @Test("the prompt file round-trips tensors, resolved options and logits")
    func promptFile() throws {
        let (clip, fixture, method) = try Self.variant("words")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-tcp-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try PromptFile(method, model: PromptFile.Model(name: "tiny")).write(to: url)
        let loaded = try PromptFile(contentsOf: url)
        #expect(loaded.configuration == .tcp(method.options))
        let rebuilt = try loaded.makeMethod(clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture))
        let features = ImageBatch.features(TinyPrompts.step(fixture["image_features"], 3))
        #expect(rebuilt.logits(features, clip: clip).array == method.logits(features, clip: clip).array)
    }

    @Test("options: official defaults, per-dataset templates, recipe and invalid values")
    func options() throws {
        let defaults = try JSONDecoder().decode(TCP.Options.self, from: Data("{}".utf8))
        #expect(defaults == TCP.Options())
        #expect(defaults.contextLength == 4 && defaults.weight == 8 && defaults.initialWords == nil)
        #expect(defaults.metaNetReduction == 4 && defaults.injectionLayer == nil)
        let pets = TCP.Options(dataset: "OxfordPets")
        #expect(pets.anchorTemplate == "a photo of a {}, a type of pet.")
        #expect(pets.promptTemplate == "X X X X {}, a type of pet.")
        #expect(TCP.Options(dataset: "FGVCAircraft").anchorTemplate == "a photo of an aircraft {}.")
        #expect(TCP.Options(dataset: "world:shapes") == TCP.Options())
        let recipe = MethodKind.tcp.officialRecipe(shots: 16, dataset: "OxfordPets")
        #expect(recipe.epochs == 50 && recipe.batchSize == 32 && recipe.learningRate == 0.002)
        #expect(recipe.optimizer == .adam(AdamOptions(epsilon: 1e-3, weightDecay: 5e-4)))
        #expect(MethodKind.tcp.officialRecipe(shots: 16, dataset: "SUN397").epochs == 25)

        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.tcp())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        let method = try TCP(options: TCP.Options(), clip: clip, tokenizer: tokenizer, classNames: ["w1"], seed: 1)
        #expect(method.trainableCount == 4 * 48 + (32 * 8 + 8) + (8 * 4 * 48 + 4 * 48))
        for bad in [TCP.Options(injectionLayer: 2), TCP.Options(metaNetReduction: 64), TCP.Options(weight: -1),
                    TCP.Options(promptTemplate: "X X {}.")] {
            #expect(throws: MethodError.self) {
                try TCP(options: bad, clip: clip, tokenizer: tokenizer, classNames: ["w1"], seed: 1)
            }
        }
    }
}
