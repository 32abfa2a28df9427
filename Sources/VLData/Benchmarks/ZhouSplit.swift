// Reader for CoOp's `split_zhou_<Name>.json` files: {"train": [[relpath, label, classname], …],
// "val": …, "test": …}, paths relative to the image root (formats.md §3.7; CoOp's `read_split`).

import Foundation

/// Where a split-file benchmark lives under `root/<directory>/` and how its names are fixed up.
struct ZhouSplitLayout: Sendable {
    /// The dataset.
    var dataset: DatasetName
    /// The image root relative to the dataset folder; `nil` when it is the dataset folder itself
    /// (StanfordCars).
    var imageDirectory: String?
    /// The split file name, e.g. `split_zhou_EuroSAT.json`.
    var splitFile: String
    /// CoOp's class-name renames (raw folder name → name used in prompts). The published split
    /// files already carry the renamed names; applying the table again changes nothing.
    var renames: [String: String] = [:]

    /// Reads the split file under `root` and checks it against the image folder.
    func load(root: URL, options: LoadOptions) throws -> DatasetSplits {
        let datasetDirectory = root.appendingPathComponent(dataset.directory)
        let imageRoot = imageDirectory.map { datasetDirectory.appendingPathComponent($0) }
            ?? datasetDirectory
        let splitURL = datasetDirectory.appendingPathComponent(splitFile)
        try requireExists(datasetDirectory, expected: layoutDescription(root: root) + rootHint(root))
        try requireExists(splitURL, expected: "CoOp's split file \(splitURL.path) "
            + "(\(layoutDescription(root: root)))")
        try requireExists(imageRoot, expected: "the image folder \(imageRoot.path)/ "
            + "(\(layoutDescription(root: root)))")
        var splits = try ZhouSplitFile.read(
            splitURL, imageRoot: imageRoot, dataset: dataset.rawValue, renames: renames,
            options: options)
        splits.notes += unexpectedCountNotes(splits)
        return splits
    }

    /// `<root>/eurosat/ with 2750/ and split_zhou_EuroSAT.json`.
    func layoutDescription(root: URL) -> String {
        let folder = root.appendingPathComponent(dataset.directory).path
        let images = imageDirectory.map { "\($0)/ and " } ?? "its images and "
        return "CoOp's \(dataset.rawValue) layout \(folder)/ holding \(images)\(splitFile)"
    }

    /// A hint when `root` is the dataset folder itself rather than its parent.
    private func rootHint(_ root: URL) -> String {
        let inside = root.appendingPathComponent(splitFile).path
        guard FileManager.default.fileExists(atPath: inside) else { return "" }
        return "; \(root.path) itself holds \(splitFile), so pass its parent folder as the data root"
    }

    private func unexpectedCountNotes(_ splits: DatasetSplits) -> [String] {
        guard let expected = dataset.publishedClassCount, expected != splits.classCount else {
            return []
        }
        return ["\(dataset.rawValue): \(splits.classCount) classes, but CoOp's split has \(expected)"]
    }
}

extension DatasetName {
    /// The class count of CoOp's published splits (formats.md §3.7), for a warning when a
    /// split file differs; `nil` where there is nothing to check against.
    var publishedClassCount: Int? {
        switch self {
        case .imageNet, .imageNetV2, .imageNetSketch: 1000
        case .caltech101, .fgvcAircraft: 100
        case .oxfordPets: 37
        case .stanfordCars: 196
        case .oxfordFlowers: 102
        case .food101, .ucf101: 101
        case .sun397: 397
        case .describableTextures: 47
        case .euroSAT: 10
        case .imageNetA, .imageNetR: 200
        }
    }
}

/// Parsing and validation of one split file, shared by the benchmarks and by JSON lists in
/// the same format.
enum ZhouSplitFile {
    /// An entry as written, before class validation.
    struct Entry {
        var item: LabeledItem
        var location: String
    }

    /// Reads `file`, resolving paths against `imageRoot`.
    static func read(
        _ file: URL, imageRoot: URL, dataset: String, renames: [String: String],
        options: LoadOptions
    ) throws -> DatasetSplits {
        let object = try readJSONObject(file)
        var issues: [DataIssue] = []
        var entries: [Split: [Entry]] = [:]
        for split in Split.allCases {
            guard let array = object[split.rawValue] as? [Any] else {
                throw DataError.malformed(
                    file, detail: "expected a top-level \"\(split.rawValue)\" list of "
                        + "[path, label, class name] entries (CoOp's split format)")
            }
            entries[split] = parseEntries(
                array, split: split, file: file, imageRoot: imageRoot, renames: renames,
                issues: &issues)
        }
        return try validated(
            entries, file: file, imageRoot: imageRoot, dataset: dataset, issues: issues,
            options: options)
    }

