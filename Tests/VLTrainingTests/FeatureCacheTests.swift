// The on-disk feature cache: misses, hits, keys that differ in any part, entries that are
// truncated, corrupt or foreign (misses, then rewritten), and atomic writes that leave no
// temporary files even when many threads store the same key.

import Dispatch
import Foundation
import Testing
import VLImage
import VLTraining

@Suite("feature cache")
struct FeatureCacheTests {
    static func cache() -> FeatureCache {
        FeatureCache(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-cache-\(UUID())"))
    }

    static let key = FeatureCache.Key(
        model: "model-hash", preprocessing: FeatureCache.identity(of: CLIPPreprocessing(size: 32)),
        content: "content-hash")
    static let values: [Float] = [1.5, -2.25, .pi, 0, -0.0, 1e-30, 3.4e38]

    /// Every file under the cache folder, relative.
    static func files(_ cache: FeatureCache) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: cache.directory.path)
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(
                atPath: cache.directory.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files.append(path) }
        }
        return files.sorted()
    }

    @Test("a stored entry is read back bit for bit; an absent one is a miss")
    func hitAndMiss() throws {
        let cache = Self.cache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        #expect(cache.features(for: Self.key) == nil)
        try cache.store(Self.values, for: Self.key)
        let read = try #require(cache.features(for: Self.key))
        #expect(read.map(\.bitPattern) == Self.values.map(\.bitPattern))
        #expect(Self.files(cache).count == 1 && Self.files(cache)[0].hasSuffix(".features"))
    }

    @Test("changing the model, preprocessing, content or pass changes the entry")
    func keyChange() throws {
        let cache = Self.cache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        try cache.store(Self.values, for: Self.key)
        var others = [Self.key, Self.key, Self.key, Self.key, Self.key]
        others[0].model = "other-model"
        var preprocessing = CLIPPreprocessing(size: 32)
        preprocessing.normalization = .huggingFace
        others[1].preprocessing = FeatureCache.identity(of: preprocessing)
        others[2].content = "other-content"
        others[3].pass = .augmented(settings: "rrc 0.08 flip 0.5", seed: 1, epoch: 0, item: 3)
        others[4].pass = .augmented(settings: "rrc 0.08 flip 0.5", seed: 1, epoch: 1, item: 3)
        #expect(FeatureCache.identity(of: preprocessing) != Self.key.preprocessing)
        for (index, key) in others.enumerated() {
            #expect(cache.features(for: key) == nil, "key \(index)")
            #expect(cache.url(for: key) != cache.url(for: Self.key), "key \(index)")
        }
        #expect(cache.url(for: others[3]) != cache.url(for: others[4]))
    }

    @Test("truncated, corrupted, empty or foreign entries are misses and get rewritten")
    func corruptEntries() throws {
        let cache = Self.cache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        try cache.store(Self.values, for: Self.key)
        let url = cache.url(for: Self.key)
        let good = try Data(contentsOf: url)
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        var otherKey = Self.key
        otherKey.content = "someone else"
        try cache.store(Self.values, for: otherKey)
        let foreign = try Data(contentsOf: cache.url(for: otherKey))
        for (name, bytes) in [
            ("truncated", good.prefix(good.count - 5)), ("one byte", good.prefix(1)), ("empty", Data()),
            ("flipped", flipped), ("foreign", foreign), ("garbage", Data(repeating: 7, count: good.count)),
        ] {
            try bytes.write(to: url)
            #expect(cache.features(for: Self.key) == nil, "\(name)")
            try cache.store(Self.values, for: Self.key)
            #expect(cache.features(for: Self.key) == Self.values, "\(name) rewritten")
        }
    }

    @Test("concurrent writers of one key leave one whole entry and no temporary files")
    func concurrentWriters() throws {
        let cache = Self.cache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        DispatchQueue.concurrentPerform(iterations: 16) { writer in
            var key = Self.key
            key.content = "item \(writer % 4)"
            try? cache.store(Self.values, for: key)
        }
        #expect(Self.files(cache).count == 4)
        #expect(Self.files(cache).allSatisfy { $0.hasSuffix(".features") && !$0.contains(".tmp") })
        for item in 0..<4 {
            var key = Self.key
            key.content = "item \(item)"
            #expect(cache.features(for: key) == Self.values)
        }
    }

    @Test("the default folder is $VLPROMPT_CACHE, else ~/.cache/vlprompt/features")
    func defaultDirectory() {
        #expect(FeatureCache.defaultDirectory(environment: ["VLPROMPT_CACHE": "/tmp/x"]).path == "/tmp/x")
        #expect(FeatureCache.defaultDirectory(environment: [:]).path.hasSuffix("/.cache/vlprompt/features"))
    }
}
