// Oxford Flowers-102 (Nilsback & Zisserman, 2008) in CoOp's layout: `oxford_flowers/jpg/…` and
// `split_zhou_OxfordFlowers.json` (names from `cat_to_name.json`, already in the split).

import Foundation

/// Flower species, 102 classes (CoOp's registry name for Flowers102).
public struct OxfordFlowers: ZhouSplitDataset {
    /// The folder under the data root.
    public static let directory = "oxford_flowers"
    static let layout = ZhouSplitLayout(
        dataset: .oxfordFlowers, imageDirectory: "jpg", splitFile: "split_zhou_OxfordFlowers.json")

    /// The data root holding `oxford_flowers/`.
    public let root: URL

    /// A loader for `root/oxford_flowers/`.
    public init(root: URL) { self.root = root }
}
