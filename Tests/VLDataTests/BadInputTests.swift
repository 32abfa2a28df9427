// Bad dataset input: a clear error naming the file and what was expected, or, when skipping,
// a count of what was skipped. Never a crash, never a silent zero.

import Foundation
import Testing
@testable import VLData

@Suite("bad dataset input")
struct BadInputTests {
    /// A two-class EuroSAT whose split names `extra` entries as well.
    private func euroSAT(
        test extra: [(String, Int, String)] = [], writeImages: Bool = true
    ) throws -> TemporaryDirectory {
        let root = try TemporaryDirectory()
        let train = [("Forest/Forest_1.jpg", 0, "Forest"), ("River/River_1.jpg", 1, "River")]
        if writeImages { try root.images(train.map(\.0), under: "eurosat/2750") }
        try root.splitFile("eurosat/split_zhou_EuroSAT.json", train: train, val: [], test: train + extra)
        return root
    }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return String(describing: error)
        }
    }

    @Test("a split file naming a missing image fails, naming the file and the image")
    func missingImage() throws {
        let root = try euroSAT(test: [("River/River_404.jpg", 1, "River")])
        let text = message { _ = try EuroSAT(root: root.url).load() }
        #expect(text.contains("split_zhou_EuroSAT.json"))
        #expect(text.contains("test[2]") && text.contains("River/River_404.jpg does not exist"))
        #expect(text.contains("--skip-bad-images"))

        let skipped = try EuroSAT(root: root.url).load(LoadOptions(skipBadItems: true))
        #expect(skipped.test.count == 2 && skipped.skipped.count == 1)
        #expect(skipped.skipped[0].kind == .missingImage)
        #expect(skipped.skippedSummary?.contains("skipped 1 item (1 missing image)") == true)
    }

    @Test("a label out of range fails with the range the train split defines")
    func labelOutOfRange() throws {
        let root = try euroSAT(test: [("River/River_1.jpg", 5, "River")])
        let text = message { _ = try EuroSAT(root: root.url).load() }
        #expect(text.contains("label 5 is outside 0..<2"))
        let skipped = try EuroSAT(root: root.url).load(LoadOptions(skipBadItems: true))
        #expect(skipped.skipped.map(\.kind) == [.labelOutOfRange])
    }

    @Test("a class name that disagrees with train is flagged")
    func conflictingName() throws {
        let root = try euroSAT(test: [("River/River_1.jpg", 1, "Forest")])
        #expect(message { _ = try EuroSAT(root: root.url).load() }.contains("conflicting class name"))
    }

    @Test("malformed JSON names the file")
    func malformedJSON() throws {
        let root = try TemporaryDirectory()
        try root.folder("eurosat/2750")
        try root.write("eurosat/split_zhou_EuroSAT.json", "{\"train\": [[\"a.jpg\", 0, ")
        let text = message { _ = try EuroSAT(root: root.url).load() }
        #expect(text.contains("split_zhou_EuroSAT.json") && text.contains("not valid JSON"))
        try root.write("eurosat/split_zhou_EuroSAT.json", "{\"train\": [], \"val\": [], \"test\": []}")
        #expect(message { _ = try EuroSAT(root: root.url).load() }.contains("no usable training items"))
        try root.write("empty.csv", "path,label\n")
        #expect(message { _ = try ListDataset(file: root.url.appendingPathComponent("empty.csv")).load() }
            .contains("the list has no items"))
        try root.write("eurosat/split_zhou_EuroSAT.json", "{\"train\": []}")
        #expect(message { _ = try EuroSAT(root: root.url).load() }.contains("expected a top-level \"val\" list"))
    }

    @Test("a wrong layout says what was expected")
    func wrongLayout() throws {
        let root = try TemporaryDirectory()
        try root.images(["Forest/1.jpg"], under: "eurosat/2750")
        let text = message { _ = try EuroSAT(root: root.url).load() }
        #expect(text.contains("\(root.url.path)/eurosat/split_zhou_EuroSAT.json not found: expected CoOp's split file"))
        let missingFolder = message { _ = try Caltech101(root: root.url).load() }
        #expect(missingFolder.contains("caltech-101 not found: expected CoOp's Caltech101 layout"))
        let inside = message { _ = try EuroSAT(root: root.url.appendingPathComponent("eurosat")).load() }
        #expect(inside.contains("eurosat/eurosat not found") && !inside.contains("pass its parent"))
        try root.splitFile("eurosat/split_zhou_EuroSAT.json", train: [], val: [], test: [])
        let hint = message { _ = try EuroSAT(root: root.url.appendingPathComponent("eurosat")).load() }
        #expect(hint.contains("itself holds split_zhou_EuroSAT.json, so pass its parent folder as the data root"))
        let imageNet = message { _ = try ImageNet(root: root.url).load() }
        #expect(imageNet.contains("images/train/<wnid>/"))
    }

    @Test("an empty class folder fails, or is dropped with a warning when skipping")
    func emptyClassFolder() throws {
        let root = try TemporaryDirectory()
        try root.images(["a/1.jpg", "a/2.jpg", "c/1.jpg", "c/2.jpg"], under: "data")
        try root.folder("data/b")
        let source = ImageFolderDataset(directory: root.url.appendingPathComponent("data"))
        let text = message { _ = try source.load() }
        #expect(text.contains("data/b") && text.contains("empty class"))
        let skipped = try source.load(LoadOptions(skipBadItems: true))
        #expect(skipped.classNames == ["a", "c"] && skipped.skipped.map(\.kind) == [.emptyClass])
        #expect(Set((skipped.train + skipped.test).map(\.label)) == [0, 1])
    }

    @Test("a split file whose class has no training images reports an empty class")
    func emptyClassInSplit() throws {
        let root = try euroSAT(writeImages: false)
        try root.images(["Forest/Forest_1.jpg"], under: "eurosat/2750")
        let skipped = try EuroSAT(root: root.url).load(LoadOptions(skipBadItems: true))
        let kinds = skipped.skipped.map(\.kind).sorted { $0.rawValue < $1.rawValue }
        #expect(kinds == [.missingImage, .missingImage, .emptyClass])
        #expect(skipped.classNames == ["Forest", "River"])
    }

    @Test("a CSV with a bad row names the file and line, or skips it with a count")
    func badCSVRow() throws {
        let root = try TemporaryDirectory()
        try root.images(["1.jpg", "2.jpg"], under: "c")
        let list = try root.write(
            "c/list.csv", "path,label,class\n1.jpg,0,cat\n2.jpg,x,dog\n2.jpg,1,dog,extra\n2.jpg,1,dog\n")
        let text = message { _ = try ListDataset(file: list).load() }
        #expect(text.contains("2 bad items in \(list.path)"))
        #expect(text.contains("line 3") && text.contains("label 'x' is not a non-negative integer"))
        #expect(text.contains("line 4") && text.contains("expected 3 fields"))
        let skipped = try ListDataset(file: list, fractions: SplitFractions(train: 1, validation: 0, test: 0))
            .load(LoadOptions(skipBadItems: true))
        #expect(skipped.skipped.count == 2 && skipped.train.count == 2 && skipped.classNames == ["cat", "dog"])
    }

    @Test("unknown dataset names list the valid ones; aliases and raw names parse")
    func datasetNames() throws {
        #expect(try DatasetName(parsing: "eurosat") == .euroSAT)
        #expect(try DatasetName(parsing: "OxfordPets") == .oxfordPets)
        #expect(try DatasetName(parsing: "oxford_pets") == .oxfordPets)
        #expect(try DatasetName(parsing: "dtd") == .describableTextures)
        let text = message { _ = try DatasetName(parsing: "EuroSat") }
        #expect(text.contains("unknown dataset 'EuroSat'") && text.contains("EuroSAT (eurosat)"))
        #expect(Set(DatasetName.allCases.map(\.alias)).count == DatasetName.allCases.count)
        let catalog = DatasetCatalog()
        #expect(message { _ = try catalog.source(named: "world:shapes", root: nil) }.contains("folder:PATH"))
        #expect(message { _ = try catalog.source(named: "eurosat", root: nil) }.contains("--root"))
    }

    @Test("split fractions must make sense")
    func fractions() {
        #expect(throws: DataError.self) { try SplitFractions(train: 0.5, validation: 0.5, test: 0.5).validate() }
        #expect(throws: DataError.self) { try SplitFractions(train: 0, validation: 0.5, test: 0.5).validate() }
        #expect(SplitFractions.coop.counts(for: 2) == (1, 0, 1))
        #expect(SplitFractions.coop.counts(for: 1) == (1, 0, 0))
    }
}
