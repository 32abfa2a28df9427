// ImageNet-Sketch (Wang et al., 2019) in CoOp's layout: `imagenet-sketch/images/<wnid>/…` and a
// copy of ImageNet's `classnames.txt`. Test only.

import Foundation

/// Sketches of the 1000 ImageNet classes (domain-generalization target).
public struct ImageNetSketch: DatasetSource {
    /// The folder under the data root.
    public static let directory = "imagenet-sketch"

    /// The data root holding `imagenet-sketch/`.
    public let root: URL

    /// A loader for `root/imagenet-sketch/`.
    public init(root: URL) { self.root = root }

    /// The CoOp registry name.
    public var identifier: String { DatasetName.imageNetSketch.rawValue }

    /// Lists the class folders; every image is a test item.
    public func load(_ options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
        let datasetDirectory = root.appendingPathComponent(Self.directory)
        let imageRoot = datasetDirectory.appendingPathComponent("images")
        try requireExists(imageRoot, expected: "CoOp's ImageNet-Sketch layout "
            + "\(datasetDirectory.path)/ holding classnames.txt and images/<wnid>/")
        let classNamesFile = datasetDirectory.appendingPathComponent("classnames.txt")
        return try ClassFolderReader(dataset: identifier, classNamesFile: classNamesFile)
            .testOnlySplits(
                imageRoot: imageRoot, classNames: ImageNetClassNames(contentsOf: classNamesFile),
                options: options, expectedClasses: 1000)
    }
}
