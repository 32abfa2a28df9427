// Tip-Adapter and Tip-Adapter-F against PyTorch (tools/fixtures/adapters.py: cache, logits, grid
// search, key gradient) and central differences; α = 0 is zero-shot CLIP, a 1-shot cache alone is
// cosine 1-NN, novel classes map by name, and prompt files round-trip every adapter.

import Foundation
import Testing
import VLCLIP
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
@testable import VLMethods

extension TinyPrompts {
    /// The fixture's cache passes as labelled features, on the fixture's classes.
    static func tipPasses(_ fixture: Fixture) throws -> LabeledFeatures {
        let passes = fixture["tip.passes"]
        return LabeledFeatures(
            passes: (0..<passes.shape[0]).map { step(passes, $0) }, labels: fixture.integers("tip.labels"),
            classNames: try classNames(fixture))
    }

    /// Tip-Adapter on the fixture's classes and text features, its cache built from the fixture's passes.
    static func tipAdapter(clip: CLIP, fixture: Fixture, options: TipAdapter.Options = .init()) throws -> TipAdapter {
        var method = try TipAdapter(
            options: options, clip: clip, tokenizer: try tokenizer(fixture), classNames: try classNames(fixture),
            seed: 1)
        method.textFeatures = fixture["text_features"]
        try method.prepare(training: try tipPasses(fixture), clip: clip)
        return method
    }

    /// Tip-Adapter-F with the fixture's keys, values, α and β.
    static func tipAdapterF(clip: CLIP, fixture: Fixture) throws -> TipAdapterF {
        var method = try TipAdapterF(
            options: TipAdapter.Options(initialAlpha: 2, initialBeta: 1), clip: clip,
            tokenizer: try tokenizer(fixture), classNames: try classNames(fixture), seed: 1)
        method.cache.textFeatures = fixture["text_features"]
        try method.setLearnedTensors(["adapter.weight": fixture["tip.keys"], "cache_values": fixture["tip.values"]])
        return method
    }
}

