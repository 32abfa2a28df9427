// Custom data: image folders (with and without split folders) and CSV/JSON lists.

import Foundation
import Testing
@testable import VLData

@Suite("custom datasets")
struct CustomDataTests {
    @Test("an image folder is split per class with the stated fractions, reproducibly")
    func imageFolderSeededSplit() throws {
        let root = try TemporaryDirectory()
        try root.images((0..<10).map { "dog/\($0).jpg" } + (0..<20).map { "cat/\($0).png" }, under: "pets")
        try root.write("pets/cat/notes.txt", "not an image")
        let source = ImageFolderDataset(directory: root.url.appendingPathComponent("pets"), seed: 7)
        let splits = try source.load()
        #expect(splits.dataset == "folder:pets")
        #expect(splits.classNames == ["cat", "dog"])
        let counts = { (items: [LabeledItem], label: Int) in items.filter { $0.label == label }.count }
        #expect((counts(splits.train, 0), counts(splits.validation, 0), counts(splits.test, 0)) == (10, 4, 6))
        #expect((counts(splits.train, 1), counts(splits.validation, 1), counts(splits.test, 1)) == (5, 2, 3))
        let all = splits.train + splits.validation + splits.test
        #expect(Set(all.map(\.path)).count == 30)
        #expect(splits.notes.contains { $0.contains("ignored 1 non-image entry") })
        #expect(splits.notes.contains { $0.contains("50/20/30 train/val/test with seed 7") })
        let again = try source.load()
        #expect(again.train == splits.train && again.test == splits.test)
        let otherSeed = try ImageFolderDataset(directory: source.directory, seed: 8).load()
        #expect(otherSeed.train != splits.train)
    }

    @Test("train/val/test subfolders are used as given, classes from train/")
    func imageFolderWithSplits() throws {
        let root = try TemporaryDirectory()
        try root.images(
            ["train/b/1.jpg", "train/a/1.jpg", "train/a/2.jpg", "val/a/3.jpg", "test/b/4.jpg", "test/a/5.jpg"],
            under: "data")
        let splits = try ImageFolderDataset(directory: root.url.appendingPathComponent("data")).load()
        #expect(splits.classNames == ["a", "b"])
        #expect(splits.train.map(\.path) == ["train/a/1.jpg", "train/a/2.jpg", "train/b/1.jpg"])
        #expect(splits.validation.map(\.label) == [0])
        #expect(splits.test.map(\.path) == ["test/a/5.jpg", "test/b/4.jpg"] && splits.test.map(\.label) == [0, 1])
    }

    @Test("a CSV list with a header, class names and split column")
    func csvWithHeader() throws {
        let root = try TemporaryDirectory()
        try root.images(["img/1.jpg", "img/2.jpg", "img/3.jpg", "img/4 with, comma.jpg"], under: "set")
        let list = try root.write("set/list.csv", """
            path,class,split
            img/1.jpg,zebra,train
            img/2.jpg,aardvark,train
            # a comment line

            img/3.jpg,zebra,test
            "img/4 with, comma.jpg",aardvark,val
            """)
        let splits = try ListDataset(file: list).load()
        #expect(splits.classNames == ["aardvark", "zebra"])
        #expect(splits.train.map(\.label) == [1, 0])
        #expect(splits.validation.map(\.path) == ["img/4 with, comma.jpg"])
        #expect(splits.test.map(\.className) == ["zebra"])
    }

    @Test("a headerless CSV of path,label with separate class names")
    func csvLabelsOnly() throws {
        let root = try TemporaryDirectory()
        try root.images((0..<6).map { "\($0).jpg" }, under: "x")
        let list = try root.write("x/labels.csv", (0..<6).map { "\($0).jpg,\($0 % 2)" }.joined(separator: "\n"))
        let splits = try ListDataset(
            file: list, classNames: ["even", "odd"], fractions: SplitFractions(train: 0.5, validation: 0, test: 0.5)
        ).load()
        #expect(splits.classNames == ["even", "odd"])
        #expect(splits.train.count == 4 && splits.test.count == 2 && splits.validation.isEmpty)
        #expect(throws: DataError.self) { try ListDataset(file: list).load() }
    }

    @Test("a JSON list of objects, and a JSON list in CoOp's split format")
    func jsonLists() throws {
        let root = try TemporaryDirectory()
        try root.images(["a.jpg", "b.jpg", "c.jpg"], under: "j")
        let objects = try root.write("j/list.json", """
            [{"path": "a.jpg", "label": 1, "class": "one", "split": "train", "domain": "photo"},
             {"path": "b.jpg", "label": 0, "class": "zero", "split": "train"},
             {"path": "c.jpg", "label": 1, "class": "one", "split": "test"}]
            """)
        let splits = try ListDataset(file: objects).load()
        #expect(splits.classNames == ["zero", "one"])
        #expect(splits.train.map(\.label) == [1, 0] && splits.train[0].domain == "photo")
        try root.splitFile(
            "j/split.json", train: [("a.jpg", 0, "A"), ("b.jpg", 1, "B")], val: [], test: [("c.jpg", 1, "B")])
        let zhou = try ListDataset(file: root.url.appendingPathComponent("j/split.json")).load()
        #expect(zhou.classNames == ["A", "B"] && zhou.test.count == 1 && zhou.dataset == "list:split.json")
    }
}
