// FGVC-Aircraft (Maji et al., 2013) in CoOp's layout: the dataset's `data/` folder as
// `fgvc_aircraft/` with `images/`, `variants.txt` and the official
// `images_variant_{train,val,test}.txt` lists (no split JSON; CoOp's `datasets/fgvc_aircraft.py`).

import Foundation

/// Aircraft variants, 100 classes; label = the variant's line in `variants.txt`.
public struct FGVCAircraft: DatasetSource {
    /// The folder under the data root.
    public static let directory = "fgvc_aircraft"

    /// The data root holding `fgvc_aircraft/`.
    public let root: URL

    /// A loader for `root/fgvc_aircraft/`.
    public init(root: URL) { self.root = root }

    /// The CoOp registry name.
    public var identifier: String { DatasetName.fgvcAircraft.rawValue }

    /// Reads the three official lists (`<image id> <variant>` per line).
    public func load(_ options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
        let datasetDirectory = root.appendingPathComponent(Self.directory)
        let imageRoot = datasetDirectory.appendingPathComponent("images")
        let layout = "CoOp's FGVCAircraft layout \(datasetDirectory.path)/ (the dataset's data/ "
            + "folder) holding images/, variants.txt and images_variant_{train,val,test}.txt"
        try requireExists(imageRoot, expected: layout)
        let variantsFile = datasetDirectory.appendingPathComponent("variants.txt")
        try requireExists(variantsFile, expected: layout)
        let classNames = try lines(of: variantsFile).map(\.text)
        guard !classNames.isEmpty else {
            throw DataError.malformed(variantsFile, detail: "expected one aircraft variant per line")
        }
        let labelOf = Dictionary(classNames.enumerated().map { ($1, $0) }) { first, _ in first }

        var index = DirectoryIndex(root: imageRoot)
        var splits: [Split: [LabeledItem]] = [:], skipped: [DataIssue] = []
        for (split, name) in [(Split.train, "train"), (.validation, "val"), (.test, "test")] {
            let listFile = datasetDirectory.appendingPathComponent("images_variant_\(name).txt")
            try requireExists(listFile, expected: layout)
            var (items, issues) = try readList(listFile, labelOf: labelOf, imageRoot: imageRoot)
            if options.checkFiles {
                let checked = index.keepExisting(items, listedIn: listFile)
                issues += checked.issues
                splits[split] = checked.items
            } else {
                splits[split] = items.map(\.item)
            }
            if split == .train {
                issues += emptyClasses(classNames, in: splits[split] ?? [], file: listFile)
            }
            skipped += try resolveIssues(issues, in: listFile, options: options)
        }
        return DatasetSplits(
            dataset: identifier, classNames: classNames, train: splits[.train] ?? [],
            validation: splits[.validation] ?? [], test: splits[.test] ?? [], skipped: skipped)
    }

    private func readList(
        _ file: URL, labelOf: [String: Int], imageRoot: URL
    ) throws -> (items: [(item: LabeledItem, location: String)], issues: [DataIssue]) {
        var items: [(item: LabeledItem, location: String)] = [], issues: [DataIssue] = []
        for (number, text) in try lines(of: file) {
            let location = "line \(number)"
            guard let space = text.firstIndex(of: " ") else {
                issues.append(DataIssue(
                    .badRow, file: file, location: location,
                    detail: "expected '<image id> <variant>', found '\(text)'"))
                continue
            }
            let variant = String(text[text.index(after: space)...])
            guard let label = labelOf[variant] else {
                issues.append(DataIssue(
                    .unknownClass, file: file, location: location,
                    detail: "variant '\(variant)' is not in variants.txt"))
                continue
            }
            let path = String(text[..<space]) + ".jpg"
            let item = LabeledItem(
                path: path, location: .file(imageRoot.appendingPathComponent(path, isDirectory: false)), label: label,
                className: variant)
            items.append((item, location))
        }
        return (items, issues)
    }

    private func emptyClasses(_ names: [String], in train: [LabeledItem], file: URL) -> [DataIssue] {
        let present = Set(train.map(\.label))
        return names.indices.filter { !present.contains($0) }.map {
            DataIssue(
                .emptyClass, file: file, detail: "variant '\(names[$0])' has no training images")
        }
    }
}

/// The non-empty lines of a text file with their 1-based line numbers, trimmed.
func lines(of file: URL) throws -> [(number: Int, text: String)] {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else {
        throw DataError.missing(file, expected: "a readable UTF-8 text file")
    }
    return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        .map { ($0.offset + 1, $0.element.trimmingCharacters(in: .whitespacesAndNewlines)) }
        .filter { !$0.text.isEmpty }
}
