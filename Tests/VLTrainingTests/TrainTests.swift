// The shared training procedure end to end on the tiny CLIP and a synthetic image set: frozen
// weights stay bit-identical, a killed and resumed run ends exactly where an uninterrupted one
// does, checkpoints refuse another run, batches follow Dassl's drop_last rule, and without
// augmentation image features are computed once per item.

import Foundation
import Synchronization
import Testing
import VLCLIP
import VLData
import VLImage
import VLMethods
import VLOptim
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
import VLTraining

/// Deterministic 40 × 36 images, one per item index, counting how often each is produced.
final class SyntheticImages: ImageSource {
    let loads = Mutex<[Int: Int]>([:])

    func image(for item: LabeledItem) throws -> RGBImage {
        guard case .generated(let index) = item.location else { throw TrainingError.noImageFile(item: item.path) }
        loads.withLock { $0[index, default: 0] += 1 }
        let (width, height) = (40, 36)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in pixels.indices {
            pixels[i] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761 &+ index &* 40_503 &+ item.label &* 97) >> 7)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    var maximumLoadsPerItem: Int { loads.withLock { $0.values.max() ?? 0 } }
}

enum TinyData {
    /// `perClass` items for each of the fixture's 5 classes, with a fresh image source.
    static func images(perClass: Int, fixture: Fixture) throws -> (LabeledImages, SyntheticImages) {
        let names = try TinyPrompts.classNames(fixture)
        let items = (0..<(perClass * names.count)).map { index in
            LabeledItem(
                path: "synthetic/\(index)", location: .generated(index: index), label: index % names.count,
                className: names[index % names.count])
        }
        let source = SyntheticImages()
        return (LabeledImages(items: items, classNames: names, images: source), source)
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-train-\(UUID().uuidString)")
    }

    static func coop(clip: CLIP, fixture: Fixture, seed: UInt64 = 5) throws -> CoOp {
        try CoOp(
            options: CoOp.Options(contextLength: 4), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: try TinyPrompts.classNames(fixture), seed: seed)
    }
}

@Suite("training procedure")
struct TrainTests {
    static let recipe = TrainingRecipe(epochs: 3, batchSize: 4, learningRate: 0.5)