@Suite("Tip-Adapter")
struct TipAdapterTests {
    @Test("the cache is the normalized mean of the passes with one-hot values")
    func cache() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let method = try TinyPrompts.tipAdapter(clip: clip, fixture: fixture)
        expectClose(method.keys, fixture["tip.keys"], .forward, "keys")
        #expect(method.values.array == fixture["tip.values"].array)
        #expect(method.alpha.array == [1] && method.beta.array == [1], "init_alpha, init_beta before any search")
    }

    @Test("logits for given α and β match PyTorch")
    func logitsParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        var method = try TinyPrompts.tipAdapter(clip: clip, fixture: fixture)
        try method.setLearnedTensors(["cache_keys": fixture["tip.keys"]])
        method.alpha = Tensor([1.7])
        method.beta = Tensor([3.2])
        let features = fixture["tip.test_features"]
        expectClose(method.cacheLogits(features.normalized()), fixture["tip.cache_logits"], .forward, "cache term")
        expectClose(method.logits(.features(features), clip: clip), fixture["tip.logits"], .model, "logits")
    }

    @Test("the validation search picks PyTorch's β and α from the official grid")
    func search() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let expected = try JSONSerialization.jsonObject(with: Data(fixture.metadata["tip_search"]!.utf8)) as! [String: Any]
        var method = try TinyPrompts.tipAdapter(
            clip: clip, fixture: fixture,
            options: TipAdapter.Options(search: TipAdapter.Search(betaScale: 7, alphaScale: 3)))
        try method.setLearnedTensors(["cache_keys": fixture["tip.keys"]])
        let validation = LabeledFeatures(
            passes: [fixture["tip.validation_features"]], labels: fixture.integers("tip.validation_labels"),
            classNames: try TinyPrompts.classNames(fixture))
        try method.finishTraining(validation: validation, clip: clip)
        #expect(method.beta.array == [Float(expected["beta"] as! Double)])
        #expect(method.alpha.array == [Float(expected["alpha"] as! Double)])
        let grid = TipAdapter.Search(betaScale: 7, alphaScale: 3).grid
        #expect(grid.betas.count == 200 && grid.alphas.count == 20)
        #expect(grid.betas[0] == 0.1 && grid.alphas[19] == 0.1 + 19 * 2.9 / 20)
    }

    @Test("α = 0 gives zero-shot CLIP's logits exactly")
    func alphaZero() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        var method = try TinyPrompts.tipAdapter(clip: clip, fixture: fixture)
        method.alpha = Tensor([0])
        method.beta = Tensor([5.5])
        let zeroShot = try ZeroShot(
            options: ZeroShot.Options(templates: ["a photo of a {}."]), clip: clip,
            tokenizer: try TinyPrompts.tokenizer(fixture), classNames: try TinyPrompts.classNames(fixture), seed: 1)
        method.textFeatures = zeroShot.classifier
        let features = ImageBatch.features(fixture["tip.test_features"])
        #expect(method.logits(features, clip: clip).array == zeroShot.logits(features, clip: clip).array)
    }

    @Test("a 1-shot cache alone predicts the cosine nearest neighbour's class", arguments: [0.5, 5.0, 60.0])
    func nearestNeighbour(beta: Double) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        var method = try TinyPrompts.tipAdapter(clip: clip, fixture: fixture)
        let shots = Tensor.uniform([5, 32], in: -1...1, seed: 21)
        try method.prepare(
            training: LabeledFeatures(passes: [shots], labels: [3, 0, 4, 1, 2], classNames: try TinyPrompts.classNames(fixture)),
            clip: clip)
        method.beta = Tensor([Float(beta)])
        let queries = Tensor.uniform([40, 32], in: -1...1, seed: 22).normalized()
        let predicted = method.cacheLogits(queries).argmax(alongAxis: 1)
        let nearest = queries.matmul(shots.normalized(), transposeOther: true).argmax(alongAxis: 1)
        #expect(predicted == nearest.map { [3, 0, 4, 1, 2][$0] })
    }

    @Test("other class names map the cache by name; a class it lacks gets no cache term")
    func novelClasses() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        var base = try TinyPrompts.tipAdapter(clip: clip, fixture: fixture)
        base.beta = Tensor([2])
        let names = base.classNames  // w1, w2 w3, w4, w5 w6 w7, w8
        var transferred = base
        try transferred.setClassNames(["w4", "w9", "w1"], clip: clip, tokenizer: tokenizer)
        #expect(transferred.cacheClassNames == names)
        let raw = fixture["tip.test_features"]
        let features = raw.normalized()
        let baseCache = base.cacheLogits(features)
        let cache = transferred.cacheLogits(features)
        #expect(cache.shape == [15, 3])
        // Another matrix width may change BLAS's summation order, hence a reordering tolerance.
        expectClose(cache.selecting([0], alongAxis: 1), baseCache.selecting([2], alongAxis: 1), .reordered, "w4")
        expectClose(cache.selecting([2], alongAxis: 1), baseCache.selecting([0], alongAxis: 1), .reordered, "w1")
        #expect(cache.selecting([1], alongAxis: 1).array.allSatisfy { $0 == 0 })
        let logits = transferred.logits(.features(raw), clip: clip)
        let clipOnly = transferred.clipLogits(features, clip: clip)
        #expect(logits.selecting([1], alongAxis: 1).array == clipOnly.selecting([1], alongAxis: 1).array)
    }

    @Test("options: per-dataset α and grid, ImageNet's 7 templates, search off by null")
    func options() throws {
        let eurosat = TipAdapter.Options(dataset: "EuroSAT")
        #expect(eurosat.initialAlpha == 2 && eurosat.initialBeta == 1)
        #expect(eurosat.search == TipAdapter.Search(betaScale: 12, alphaScale: 10))
        #expect(eurosat.templates == ["a centered satellite photo of {}."])
        #expect(TipAdapter.Options(dataset: "ImageNet").templates == ImageNetTemplates.select)
        #expect(TipAdapter.Options(dataset: "OxfordFlowers").search == TipAdapter.Search(betaScale: 50, alphaScale: 50))
        #expect(TipAdapter.Options(dataset: "world:shapes") == TipAdapter.Options())
        let off = try MethodConfiguration(kind: .tipAdapter, optionsJSON: Data(#"{"search": null}"#.utf8))
        #expect(off == .tipAdapter(TipAdapter.Options(search: nil)))
        let encoded = try JSONEncoder().encode(off)
        #expect(try JSONDecoder().decode(MethodConfiguration.self, from: encoded) == off)
        #expect(MethodKind.tipAdapterF.officialRecipe(shots: 16, dataset: "EuroSAT").epochs == 100)
        let recipe = MethodKind.tipAdapterF.officialRecipe(shots: 16, dataset: "Food101")
        #expect(recipe.epochs == 20 && recipe.batchSize == 256 && recipe.learningRate == 0.001)
        #expect(recipe.schedule(stepsPerEpoch: 4).learningRate(epoch: 10, iteration: 0, iterationsPerEpoch: 4) == 0.0005)
        // Recipes stepping per epoch encode as before the field existed, so older run fingerprints still match.
        let coop = String(decoding: try JSONEncoder().encode(MethodKind.coop.officialRecipe(shots: 16, dataset: "")), as: UTF8.self)
        #expect(!coop.contains("stepping"))
    }

    @Test("restoring a cache whose keys and values disagree is an error")
    func inconsistentCache() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        var method = try TipAdapter(
            options: .init(), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: try TinyPrompts.classNames(fixture), seed: 1)
        #expect(throws: MethodError.inconsistentState(detail: "cache_keys has 10 rows, cache_values 0")) {
            try method.setLearnedTensors(["cache_keys": fixture["tip.keys"]])
        }
        #expect(throws: MethodError.shapeMismatch(name: "cache_values", expected: [0, 5], found: [10, 4])) {
            try method.setLearnedTensors(["cache_values": Tensor.zeros([10, 4])])
        }
    }
}

