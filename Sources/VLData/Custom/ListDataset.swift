// Custom data as a list file: CSV rows `path,label` / `path,class` / `path,label,class` (with an
// optional header naming `path`, `label`, `class`, `split`, `domain` columns), or JSON (an array
// of such objects or arrays, or CoOp's split format). Paths are relative to the list's folder.

import Foundation

/// A CSV or JSON list of images with labels or class names.
///
/// Classes: when every row has a label, labels are used as given and names come from the
/// `class` column or ``classNames``; otherwise every row needs a class name, and classes are
/// ``classNames`` or the sorted distinct names. Without a `split` column the items are split
/// per class with ``fractions`` and ``seed``.
public struct ListDataset: DatasetSource {
    /// The list file (`.csv`, or `.json`).
    public var file: URL
    /// The folder relative paths start from; the list's folder when `nil`.
    public var imageRoot: URL?
    /// Class names in label order, for lists that give only labels (optional otherwise).
    public var classNames: [String]?
    /// How classes divide when the list has no split column.
    public var fractions: SplitFractions
    /// The seed of that division.
    public var seed: UInt64

    /// A loader for `file`.
    public init(
        file: URL, imageRoot: URL? = nil, classNames: [String]? = nil,
        fractions: SplitFractions = .coop, seed: UInt64 = 1
    ) {
        self.file = file
        self.imageRoot = imageRoot
        self.classNames = classNames
        self.fractions = fractions
        self.seed = seed
    }

    /// `list:<file name>`.
    public var identifier: String { "list:" + file.lastPathComponent }

    /// The folder relative paths start from.
    public var resolvedImageRoot: URL { imageRoot ?? file.deletingLastPathComponent() }

    /// One row as the file gives it.
    struct Row {
        var path: String
        var label: Int?
        var className: String?
        var split: Split?
        var domain: String?
        var location: String
    }

    /// Parses the list, assigns labels and splits, and checks every image exists.
    public func load(_ options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
        try requireExists(file, expected: "a CSV or JSON list of images and labels")
        let rows: [Row], parseIssues: [DataIssue]
        if file.pathExtension.lowercased() == "json" {
            let value = try readJSON(file)
            if let object = value as? [String: Any], object["train"] != nil {
                return try ZhouSplitFile.read(
                    file, imageRoot: resolvedImageRoot, dataset: identifier, renames: [:],
                    options: options)
            }
            (rows, parseIssues) = try jsonRows(value)
        } else {
            (rows, parseIssues) = try csvRows()
        }
        return try assemble(rows, parseIssues: parseIssues, options: options)
    }

    // MARK: - Classes, splits and files

    private func assemble(
        _ rows: [Row], parseIssues: [DataIssue], options: LoadOptions
    ) throws -> DatasetSplits {
        guard !rows.isEmpty else {
            throw DataError.badItems(file: file, issues: parseIssues.isEmpty
                ? [DataIssue(.badRow, file: file, detail: "the list has no items")] : parseIssues)
        }
        var issues = parseIssues
        let (names, labelled) = try classes(for: rows, issues: &issues)
        let root = resolvedImageRoot
        var index = DirectoryIndex(root: root)
        var kept: [(row: Row, item: LabeledItem)] = []
        for (row, label) in labelled {
            let url = row.path.hasPrefix("/")
                ? URL(fileURLWithPath: row.path, isDirectory: false)
                : root.appendingPathComponent(row.path, isDirectory: false)
            let item = LabeledItem(
                path: row.path, location: .file(url), label: label, className: names[label],
                domain: row.domain)
            if options.checkFiles && !index.contains(row.path) {
                issues.append(DataIssue(
                    .missingImage, file: file, location: row.location,
                    detail: "\(row.path) does not exist under \(root.path)"))
                continue
            }
            kept.append((row, item))
        }
        let skipped = try resolveIssues(issues, in: file, options: options)
        var splits = try divide(kept, classNames: names)
        splits.skipped = skipped
        return splits
    }

