// ImageNet-1k (Deng et al., 2009) in CoOp's layout: `imagenet/images/{train,val}/<wnid>/…` and
// `classnames.txt`. As CoOp: train = train, test = the 50,000 val images, validation = test.

import Foundation

/// ImageNet-1k with CLIP's edited class names; label = position of the wnid among the sorted
/// train folders.
public struct ImageNet: DatasetSource {
    /// The folder under the data root.
    public static let directory = "imagenet"

    /// The data root holding `imagenet/`.
    public let root: URL

    /// A loader for `root/imagenet/`.
    public init(root: URL) { self.root = root }

    /// The CoOp registry name.
    public var identifier: String { DatasetName.imageNet.rawValue }

    /// Lists the train and val folders (file names sorted, so item order is reproducible).
    public func load(_ options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
        let datasetDirectory = root.appendingPathComponent(Self.directory)
        let imageRoot = datasetDirectory.appendingPathComponent("images")
        let layout = "CoOp's ImageNet layout \(datasetDirectory.path)/ holding classnames.txt, "
            + "images/train/<wnid>/ and images/val/<wnid>/"
        try requireExists(datasetDirectory, expected: layout)
        try requireExists(imageRoot.appendingPathComponent("train"), expected: layout)
        try requireExists(imageRoot.appendingPathComponent("val"), expected: layout)
        let classNamesFile = datasetDirectory.appendingPathComponent("classnames.txt")
        let classNames = try ImageNetClassNames(contentsOf: classNamesFile)
        let reader = ClassFolderReader(dataset: identifier, classNamesFile: classNamesFile)

        let train = try reader.classFolders(
            in: imageRoot.appendingPathComponent("train"), classNames: classNames)
        let val = try reader.classFolders(
            in: imageRoot.appendingPathComponent("val"), classNames: classNames)
        let labelOf = Dictionary(uniqueKeysWithValues: train.folders.enumerated().map { ($1, $0) })
        var issues = train.issues + val.issues
        for folder in val.folders where labelOf[folder] == nil {
            issues.append(DataIssue(
                .unknownClass, file: imageRoot.appendingPathComponent("val/\(folder)"),
                detail: "val class '\(folder)' has no images/train/\(folder)/ folder"))
        }
        let skipped = try resolveIssues(issues, in: imageRoot, options: options)
        let trainItems = reader.items(
            folders: train.folders, files: train.files, labelOf: labelOf, classNames: classNames,
            imageRoot: imageRoot, prefix: "train/")
        let testItems = reader.items(
            folders: val.folders, files: val.files, labelOf: labelOf, classNames: classNames,
            imageRoot: imageRoot, prefix: "val/")
        var notes = train.notes + val.notes
        if train.folders.count != 1000 {
            notes.append("ImageNet: \(train.folders.count) classes, but ImageNet-1k has 1000")
        }
        return DatasetSplits(
            dataset: identifier, classNames: train.folders.map { classNames.names[$0]! },
            train: trainItems, validation: testItems, test: testItems, validationIsTest: true,
            skipped: skipped, notes: notes)
    }
}
