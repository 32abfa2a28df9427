// Shared reading for the ImageNet family: `classnames.txt` (`wnid name words` per line, CLIP's
// edited names as CoOp ships them) and `<wnid>/` class folders labelled by sorted position.

import Foundation

/// The `classnames.txt` CoOp copies into every ImageNet-family folder.
struct ImageNetClassNames {
    /// `(wnid, class name)` in file order.
    var entries: [(wnid: String, name: String)]
    /// Class name by wnid.
    var names: [String: String]

    /// Reads `file`, one `wnid name words` per line.
    init(contentsOf file: URL) throws {
        try requireExists(file, expected: "ImageNet's classnames.txt (one 'wnid class name' per "
            + "line, as CoOp ships it)")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw DataError.malformed(file, detail: "expected UTF-8 text")
        }
        entries = []
        names = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let space = trimmed.firstIndex(of: " ") else {
                throw DataError.malformed(
                    file, detail: "line \(number + 1): expected 'wnid class name', found '\(trimmed)'")
            }
            let wnid = String(trimmed[..<space])
            let name = String(trimmed[trimmed.index(after: space)...])
            entries.append((wnid, name))
            names[wnid] = name
        }
        guard !entries.isEmpty else {
            throw DataError.malformed(file, detail: "no classes; expected one 'wnid class name' per line")
        }
    }
}

/// Reads `imageRoot/<subfolder>/<wnid>/*` into items labelled by the position of the wnid in
/// the sorted folder list (torchvision `ImageFolder` order), named from `classNames`.
struct ClassFolderReader {
    /// The dataset identifier for items and messages.
    var dataset: String
    /// Where `classnames.txt` came from, for messages.
    var classNamesFile: URL

    /// Sorted class folders of `directory` whose names `classNames` knows, with issues for
    /// unknown and empty folders (those are left out).
    func classFolders(
        in directory: URL, classNames: ImageNetClassNames
    ) throws -> (folders: [String], files: [[String]], issues: [DataIssue], notes: [String]) {
        let (all, otherFiles) = try subfolders(of: directory)
        var folders: [String] = [], files: [[String]] = [], issues: [DataIssue] = []
        var ignored = 0
        for folder in all {
            guard classNames.names[folder] != nil else {
                issues.append(DataIssue(
                    .unknownClass, file: directory.appendingPathComponent(folder),
                    detail: "folder '\(folder)' is not a wnid listed in \(classNamesFile.path)"))
                continue
            }
            let (images, others) = imageFiles(in: directory.appendingPathComponent(folder))
            ignored += others
            if images.isEmpty {
                issues.append(DataIssue(
                    .emptyClass, file: directory.appendingPathComponent(folder),
                    detail: "class folder has no images"))
                continue
            }
            folders.append(folder)
            files.append(images)
        }
        var notes: [String] = []
        if otherFiles > 0 {
            notes.append("\(dataset): ignored \(otherFiles) file(s) beside the class folders in \(directory.path)")
        }
        if ignored > 0 {
            notes.append("\(dataset): ignored \(ignored) non-image file(s) in class folders under \(directory.path)")
        }
        return (folders, files, issues, notes)
    }

    /// Items for `folders` (label = position in `labelOf`), paths relative to `imageRoot`
    /// as `prefix<wnid>/<file>`.
    func items(
        folders: [String], files: [[String]], labelOf: [String: Int],
        classNames: ImageNetClassNames, imageRoot: URL, prefix: String
    ) -> [LabeledItem] {
        var items: [LabeledItem] = []
        for (folder, names) in zip(folders, files) {
            guard let label = labelOf[folder], let className = classNames.names[folder] else {
                continue
            }
            for name in names {
                let path = prefix + folder + "/" + name
                items.append(LabeledItem(
                    path: path, location: .file(imageRoot.appendingPathComponent(path, isDirectory: false)),
                    label: label, className: className))
            }
        }
        return items
    }

    /// A test-only dataset whose classes are its folders (ImageNet-Sketch, -A, -R).
    func testOnlySplits(
        imageRoot: URL, classNames: ImageNetClassNames, options: LoadOptions,
        expectedClasses: Int
    ) throws -> DatasetSplits {
        let scan = try classFolders(in: imageRoot, classNames: classNames)
        let skipped = try resolveIssues(scan.issues, in: imageRoot, options: options)
        guard !scan.folders.isEmpty else {
            throw DataError.missing(
                imageRoot, expected: "one <wnid>/ folder of images per class under \(imageRoot.path)")
        }
        let labelOf = Dictionary(uniqueKeysWithValues: scan.folders.enumerated().map { ($1, $0) })
        let test = items(
            folders: scan.folders, files: scan.files, labelOf: labelOf, classNames: classNames,
            imageRoot: imageRoot, prefix: "")
        var notes = scan.notes
        if scan.folders.count != expectedClasses {
            notes.append("\(dataset): \(scan.folders.count) class folders in \(imageRoot.path), "
                + "but the published dataset has \(expectedClasses)")
        }
        return DatasetSplits(
            dataset: dataset, classNames: scan.folders.map { classNames.names[$0]! }, train: [],
            validation: [], test: test, skipped: skipped, notes: notes)
    }
}
