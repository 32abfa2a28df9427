// ImageNet-A (Hendrycks et al., 2021) in CoOp's layout: `imagenet-adversarial/imagenet-a/<wnid>/`
// (README.txt ignored) and ImageNet's `classnames.txt`. Test only, scored over its 200 classes.

import Foundation

/// Natural adversarial examples for 200 ImageNet classes. The classes are the folders
/// present, so logits span only those 200 names (CoOp; methods-text §3.1).
public struct ImageNetA: DatasetSource {
    /// The folder under the data root.
    public static let directory = "imagenet-adversarial"

    /// The data root holding `imagenet-adversarial/`.
    public let root: URL

    /// A loader for `root/imagenet-adversarial/`.
    public init(root: URL) { self.root = root }

    /// The CoOp registry name.
    public var identifier: String { DatasetName.imageNetA.rawValue }

    /// Lists the 200 class folders; every image is a test item.
    public func load(_ options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
        let datasetDirectory = root.appendingPathComponent(Self.directory)
        let imageRoot = datasetDirectory.appendingPathComponent("imagenet-a")
        try requireExists(imageRoot, expected: "CoOp's ImageNet-A layout "
            + "\(datasetDirectory.path)/ holding classnames.txt and imagenet-a/<wnid>/")
        let classNamesFile = datasetDirectory.appendingPathComponent("classnames.txt")
        return try ClassFolderReader(dataset: identifier, classNamesFile: classNamesFile)
            .testOnlySplits(
                imageRoot: imageRoot, classNames: ImageNetClassNames(contentsOf: classNamesFile),
                options: options, expectedClasses: 200)
    }
}
