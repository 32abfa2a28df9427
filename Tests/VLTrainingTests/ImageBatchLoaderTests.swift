// The batch loader on image files: the same batches and features with and without prefetching,
// cached features used on the second pass, a corrupt image skipped and counted or reported by
// name, and evaluation over what could be read.

import Foundation
import Testing
import VLCLIP
import VLData
import VLFormats
import VLImage
import VLMethods
import VLTensor
import VLMethodsTestSupport
import VLTestSupport
import VLTraining
import VLWorld

@Suite("image batch loader")
struct ImageBatchLoaderTests {
    /// `count` PNG files of varied sizes (labels cycle over 5 classes) in a fresh folder; the
    /// files named in `corrupt` hold bytes that are not an image.
    static func files(count: Int, corrupt: Set<Int> = []) throws -> (URL, LabeledImages) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-loader-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let names = try TinyPrompts.classNames(try TinyPrompts.coop())
        var items: [LabeledItem] = []
        for index in 0..<count {
            let url = directory.appendingPathComponent("image\(index).png")
            if corrupt.contains(index) {
                try Data("not a picture".utf8).write(to: url)
            } else {
                let (width, height) = (30 + index % 7, 34 + index % 5)
                let pixels = (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ index &* 77) >> 2) }
                try PNGWriter.write(pixels: pixels, width: width, height: height, to: url.path)
            }
            let label = index % names.count
            items.append(
                LabeledItem(path: "image\(index).png", location: .file(url), label: label, className: names[label]))
        }
        return (directory, LabeledImages(items: items, classNames: names, images: ImageFiles()))
    }

    static let preprocessing = CLIPPreprocessing(size: 32)

    @Test("prefetching changes neither the batches nor the features")
    func prefetchIsInvisible() throws {
        let (directory, data) = try Self.files(count: 23)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try TinyPrompts.clip()
        var seen: [[Int]] = []
        let batches = [[0, 1, 2, 3, 4], [5, 6, 7], [8, 9, 10, 11, 12, 13, 14], [22, 15, 16]]
        try ImageBatchLoader(data: data, preprocessing: Self.preprocessing).forEach(batches) { seen.append($0.indices) }
        #expect(seen == batches)
        let ahead = try extractFeatures(of: data, clip: clip, preprocessing: Self.preprocessing, batchSize: 4)
        let inline = try extractFeatures(
            of: data, clip: clip, preprocessing: Self.preprocessing, batchSize: 4,
            loading: LoadingOptions(prefetch: false))
        #expect(ahead.indices == Array(0..<23) && inline.indices == ahead.indices)
        #expect(ahead.features.shape == [23, 32])
        #expect(ahead.features.array == inline.features.array)
        let pixels = stackImages(try data.items.map { try Self.preprocessing(contentsOf: $0.url!) })
        expectClose(ahead.features, clip.encodeImage(pixels), .reordered)
    }

    @Test("the second pass reads the cache, keyed by model")
    func cachedPass() throws {
        let (directory, data) = try Self.files(count: 9)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = FeatureCache(directory: directory.appendingPathComponent("cache"))
        let clip = try TinyPrompts.clip()
        let loading = LoadingOptions(cache: cache, modelHash: "tiny")
        let first = try extractFeatures(of: data, clip: clip, preprocessing: Self.preprocessing, batchSize: 4, loading: loading)
        let plain = try extractFeatures(of: data, clip: clip, preprocessing: Self.preprocessing, batchSize: 4)
        #expect(first.features.array == plain.features.array)
        // Replace one entry: a read from the cache returns the stored values, not a recomputation.
        let bytes = try Data(contentsOf: data.items[2].url!)
        var hash = SHA256()
        hash.update(Array(bytes))
        let key = FeatureCache.Key(
            model: "tiny", preprocessing: FeatureCache.identity(of: Self.preprocessing), content: hash.hexDigest())
        #expect(cache.features(for: key) == Array(plain.features.array[64..<96]))
        try cache.store([Float](repeating: 7, count: 32), for: key)
        let second = try extractFeatures(of: data, clip: clip, preprocessing: Self.preprocessing, batchSize: 4, loading: loading)
        #expect(Array(second.features.array[64..<96]) == [Float](repeating: 7, count: 32))
        #expect(Array(second.features.array[0..<64]) == Array(plain.features.array[0..<64]))
        var otherModel = loading
        otherModel.modelHash = "another"
        let third = try extractFeatures(of: data, clip: clip, preprocessing: Self.preprocessing, batchSize: 4, loading: otherModel)
        #expect(third.features.array == plain.features.array)
    }

    @Test("a corrupt image stops the run naming the file, or is skipped and counted")
    func corruptImage() throws {
        let (directory, data) = try Self.files(count: 10, corrupt: [6])
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try TinyPrompts.clip()
        do {
            _ = try extractFeatures(of: data, clip: clip, preprocessing: Self.preprocessing, batchSize: 4)
            Issue.record("a corrupt image was accepted")
        } catch {
            #expect("\(error)".contains("image6.png"))
        }
        let skipping = LoadingOptions(skipBadImages: true)
        let extracted = try extractFeatures(
            of: data, clip: clip, preprocessing: Self.preprocessing, batchSize: 4, loading: skipping)
        #expect(extracted.indices == [0, 1, 2, 3, 4, 5, 7, 8, 9])
        #expect(extracted.skipped.map(\.path) == ["image6.png"])
        #expect(extracted.skipped[0].reason.contains("image6.png"))

        let fixture = try TinyPrompts.coop()
        let method = try ZeroShot(
            options: ZeroShot.Options(), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: data.classNames, seed: 0)
        let result = try evaluate(method, clip: clip, on: data, batchSize: 4, loading: skipping)
        #expect(result.metrics.count == 9 && result.indices == extracted.indices)
        #expect(result.skipped.count == 1)
        #expect(throws: (any Error).self) { try evaluate(method, clip: clip, on: data, batchSize: 4) }
    }
}