    /// Turns `[path, label, name]` arrays into entries; anything else is a `badRow` issue.
    static func parseEntries(
        _ array: [Any], split: Split, file: URL, imageRoot: URL, renames: [String: String],
        issues: inout [DataIssue]
    ) -> [Entry] {
        var entries: [Entry] = []
        entries.reserveCapacity(array.count)
        for (index, value) in array.enumerated() {
            let location = "\(split.rawValue)[\(index)]"
            guard let triple = value as? [Any], triple.count == 3,
                let path = triple[0] as? String, let label = integer(triple[1]),
                let name = triple[2] as? String
            else {
                issues.append(DataIssue(
                    .badRow, file: file, location: location,
                    detail: "expected [\"relative/path.jpg\", label, \"class name\"], found "
                        + "\(String(describing: value).prefix(80))"))
                continue
            }
            let item = LabeledItem(
                path: path, location: .file(imageRoot.appendingPathComponent(path, isDirectory: false)), label: label,
                className: renames[name] ?? name)
            entries.append(Entry(item: item, location: location))
        }
        return entries
    }

    /// Checks labels and class names the way Dassl derives them (class count = largest train
    /// label + 1; names from the train items) and that every image exists.
    static func validated(
        _ entries: [Split: [Entry]], file: URL, imageRoot: URL, dataset: String,
        issues parseIssues: [DataIssue], options: LoadOptions
    ) throws -> DatasetSplits {
        var issues = parseIssues
        let train = entries[.train] ?? []
        let classCount = (train.map(\.item.label).filter { $0 >= 0 }.max() ?? -1) + 1
        guard classCount > 0 else {
            throw DataError.malformed(
                file, detail: "no usable training items; expected a non-empty \"train\" list "
                    + "of [path, label, class name] entries with labels from 0")
        }
        var names = [String?](repeating: nil, count: classCount)
        for entry in train where entry.item.label >= 0 && names[entry.item.label] == nil {
            names[entry.item.label] = entry.item.className
        }
        var index = DirectoryIndex(root: imageRoot)
        var kept: [Split: [LabeledItem]] = [:]
        for split in Split.allCases {
            var candidates: [(item: LabeledItem, location: String)] = []
            for entry in entries[split] ?? [] {
                if let issue = classIssue(entry, names: names, file: file) {
                    issues.append(issue)
                } else {
                    candidates.append((entry.item, entry.location))
                }
            }
            if options.checkFiles {
                let (items, missing) = index.keepExisting(candidates, listedIn: file)
                kept[split] = items
                issues += missing
            } else {
                kept[split] = candidates.map(\.item)
            }
        }
        issues += emptyClassIssues(names: names, train: kept[.train] ?? [], file: file)
        let skipped = try resolveIssues(issues, in: file, options: options)
        let classNames = names.enumerated().map { $0.element ?? "class \($0.offset)" }
        return DatasetSplits(
            dataset: dataset, classNames: classNames, train: kept[.train] ?? [],
            validation: kept[.validation] ?? [], test: kept[.test] ?? [], skipped: skipped)
    }

    private static func classIssue(_ entry: Entry, names: [String?], file: URL) -> DataIssue? {
        let label = entry.item.label
        guard label >= 0, label < names.count else {
            return DataIssue(
                .labelOutOfRange, file: file, location: entry.location,
                detail: "label \(label) is outside 0..<\(names.count) (the labels the train "
                    + "split defines)")
        }
        if let name = names[label], name != entry.item.className {
            return DataIssue(
                .conflictingClassName, file: file, location: entry.location,
                detail: "label \(label) is called '\(entry.item.className)' here but "
                    + "'\(name)' in train")
        }
        return nil
    }

    private static func emptyClassIssues(
        names: [String?], train: [LabeledItem], file: URL
    ) -> [DataIssue] {
        var counts = [Int](repeating: 0, count: names.count)
        for item in train { counts[item.label] += 1 }
        return counts.indices.filter { counts[$0] == 0 }.map { label in
            DataIssue(
                .emptyClass, file: file, location: "train",
                detail: "class \(label) (\(names[label] ?? "unnamed")) has no training images")
        }
    }

    /// A JSON integer (Python writes labels as ints); rejects fractions and strings.
    static func integer(_ value: Any) -> Int? {
        if let int = value as? Int { return int }
        if let double = value as? Double, double == double.rounded(), abs(double) < 1e15 {
            return Int(double)
        }
        return nil
    }
}

/// Parses `file` as a JSON object, with a message naming the file when it is not one.
func readJSONObject(_ file: URL) throws -> [String: Any] {
    let value = try readJSON(file)
    guard let object = value as? [String: Any] else {
        throw DataError.malformed(file, detail: "expected a JSON object at the top level")
    }
    return object
}

/// Parses `file` as JSON, with a message naming the file and the parser's complaint.
func readJSON(_ file: URL) throws -> Any {
    let data: Data
    do {
        data = try Data(contentsOf: file)
    } catch {
        throw DataError.missing(file, expected: "a readable JSON file")
    }
    do {
        return try JSONSerialization.jsonObject(with: data)
    } catch {
        let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        throw DataError.malformed(
            file, detail: "not valid JSON (\(reason ?? String(describing: error)))")
    }
}