    @Test("CLIP's weights are bit-identical after training, and the prompt moved")
    func frozenCLIP() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let before = clip.namedParameters().map { ($0.name, $0.tensor.array) }
        var method = try TinyData.coop(clip: clip, fixture: fixture)
        let initial = method.context.array
        let (data, _) = try TinyData.images(perClass: 2, fixture: fixture)
        var events: [String] = []
        let summary = try train(&method, clip: clip, on: data, recipe: Self.recipe, seed: 1) { event in
            if case .epochStarted(let epoch, let rate) = event { events.append("epoch \(epoch) at \(rate)") }
        }
        #expect(summary.stepsPerEpoch == 2, "10 items in batches of 4: the partial batch is dropped")
        #expect(events == ["epoch 0 at 1e-05", "epoch 1 at 0.5", "epoch 2 at 0.375"])
        #expect(method.context.array != initial)
        for ((name, values), (_, after)) in zip(before, clip.namedParameters().map { ($0.name, $0.tensor.array) }) {
            #expect(values == after, "\(name) changed")
        }
        #expect(!clip.namedParameters().contains { $0.tensor.requiresGradient })
    }

    @Test("a smaller set than one batch trains on one partial batch (Dassl's drop_last rule)")
    func partialBatch() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        var method = try TinyData.coop(clip: clip, fixture: fixture)
        let (data, _) = try TinyData.images(perClass: 1, fixture: fixture)
        var recipe = Self.recipe
        recipe.batchSize = 32
        recipe.epochs = 1
        var steps: [Int] = []
        try train(&method, clip: clip, on: data, recipe: recipe, seed: 1) { event in
            if case .stepFinished(_, let step, _, _) = event { steps.append(step) }
        }
        #expect(steps == [0])
    }

    @Test("a run killed after an epoch and resumed ends bit-identical to an uninterrupted run")
    func resume() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let (data, _) = try TinyData.images(perClass: 2, fixture: fixture)
        struct Killed: Error {}

        var uninterrupted = try TinyData.coop(clip: clip, fixture: fixture)
        try train(&uninterrupted, clip: clip, on: data, recipe: Self.recipe, seed: 7)

        let directory = TinyData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoints = CheckpointLocation(directory: directory)
        var first = try TinyData.coop(clip: clip, fixture: fixture)
        #expect(throws: Killed.self) {
            try train(&first, clip: clip, on: data, recipe: Self.recipe, seed: 7, checkpoints: checkpoints) { event in
                if case .checkpointSaved(epoch: 0, _) = event { throw Killed() }
            }
        }
        var resumed = try TinyData.coop(clip: clip, fixture: fixture)
        let summary = try train(&resumed, clip: clip, on: data, recipe: Self.recipe, seed: 7, checkpoints: checkpoints)
        #expect(summary.firstEpoch == 1)
        #expect(resumed.context.array == uninterrupted.context.array)

        var other = try TinyData.coop(clip: clip, fixture: fixture)
        #expect(throws: TrainingError.checkpointMismatch(path: checkpoints.url.path, field: "seed")) {
            try train(&other, clip: clip, on: data, recipe: Self.recipe, seed: 8, checkpoints: checkpoints)
        }
    }

    @Test("CoCoOp resumes bit-identically too (context and Meta-Net)")
    func resumeCoCoOp() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.cocoop())
        let (data, _) = try TinyData.images(perClass: 1, fixture: fixture)
        var recipe = Self.recipe
        recipe.batchSize = 2
        struct Killed: Error {}
        func fresh() throws -> CoCoOp { try TinyPrompts.cocoop(clip: clip, fixture: fixture) }
        var uninterrupted = try fresh()
        try train(&uninterrupted, clip: clip, on: data, recipe: recipe, seed: 3)
        let directory = TinyData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoints = CheckpointLocation(directory: directory)
        var first = try fresh()
        _ = try? train(&first, clip: clip, on: data, recipe: recipe, seed: 3, checkpoints: checkpoints) { event in
            if case .checkpointSaved(epoch: 1, _) = event { throw Killed() }
        }
        var resumed = try fresh()
        #expect(
            try train(&resumed, clip: clip, on: data, recipe: recipe, seed: 3, checkpoints: checkpoints).firstEpoch == 2
        )
        for (name, tensor) in uninterrupted.trainableTensors {
            #expect(resumed.trainableTensors[name]!.array == tensor.array, "\(name)")
        }
    }

    @Test("without augmentation each item's features are computed once for the whole run")
    func featureCache() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        var method = try TinyData.coop(clip: clip, fixture: fixture)
        let (data, source) = try TinyData.images(perClass: 2, fixture: fixture)
        var recipe = Self.recipe
        recipe.augmentation = .none
        try train(&method, clip: clip, on: data, recipe: recipe, seed: 1)
        #expect(source.maximumLoadsPerItem == 1)
        let (augmentedData, augmentedSource) = try TinyData.images(perClass: 2, fixture: fixture)
        var augmented = try TinyData.coop(clip: clip, fixture: fixture)
        try train(&augmented, clip: clip, on: augmentedData, recipe: Self.recipe, seed: 1)
        #expect(augmentedSource.maximumLoadsPerItem == 3, "one augmentation pass per epoch")
    }

    @Test("evaluation scores every item with the test transform")
    func evaluation() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let method = try TinyData.coop(clip: clip, fixture: fixture)
        let (data, _) = try TinyData.images(perClass: 3, fixture: fixture)
        let result = try evaluate(method, clip: clip, on: data, batchSize: 4)
        #expect(result.metrics.count == 15)
        #expect(result.predictions.count == 15)
        let preprocessing = ImagePipeline(size: 32).evaluation
        let first = stackImages([preprocessing(try data.images.image(for: data.items[0]))])
        let expected = method.logits(for: first, clip: clip).argmax(alongAxis: 1)[0]
        #expect(result.predictions[0] == expected)
    }
}

@Suite("micro-batches")
struct MicroBatchTests {
    @Test("accumulating gradients over micro-batches gives the same step")
    func sameStep() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.cocoop())
        let pixels = TinyPrompts.step(fixture["pixels"], 0)
        let more = TinyPrompts.step(fixture["pixels"], 1)
        let images = ImageBatch.features(clip.encodeImage(Tensor.concatenated([pixels, more], alongAxis: 0)))
        let labels = TinyPrompts.labels(fixture, step: 0, batch: 2) + TinyPrompts.labels(fixture, step: 1, batch: 2)
        var whole = try TinyPrompts.cocoop(clip: clip, fixture: fixture)
        var split = whole
        var first: any Optimizer = SGD(.dassl)
        var second: any Optimizer = SGD(.dassl)
        let wholeLoss = trainingStep(&whole, &first, images: images, labels: labels, clip: clip, learningRate: 0.5)
        let splitLoss = trainingStep(
            &split, &second, images: images, labels: labels, clip: clip, learningRate: 0.5, microBatches: 3)
        expectClose(splitLoss, wholeLoss, .exactShortcut, "loss")
        for (name, tensor) in whole.trainableTensors {
            expectClose(split.trainableTensors[name]!, tensor, .exactShortcut, name)
        }
    }
}