@Suite("Tip-Adapter-F")
struct TipAdapterFTests {
    @Test("first-step loss and key gradient match PyTorch, α and β fixed")
    func gradientParity() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let live = try TinyPrompts.tipAdapterF(clip: clip, fixture: fixture).requiringGradients()
        #expect(TipAdapterF.trainable.map(\.name) == ["adapter.weight"])
        let features = TinyPrompts.step(fixture["tip_f.image_features"], 0)
        let labels = Array(fixture.integers("tip_f.labels")[0..<6])
        let (loss, gradients) = live.gradients(.features(features), labels: labels, clip: clip)
        expectClose(loss.item, fixture["tip_f.losses"].array[0], .model, "loss")
        expectClose(gradients["adapter.weight"]!, fixture["tip_f.first_gradient"], .gradient, "key gradient")
    }

    @Test("key gradients agree with central differences")
    func finiteDifferences() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let method = try TinyPrompts.tipAdapterF(clip: clip, fixture: fixture)
        let features = TinyPrompts.step(fixture["tip_f.image_features"], 2)
        let labels = Array(fixture.integers("tip_f.labels")[12..<18])
        checkGradients(at: [method.cache.keys], step: 1e-3) { inputs in
            var probe = method
            probe.cache.keys = inputs[0]
            return probe.loss(.features(features), labels: labels, clip: clip)
        }
    }
}

@Suite("adapter prompt files")
struct AdapterPromptFileTests {
    @Test(
        "a prompt file round-trips the learned and fitted tensors and the logits, for the training and other classes",
        arguments: [MethodKind.clipAdapter, .tipAdapter, .tipAdapterF])
    func roundTrip(kind: MethodKind) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.adapters())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        var method = try MethodConfiguration(kind: kind).makeMethod(
            clip: clip, tokenizer: tokenizer, classNames: try TinyPrompts.classNames(fixture), seed: 3)
        try method.prepare(training: try TinyPrompts.tipPasses(fixture), clip: clip)
        if kind != .clipAdapter {
            try method.setLearnedTensors(["alpha": Tensor([2.5]), "beta": Tensor([4])])
            #expect(method.learnedTensors["cache_values"]?.shape == [10, 5])
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try PromptFile(method, model: PromptFile.Model(name: "tiny")).write(to: url)
        let loaded = try PromptFile(contentsOf: url)
        #expect(Set(loaded.tensors.keys) == Set(method.learnedTensors.keys))
        let rebuilt = try loaded.makeMethod(clip: clip, tokenizer: tokenizer)
        let features = ImageBatch.features(fixture["tip.test_features"])
        #expect(rebuilt.logits(features, clip: clip).array == method.logits(features, clip: clip).array)
        let transferred = try loaded.makeMethod(clip: clip, tokenizer: tokenizer, classNames: ["w8", "w9"])
        #expect(transferred.logits(features, clip: clip).shape == [15, 2])
    }
}
