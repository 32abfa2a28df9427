// Few-shot subsets: K per class, seeded, identical across runs, threads and machines (checked
// against an independent Python implementation), nested in K, and a portable file round trip.

import Dispatch
import Foundation
import Testing
import VLTestSupport
@testable import VLData

@Suite("few-shot sampling")
struct FewShotTests {
    /// The dataset of `Fixtures/fewshot_sampling/reference.json` laid out as a CoOp split file.
    private func referenceDataset() throws -> (TemporaryDirectory, DatasetSplits, [[String: Any]]) {
        let data = try Data(contentsOf: Fixture.url("fewshot_sampling/reference.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = { (key: String) -> [(String, Int, String)] in
            (object[key] as! [[Any]]).map { ($0[0] as! String, $0[1] as! Int, "class\($0[1] as! Int)") }
        }
        let root = try TemporaryDirectory()
        let (train, val) = (entries("train"), entries("validation"))
        try root.images((train + val).map(\.0), under: "eurosat/2750")
        try root.splitFile("eurosat/split_zhou_EuroSAT.json", train: train, val: val, test: val)
        let splits = try EuroSAT(root: root.url).load()
        return (root, splits, object["cases"] as! [[String: Any]])
    }

    @Test("subsets match the independent Python implementation for every seed and K")
    func matchesReference() throws {
        let (_, splits, cases) = try referenceDataset()
        #expect(cases.count == 20)
        for reference in cases {
            let seed = (reference["seed"] as! NSNumber).uint64Value
            let shots = reference["shots"] as! Int
            let subset = try FewShotSampler.sample(splits, shots: shots, seed: seed)
            #expect(subset.train.map(\.path) == reference["train"] as! [String], "seed \(seed), \(shots) shots")
            #expect(subset.validation.map(\.path) == reference["validation"] as! [String])
        }
    }

    @Test("K per class, all of a smaller class, min(K, 4) for validation")
    func counts() throws {
        let (_, splits, _) = try referenceDataset()
        let subset = try FewShotSampler.sample(splits, shots: 8, seed: 1)
        let perClass = Dictionary(grouping: subset.train, by: \.label).mapValues(\.count)
        #expect(perClass == [0: 3, 1: 7, 2: 8, 3: 8, 4: 1])
        let validation = Dictionary(grouping: subset.validation, by: \.label).mapValues(\.count)
        #expect(validation == [0: 2, 1: 4, 2: 4, 3: 4, 4: 1])
        #expect(Set(subset.train.map(\.path)).count == subset.train.count)
        #expect(subset.validationShots == 4 && subset.shots == 8 && subset.dataset == "EuroSAT")
    }

    @Test("the same subset on every run and from concurrent threads; other seeds differ")
    func reproducible() throws {
        let (_, splits, _) = try referenceDataset()
        let first = try FewShotSampler.sample(splits, shots: 4, seed: 3)
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            results.append(try? FewShotSampler.sample(splits, shots: 4, seed: 3))
        }
        #expect(results.values.count == 8 && results.values.allSatisfy { $0 == first })
        #expect(try FewShotSampler.sample(splits, shots: 4, seed: 4) != first)
    }

    @Test("smaller K gives a subset of larger K for the same seed")
    func nested() throws {
        let (_, splits, _) = try referenceDataset()
        var previous = Set<String>()
        for shots in [1, 2, 4, 8, 16] {
            let current = Set(try FewShotSampler.sample(splits, shots: shots, seed: 2).train.map(\.path))
            #expect(previous.isSubset(of: current))
            previous = current
        }
    }

    @Test("the subset file round-trips and replays onto the dataset")
    func subsetFile() throws {
        let (root, splits, _) = try referenceDataset()
        let subset = try FewShotSampler.sample(splits, shots: 2, seed: 1)
        let file = root.url.appendingPathComponent("run/subset.json")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try subset.write(to: file)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("\"format\" : \"vlprompt-fewshot-subset\"") && text.contains("\"version\" : 1"))
        #expect(text.contains("\"class0/train_0_0.jpg\"") && !text.contains(root.url.path))
        let loaded = try FewShotSubset(contentsOf: file)
        #expect(loaded == subset)
        let applied = try splits.applying(loaded, from: file)
        #expect(applied.train.map(\.path) == subset.train.map(\.path))
        #expect(applied.train.allSatisfy { $0.url != nil } && applied.test == splits.test)
        #expect(applied.validation.map(\.path) == subset.validation.map(\.path))
    }

    @Test("a subset for another dataset or naming unknown items is rejected")
    func subsetMismatch() throws {
        let (root, splits, _) = try referenceDataset()
        var subset = try FewShotSampler.sample(splits, shots: 1, seed: 1)
        let file = root.url.appendingPathComponent("subset.json")
        subset.train[0].path = "class0/nope.jpg"
        #expect(throws: DataError.self) { try splits.applying(subset, from: file) }
        subset.dataset = "DescribableTextures"
        do {
            _ = try splits.applying(subset, from: file)
            Issue.record("expected a mismatch")
        } catch {
            #expect(String(describing: error).contains("made for DescribableTextures, not EuroSAT"))
        }
        try root.write("bad.json", "{\"format\": \"vlprompt-fewshot-subset\", \"version\": 9}")
        #expect(throws: DataError.self) { try FewShotSubset(contentsOf: root.url.appendingPathComponent("bad.json")) }
    }

    @Test("ImageNet keeps validation = test; test-only datasets cannot be sampled")
    func imageNetAndTestOnly() throws {
        let root = try TemporaryDirectory()
        try root.write("imagenet/classnames.txt", "n1 one\nn2 two\n")
        try root.images(["n1/a.jpg", "n1/b.jpg", "n2/c.jpg"], under: "imagenet/images/train")
        try root.images(["n1/v.jpg", "n2/w.jpg"], under: "imagenet/images/val")
        let splits = try ImageNet(root: root.url).load()
        let subset = try FewShotSampler.sample(splits, shots: 1, seed: 1)
        #expect(subset.train.count == 2 && subset.validation.isEmpty)
        let applied = try splits.applying(subset, from: root.url)
        #expect(applied.validation == splits.test)
        let testOnly = DatasetSplits(dataset: "ImageNetA", classNames: ["x"], train: [], validation: [], test: [])
        #expect(throws: DataError.self) { try FewShotSampler.sample(testOnly, shots: 1, seed: 1) }
        #expect(throws: DataError.self) { try FewShotSampler.sample(splits, shots: 0, seed: 1) }
    }
}

/// Collects results from concurrent work.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [FewShotSubset?] = []
    var values: [FewShotSubset?] { lock.withLock { stored } }
    func append(_ value: FewShotSubset?) { lock.withLock { stored.append(value) } }
}