    /// Class names and each valid row's label.
    private func classes(
        for rows: [Row], issues: inout [DataIssue]
    ) throws -> (names: [String], labelled: [(Row, Int)]) {
        if !rows.isEmpty, rows.allSatisfy({ $0.label != nil }) {
            return try classesFromLabels(rows, issues: &issues)
        }
        let names = classNames ?? Array(Set(rows.compactMap(\.className))).sorted(by: byteOrder)
        let labelOf = Dictionary(names.enumerated().map { ($1, $0) }) { first, _ in first }
        var labelled: [(Row, Int)] = []
        for row in rows {
            guard let name = row.className else {
                issues.append(DataIssue(
                    .badRow, file: file, location: row.location,
                    detail: "no class name (other rows have none of labels, so every row needs a class)"))
                continue
            }
            guard let label = labelOf[name] else {
                issues.append(DataIssue(
                    .unknownClass, file: file, location: row.location,
                    detail: "class '\(name)' is not among the given class names"))
                continue
            }
            if let given = row.label, given != label {
                issues.append(DataIssue(
                    .conflictingClassName, file: file, location: row.location,
                    detail: "label \(given) disagrees with class '\(name)' (label \(label))"))
                continue
            }
            labelled.append((row, label))
        }
        return (names, labelled)
    }

    /// Every row has a label: names from ``classNames`` or the class column.
    private func classesFromLabels(
        _ rows: [Row], issues: inout [DataIssue]
    ) throws -> (names: [String], labelled: [(Row, Int)]) {
        let count = classNames?.count ?? (rows.compactMap(\.label).max()! + 1)
        var names: [String?] = classNames ?? Array(repeating: nil, count: count)
        var labelled: [(Row, Int)] = []
        for row in rows {
            let label = row.label!
            guard label < count else {
                issues.append(DataIssue(
                    .labelOutOfRange, file: file, location: row.location,
                    detail: "label \(label) is outside 0..<\(count) (the \(count) given class names)"))
                continue
            }
            if let name = row.className {
                if let known = names[label], known != name {
                    issues.append(DataIssue(
                        .conflictingClassName, file: file, location: row.location,
                        detail: "label \(label) is called '\(name)' here but '\(known)' before"))
                    continue
                }
                names[label] = name
            }
            labelled.append((row, label))
        }
        let unnamed = names.indices.filter { names[$0] == nil }
        guard unnamed.isEmpty else {
            throw DataError.malformed(
                file, detail: "labels \(unnamed.prefix(10).map(String.init).joined(separator: ", ")) "
                    + "have no class name; add a 'class' column or pass the class names "
                    + "(CLIP needs names to build prompts)")
        }
        return (names.map { $0! }, labelled)
    }

    /// Uses the split column when the list has one, else the seeded per-class division.
    private func divide(
        _ kept: [(row: Row, item: LabeledItem)], classNames names: [String]
    ) throws -> DatasetSplits {
        if kept.contains(where: { $0.row.split != nil }) {
            var splits: [Split: [LabeledItem]] = [:]
            for (row, item) in kept { splits[row.split ?? .train, default: []].append(item) }
            return DatasetSplits(
                dataset: identifier, classNames: names, train: splits[.train] ?? [],
                validation: splits[.validation] ?? [], test: splits[.test] ?? [])
        }
        try fractions.validate()
        var byClass = [[LabeledItem]](repeating: [], count: names.count)
        for (_, item) in kept { byClass[item.label].append(item) }
        let split = seededSplit(byClass, fractions: fractions, seed: seed, classNames: names)
        return DatasetSplits(
            dataset: identifier, classNames: names, train: split.train,
            validation: split.validation, test: split.test,
            notes: split.notes
                + ["\(identifier): no split column, so each class was split \(fractions) with seed \(seed)"])
    }
}
