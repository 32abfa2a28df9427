// Training through the batch loader: decoding one step ahead changes no loss and no learned
// bit, augmented passes fill the disk cache and a second identical run reads every entry back
// (no entry rewritten) to the same result, and a corrupt image is named or skipped and counted.

import Foundation
import Testing
import VLCLIP
import VLData
import VLImage
import VLMethods
import VLMethodsTestSupport
import VLTensor
import VLTestSupport
import VLTraining

@Suite("training through the batch loader")
struct TrainingLoaderTests {
    static let recipe = TrainingRecipe(epochs: 3, batchSize: 4, learningRate: 0.5)

    /// Trains CoOp from the same start; returns every step's loss, the learned context and the summary.
    static func run(
        _ data: LabeledImages, recipe: TrainingRecipe = recipe, loading: LoadingOptions
    ) throws -> (losses: [Float], context: [Float], summary: TrainingSummary) {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        var method = try TinyData.coop(clip: clip, fixture: fixture)
        var losses: [Float] = []
        let summary = try train(&method, clip: clip, on: data, recipe: recipe, seed: 4, loading: loading) { event in
            if case .stepFinished(_, _, let loss, _) = event { losses.append(loss) }
        }
        return (losses, method.context.array, summary)
    }

    /// Every cache entry's file with its inode: a store renames a new file into place, so an
    /// unchanged inode means the entry was read, not recomputed.
    static func entries(_ cache: FeatureCache) throws -> [String: Int] {
        let paths = FileManager.default.enumerator(atPath: cache.directory.path)?.allObjects
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".features") } ?? []
        var inodes: [String: Int] = [:]
        for path in paths {
            let attributes = try FileManager.default.attributesOfItem(
                atPath: cache.directory.appendingPathComponent(path).path)
            inodes[path] = (attributes[.systemFileNumber] as? NSNumber)?.intValue
        }
        return inodes
    }

    @Test("decoding the next step in the background leaves losses and learned tensors bit-identical")
    func prefetchIsInvisible() throws {
        let (directory, data) = try ImageBatchLoaderTests.files(count: 14)
        defer { try? FileManager.default.removeItem(at: directory) }
        for augmentation in [TrainingRecipe.Augmentation.dassl, .none] {
            var recipe = Self.recipe
            recipe.augmentation = augmentation
            let ahead = try Self.run(data, recipe: recipe, loading: LoadingOptions())
            let inline = try Self.run(data, recipe: recipe, loading: LoadingOptions(prefetch: false))
            #expect(ahead.losses.count == 9 && ahead.losses == inline.losses, "\(augmentation)")
            #expect(ahead.context == inline.context, "\(augmentation)")
        }
    }

    @Test("a second identical augmented run reads every pass from the cache, to the same bits")
    func augmentedCache() throws {
        let (directory, data) = try ImageBatchLoaderTests.files(count: 10)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = FeatureCache(directory: directory.appendingPathComponent("cache"))
        let plain = try Self.run(data, loading: LoadingOptions())

        let off = try Self.run(data, loading: LoadingOptions(cache: cache, modelHash: "tiny"))
        #expect(try Self.entries(cache).isEmpty, "augmented passes are cached only when asked")
        #expect(off.losses == plain.losses && off.context == plain.context)

        let caching = LoadingOptions(cache: cache, modelHash: "tiny", cachesAugmentedPasses: true)
        let cold = try Self.run(data, loading: caching)
        let written = try Self.entries(cache)
        #expect(written.count == 3 * 8, "3 epochs of 2 batches of 4: one entry per augmented image")
        #expect(cold.losses == plain.losses && cold.context == plain.context)

        let warm = try Self.run(data, loading: caching)
        #expect(try Self.entries(cache) == written, "every entry was read back, none rewritten")
        #expect(warm.losses == plain.losses && warm.context == plain.context)

        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        var method = try TinyData.coop(clip: clip, fixture: fixture)
        try train(&method, clip: clip, on: data, recipe: Self.recipe, seed: 5, loading: caching)
        #expect(try Self.entries(cache).count > written.count, "another seed draws other crops")
    }

    @Test("a corrupt training image stops the run naming it, or is skipped once and counted")
    func corruptImage() throws {
        let (directory, data) = try ImageBatchLoaderTests.files(count: 10, corrupt: [3])
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try Self.run(data, loading: LoadingOptions())
            Issue.record("a corrupt image was accepted")
        } catch {
            #expect("\(error)".contains("image3.png"))
        }
        for augmentation in [TrainingRecipe.Augmentation.dassl, .none] {
            var recipe = Self.recipe
            recipe.augmentation = augmentation
            let result = try Self.run(data, recipe: recipe, loading: LoadingOptions(skipBadImages: true))
            #expect(result.summary.skipped.map(\.path) == ["image3.png"], "\(augmentation)")
            #expect(result.losses.count == 6 && result.losses.allSatisfy(\.isFinite), "\(augmentation)")
        }
    }
}
