// Base-to-novel: sorted labels, first ceil(n/2) base, the rest novel, each relabelled to 0..<m.

import Foundation
import Testing
import VLData

@Suite("base-to-novel split")
struct ClassSubsampleTests {
    @Test("base and novel partition the labels and relabel them bijectively", arguments: 1...9)
    func bijection(classes: Int) {
        let labels = Array((0..<classes).reversed())  // every label, not in sorted order
        let base = ClassPartition(labels: labels + labels, subsample: .base)
        let novel = ClassPartition(labels: labels, subsample: .novel)
        #expect(base.kept.count == (classes + 1) / 2)
        #expect(base.kept + novel.kept == Array(0..<classes))
        for partition in [base, novel] {
            #expect(partition.kept.map { partition.newLabel[$0]! } == Array(partition.kept.indices))
            #expect(Set(partition.newLabel.values).count == partition.kept.count)
        }
        #expect(ClassPartition(labels: labels, subsample: .all).kept == Array(0..<classes))
    }

    @Test("subsampling applies to train, validation and test with the base names")
    func splits() throws {
        let item = { (label: Int, split: String) in
            LabeledItem(path: "\(split)/\(label).jpg", location: .generated(index: label), label: label,
                        className: "c\(label)")
        }
        let splits = DatasetSplits(
            dataset: "D", classNames: (0..<5).map { "c\($0)" }, train: (0..<5).map { item($0, "train") },
            validation: [item(1, "val"), item(4, "val")], test: (0..<5).map { item($0, "test") })
        let base = splits.subsampled(.base)
        #expect(base.classNames == ["c0", "c1", "c2"])
        #expect(base.train.map(\.label) == [0, 1, 2] && base.validation.map(\.path) == ["val/1.jpg"])
        let novel = splits.subsampled(.novel)
        #expect(novel.classNames == ["c3", "c4"])
        #expect(novel.test.map(\.label) == [0, 1] && novel.test.map(\.className) == ["c3", "c4"])
        #expect(novel.validation.map(\.label) == [1])
        #expect(splits.subsampled(.all).train == splits.train)
        #expect(try ClassSubsample(parsing: "new") == .novel)
        #expect(throws: DataError.self) { try ClassSubsample(parsing: "half") }
    }
}
