// ImageNet-R (Hendrycks et al., 2021) in CoOp's layout: `imagenet-rendition/imagenet-r/<wnid>/`
// (README.txt ignored) and ImageNet's `classnames.txt`. Test only, scored over its 200 classes.

import Foundation

/// Renditions (art, cartoons, …) of 200 ImageNet classes. The classes are the folders present,
/// so logits span only those 200 names (CoOp; methods-text §3.1).
public struct ImageNetR: DatasetSource {
    /// The folder under the data root.
    public static let directory = "imagenet-rendition"

    /// The data root holding `imagenet-rendition/`.
    public let root: URL

    /// A loader for `root/imagenet-rendition/`.
    public init(root: URL) { self.root = root }

    /// The CoOp registry name.
    public var identifier: String { DatasetName.imageNetR.rawValue }

    /// Lists the 200 class folders; every image is a test item.
    public func load(_ options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
        let datasetDirectory = root.appendingPathComponent(Self.directory)
        let imageRoot = datasetDirectory.appendingPathComponent("imagenet-r")
        try requireExists(imageRoot, expected: "CoOp's ImageNet-R layout "
            + "\(datasetDirectory.path)/ holding classnames.txt and imagenet-r/<wnid>/")
        let classNamesFile = datasetDirectory.appendingPathComponent("classnames.txt")
        return try ClassFolderReader(dataset: identifier, classNamesFile: classNamesFile)
            .testOnlySplits(
                imageRoot: imageRoot, classNames: ImageNetClassNames(contentsOf: classNamesFile),
                options: options, expectedClasses: 200)
    }
}
