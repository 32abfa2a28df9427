// Describable Textures (Cimpoi et al., 2014) in CoOp's layout: `dtd/images/<class>/…` and
// `split_zhou_DescribableTextures.json`.

import Foundation

/// Texture attributes, 47 classes (CLI alias `dtd`).
public struct DescribableTextures: ZhouSplitDataset {
    /// The folder under the data root.
    public static let directory = "dtd"
    static let layout = ZhouSplitLayout(
        dataset: .describableTextures, imageDirectory: "images",
        splitFile: "split_zhou_DescribableTextures.json")

    /// The data root holding `dtd/`.
    public let root: URL

    /// A loader for `root/dtd/`.
    public init(root: URL) { self.root = root }
}
