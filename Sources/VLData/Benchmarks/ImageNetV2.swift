// ImageNetV2 matched-frequency (Recht et al., 2019) in CoOp's layout:
// `imagenetv2/imagenetv2-matched-frequency-format-val/<0…999>/` and ImageNet's `classnames.txt`.
// Label = the folder's number (not its string-sort position); name = that line of classnames.txt.

import Foundation

/// A fresh test set for the 1000 ImageNet classes (domain-generalization target).
public struct ImageNetV2: DatasetSource {
    /// The folder under the data root.
    public static let directory = "imagenetv2"
    /// The image folder inside ``directory``.
    public static let imageDirectory = "imagenetv2-matched-frequency-format-val"

    /// The data root holding `imagenetv2/`.
    public let root: URL

    /// A loader for `root/imagenetv2/`.
    public init(root: URL) { self.root = root }

    /// The CoOp registry name.
    public var identifier: String { DatasetName.imageNetV2.rawValue }

    /// Reads folders `0`…`n−1` for the `n` lines of `classnames.txt`; every image is a test item.
    public func load(_ options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
        let datasetDirectory = root.appendingPathComponent(Self.directory)
        let imageRoot = datasetDirectory.appendingPathComponent(Self.imageDirectory)
        try requireExists(imageRoot, expected: "CoOp's ImageNetV2 layout "
            + "\(datasetDirectory.path)/ holding classnames.txt and \(Self.imageDirectory)/<0…999>/")
        let classNames = try ImageNetClassNames(
            contentsOf: datasetDirectory.appendingPathComponent("classnames.txt"))
        let (folders, _) = try subfolders(of: imageRoot)
        var issues: [DataIssue] = [], test: [LabeledItem] = []
        for folder in folders where Int(folder).map({ !(0..<classNames.entries.count).contains($0) }) ?? true {
            issues.append(DataIssue(
                .unknownClass, file: imageRoot.appendingPathComponent(folder),
                detail: "expected folders named 0…\(classNames.entries.count - 1) "
                    + "(one per line of classnames.txt)"))
        }
        for (label, entry) in classNames.entries.enumerated() {
            let (names, _) = imageFiles(in: imageRoot.appendingPathComponent(String(label)))
            if names.isEmpty {
                issues.append(DataIssue(
                    .emptyClass, file: imageRoot.appendingPathComponent(String(label)),
                    detail: "no images for class \(label) (\(entry.name)); expected a folder "
                        + "\(label)/ of images"))
            }
            for name in names {
                let path = "\(label)/\(name)"
                test.append(LabeledItem(
                    path: path, location: .file(imageRoot.appendingPathComponent(path, isDirectory: false)),
                    label: label, className: entry.name))
            }
        }
        let skipped = try resolveIssues(issues, in: imageRoot, options: options)
        return DatasetSplits(
            dataset: identifier, classNames: classNames.entries.map(\.name), train: [],
            validation: [], test: test, skipped: skipped)
    }
}
