// Custom data as an image folder: `DIR/<class>/*.jpg` (split with seeded fractions), or
// `DIR/{train,val,test}/<class>/*.jpg`. Labels follow the sorted class folder names, as
// torchvision's `ImageFolder` does.

import Foundation

/// An image folder with one subfolder per class, optionally under `train/`, `val/` and `test/`.
public struct ImageFolderDataset: DatasetSource {
    /// The folder.
    public var directory: URL
    /// How classes divide when there are no split subfolders.
    public var fractions: SplitFractions
    /// The seed of that division.
    public var seed: UInt64

    /// A loader for `directory`.
    public init(directory: URL, fractions: SplitFractions = .coop, seed: UInt64 = 1) {
        self.directory = directory
        self.fractions = fractions
        self.seed = seed
    }

    /// `folder:<folder name>`.
    public var identifier: String { "folder:" + directory.lastPathComponent }

    static let splitFolders: [String: Split] = [
        "train": .train, "val": .validation, "validation": .validation, "test": .test,
    ]

    /// Lists the class folders and assigns items to splits.
    public func load(_ options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
        try requireExists(directory, expected: "an image folder with one subfolder per class "
            + "(optionally inside train/, val/ and test/)")
        let (folders, _) = try subfolders(of: directory, ignoring: [])
        if folders.contains("train") {
            let others = folders.filter { Self.splitFolders[$0] == nil }
            guard others.isEmpty else {
                throw DataError.malformed(
                    directory, detail: "has train/ but also \(others.map { "'\($0)/'" }.joined(separator: ", ")); "
                        + "expected either only train/, val/, test/ or only class folders")
            }
            return try loadSplitFolders(folders, options: options)
        }
        return try loadClassFolders(options: options)
    }

    /// `DIR/<class>/…`: one pool, divided by ``fractions``.
    private func loadClassFolders(options: LoadOptions) throws -> DatasetSplits {
        let scan = try scanClasses(in: directory, prefix: "")
        let skipped = try resolveIssues(scan.issues, in: directory, options: options)
        guard !scan.classNames.isEmpty else {
            throw DataError.missing(directory, expected: "at least one class subfolder with images")
        }
        try fractions.validate()
        let split = seededSplit(
            scan.items, fractions: fractions, seed: seed, classNames: scan.classNames)
        return DatasetSplits(
            dataset: identifier, classNames: scan.classNames, train: split.train,
            validation: split.validation, test: split.test, skipped: skipped,
            notes: scan.notes + split.notes
                + ["\(identifier): no split folders, so each class was split \(fractions) with seed \(seed)"])
    }

    /// `DIR/{train,val,test}/<class>/…`: classes from `train/`.
    private func loadSplitFolders(_ folders: [String], options: LoadOptions) throws -> DatasetSplits {
        let train = try scanClasses(in: directory.appendingPathComponent("train"), prefix: "train/")
        var issues = train.issues, notes = train.notes
        var splits: [Split: [LabeledItem]] = [.train: train.items.flatMap { $0 }]
        let labelOf = Dictionary(uniqueKeysWithValues: train.classNames.enumerated().map { ($1, $0) })
        for folder in folders where folder != "train" {
            let split = Self.splitFolders[folder]!
            let scan = try scanClasses(
                in: directory.appendingPathComponent(folder), prefix: folder + "/",
                reportEmpty: false)
            notes += scan.notes
            for (index, name) in scan.classNames.enumerated() {
                guard let label = labelOf[name] else {
                    issues.append(DataIssue(
                        .unknownClass, file: directory.appendingPathComponent("\(folder)/\(name)"),
                        detail: "class '\(name)' has no train/\(name)/ folder"))
                    continue
                }
                splits[split, default: []] += scan.items[index].map { item in
                    var item = item
                    item.label = label
                    return item
                }
            }
        }
        let skipped = try resolveIssues(issues, in: directory, options: options)
        return DatasetSplits(
            dataset: identifier, classNames: train.classNames, train: splits[.train] ?? [],
            validation: splits[.validation] ?? [], test: splits[.test] ?? [], skipped: skipped,
            notes: notes)
    }

    /// Class folders of `folder` (sorted) and their images; empty classes are issues and left
    /// out, so labels stay contiguous.
    private func scanClasses(
        in folder: URL, prefix: String, reportEmpty: Bool = true
    ) throws -> (classNames: [String], items: [[LabeledItem]], issues: [DataIssue], notes: [String]) {
        let (classFolders, otherFiles) = try subfolders(of: folder, ignoring: [])
        var classNames: [String] = [], items: [[LabeledItem]] = [], issues: [DataIssue] = []
        var ignored = 0
        for name in classFolders {
            let (files, others) = imageFiles(in: folder.appendingPathComponent(name))
            ignored += others
            guard !files.isEmpty else {
                if reportEmpty {
                    issues.append(DataIssue(
                        .emptyClass, file: folder.appendingPathComponent(name),
                        detail: "class folder has no images (expected .jpg, .png, … files)"))
                }
                continue
            }
            let label = classNames.count
            classNames.append(name)
            items.append(files.map { file in
                let path = prefix + name + "/" + file
                return LabeledItem(
                    path: path, location: .file(directory.appendingPathComponent(path, isDirectory: false)),
                    label: label, className: name)
            })
        }
        var notes: [String] = []
        if otherFiles + ignored > 0 {
            notes.append("\(identifier): ignored \(otherFiles + ignored) non-image entr"
                + "\(otherFiles + ignored == 1 ? "y" : "ies") under \(folder.path)")
        }
        return (classNames, items, issues, notes)
    }
}
