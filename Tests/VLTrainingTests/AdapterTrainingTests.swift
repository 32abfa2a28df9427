// The adapters trained by the shared procedure: 10-step trajectories against PyTorch
// (tools/fixtures/adapters.py), end-to-end runs (cache built first, α and β searched on validation)
// and exact resumption of a run killed after building its cache or after an epoch.

import Foundation
import Testing
import VLCLIP
import VLData
import VLOptim
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
import VLTraining
@testable import VLMethods

@Suite("adapter training")
struct AdapterTrainingTests {
    static func fixture() throws -> Fixture { try Fixture("adapters/adapters") }

    /// Labels of `step` from a `[steps, 6]` fixture tensor.
    static func labels(_ fixture: Fixture, _ key: String, step: Int) -> [Int] {
        Array(fixture.integers(key)[(step * 6)..<((step + 1) * 6)])
    }

    @Test("CLIP-Adapter: 10 SGD steps follow PyTorch's losses and end at its weights")
    func clipAdapterTrajectory() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Self.fixture())
        var method = try CLIPAdapter(
            options: .init(), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: try TinyPrompts.classNames(fixture), seed: 1)
        try method.setTrainableTensors([
            "fc.0.weight": fixture["clip_adapter.initial.fc.0.weight"],
            "fc.2.weight": fixture["clip_adapter.initial.fc.2.weight"],
        ])
        method.textFeatures = fixture["text_features"]
        var optimizer: any Optimizer = SGD(SGD.Options(momentum: 0.9, weightDecay: 5e-4))
        let expected = fixture["clip_adapter.losses"].array
        for step in 0..<expected.count {
            let loss = trainingStep(
                &method, &optimizer, images: .features(TinyPrompts.step(fixture["clip_adapter.image_features"], step)),
                labels: Self.labels(fixture, "clip_adapter.labels", step: step), clip: clip, learningRate: 0.5)
            expectClose(loss, expected[step], .trajectoryLoss, "step \(step)")
        }
        expectClose(method.down, fixture["clip_adapter.final.fc.0.weight"], .trajectoryParameters, "fc.0.weight")
        expectClose(method.up, fixture["clip_adapter.final.fc.2.weight"], .trajectoryParameters, "fc.2.weight")
    }

    @Test("Tip-Adapter-F: 10 AdamW steps under the per-batch cosine follow PyTorch")
    func tipAdapterFTrajectory() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Self.fixture())
        var method = try TipAdapterF(
            options: TipAdapter.Options(initialAlpha: 2, initialBeta: 1), clip: clip,
            tokenizer: try TinyPrompts.tokenizer(fixture), classNames: try TinyPrompts.classNames(fixture), seed: 1)
        method.cache.textFeatures = fixture["text_features"]
        try method.setLearnedTensors(["adapter.weight": fixture["tip.keys"], "cache_values": fixture["tip.values"]])
        let recipe = TrainingRecipe(
            epochs: 10, batchSize: 6, optimizer: .adamW(AdamOptions(epsilon: 1e-4, weightDecay: 0.01)),
            learningRate: 0.01, warmupEpochs: 0, stepping: .perIteration)
        let schedule = recipe.schedule(stepsPerEpoch: 1)
        var optimizer = try recipe.optimizer.makeOptimizer()
        let (expected, rates) = (fixture["tip_f.losses"].array, fixture["tip_f.learning_rates"].array)
        for step in 0..<expected.count {
            let rate = schedule.learningRate(epoch: step, iteration: 0, iterationsPerEpoch: 1)
            expectClose(Float(rate), rates[step], .forward, "learning rate \(step)")
            let loss = trainingStep(
                &method, &optimizer, images: .features(TinyPrompts.step(fixture["tip_f.image_features"], step)),
                labels: Self.labels(fixture, "tip_f.labels", step: step), clip: clip, learningRate: rate)
            expectClose(loss, expected[step], .trajectoryLoss, "step \(step)")
        }
        expectClose(method.cache.keys, fixture["tip_f.final_keys"], .trajectoryParameters, "keys")
        #expect(method.cache.alpha.array == [2] && method.cache.beta.array == [1], "α and β stay fixed")
    }

    // MARK: - End to end

    /// `perClass` synthetic items per class starting at image index `offset`.
    static func images(perClass: Int, offset: Int, fixture: Fixture) throws -> (LabeledImages, SyntheticImages) {
        let names = try TinyPrompts.classNames(fixture)
        let items = (0..<(perClass * names.count)).map { index in
            LabeledItem(
                path: "synthetic/\(offset + index)", location: .generated(index: offset + index),
                label: index % names.count, className: names[index % names.count])
        }
        let source = SyntheticImages()
        return (LabeledImages(items: items, classNames: names, images: source), source)
    }

    /// A small recipe of `kind`'s shape: 2 epochs of batches of 4.
    static func recipe(_ kind: MethodKind) -> TrainingRecipe {
        var recipe = kind.officialRecipe(shots: 4, dataset: "world:shapes")
        recipe.epochs = kind == .tipAdapter ? 0 : 2
        recipe.batchSize = 4
        if kind == .clipAdapter { recipe.learningRate = 0.5 }
        return recipe
    }

    /// `kind` on the fixture's classes; Tip's cache from 2 augmented passes.
    static func method(_ kind: MethodKind, clip: CLIP, fixture: Fixture) throws -> any AdaptationMethod {
        let configuration: MethodConfiguration =
            switch kind {
            case .tipAdapter: .tipAdapter(TipAdapter.Options(augmentEpochs: 2))
            case .tipAdapterF: .tipAdapterF(TipAdapter.Options(augmentEpochs: 2))
            default: MethodConfiguration(kind: kind)
            }
        return try configuration.makeMethod(
            clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture), classNames: try TinyPrompts.classNames(fixture),
            seed: 2)
    }

    @Test(
        "train then evaluate: CLIP stays bit-identical, the cache is built and α, β selected on validation",
        arguments: [MethodKind.clipAdapter, .tipAdapter, .tipAdapterF])
    func endToEnd(kind: MethodKind) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Self.fixture())
        let hash = clip.contentHash()
        let (data, source) = try Self.images(perClass: 4, offset: 0, fixture: fixture)
        let (validation, _) = try Self.images(perClass: 2, offset: 100, fixture: fixture)
        let (test, _) = try Self.images(perClass: 3, offset: 200, fixture: fixture)
        func run<Method: AdaptationMethod>(_ fresh: Method) throws {
            var method = fresh
            var events: [String] = []
            let summary = try train(
                &method, clip: clip, on: data, validation: validation, recipe: Self.recipe(kind), seed: 5
            ) { event in
                switch event {
                case .prepared(let passes, let items): events.append("prepared \(passes) \(items)")
                case .selectedOnValidation(let items): events.append("selected \(items)")
                case .epochFinished(let epoch, _): events.append("epoch \(epoch)")
                default: break
                }
            }
            switch kind {
            case .clipAdapter:
                #expect(events == ["epoch 0", "epoch 1"])
                #expect(method.trainableTensors["fc.0.weight"]!.array != fresh.trainableTensors["fc.0.weight"]!.array)
                #expect(source.maximumLoadsPerItem == 2)
            case .tipAdapter:
                #expect(events == ["prepared 2 20", "selected 10"])
                #expect(summary.validationItems == 10)
                #expect(source.maximumLoadsPerItem == 2, "one load per cache pass")
            default:
                #expect(events == ["prepared 2 20", "epoch 0", "epoch 1", "selected 10"])
                #expect(source.maximumLoadsPerItem == 4, "two cache passes, two epochs")
            }
            #expect(method.learnedTensors.values.allSatisfy { $0.array.allSatisfy(\.isFinite) })
            let result = try evaluate(method, clip: clip, on: test, batchSize: 7)
            #expect(result.metrics.count == 15)
        }
        try run(try Self.method(kind, clip: clip, fixture: fixture))
        #expect(clip.contentHash() == hash)
        #expect(!clip.namedParameters().contains { $0.tensor.requiresGradient })
    }

    @Test("a run killed after building its cache, or after an epoch, resumes bit-identically without rebuilding it")
    func resume() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try Self.fixture())
        let (data, _) = try Self.images(perClass: 4, offset: 0, fixture: fixture)
        let (validation, _) = try Self.images(perClass: 2, offset: 100, fixture: fixture)
        let recipe = Self.recipe(.tipAdapterF)
        struct Killed: Error {}
        func fresh() throws -> TipAdapterF {
            try TipAdapterF(
                options: TipAdapter.Options(augmentEpochs: 2), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
                classNames: try TinyPrompts.classNames(fixture), seed: 2)
        }
        var uninterrupted = try fresh()
        try train(&uninterrupted, clip: clip, on: data, validation: validation, recipe: recipe, seed: 9)

        for killPoint in ["prepared", "epoch 0"] {
            let directory = TinyData.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let checkpoints = CheckpointLocation(directory: directory)
            var first = try fresh()
            #expect(throws: Killed.self) {
                try train(
                    &first, clip: clip, on: data, validation: validation, recipe: recipe, seed: 9, checkpoints: checkpoints
                ) { event in
                    if case .prepared = event, killPoint == "prepared" { throw Killed() }
                    if case .checkpointSaved(epoch: 0, _) = event, killPoint == "epoch 0" { throw Killed() }
                }
            }
            let (again, source) = try Self.images(perClass: 4, offset: 0, fixture: fixture)
            var resumed = try fresh()
            var prepared = false
            let summary = try train(
                &resumed, clip: clip, on: again, validation: validation, recipe: recipe, seed: 9, checkpoints: checkpoints
            ) { event in
                if case .prepared = event { prepared = true }
            }
            #expect(!prepared, "\(killPoint): the cache comes from the checkpoint")
            #expect(summary.firstEpoch == (killPoint == "prepared" ? 0 : 1))
            #expect(source.maximumLoadsPerItem == 2 - summary.firstEpoch, "\(killPoint): only the remaining epochs load images")
            for (name, tensor) in uninterrupted.learnedTensors {
                #expect(resumed.learnedTensors[name]!.array == tensor.array, "\(killPoint): \(name)")
            }
        }
    }
}
