// Food-101 (Bossard et al., 2014) in CoOp's layout: `food-101/images/<class>/…` and
// `split_zhou_Food101.json`.

import Foundation

/// Dishes, 101 classes.
public struct Food101: ZhouSplitDataset {
    /// The folder under the data root.
    public static let directory = "food-101"
    static let layout = ZhouSplitLayout(
        dataset: .food101, imageDirectory: "images", splitFile: "split_zhou_Food101.json")

    /// The data root holding `food-101/`.
    public let root: URL

    /// A loader for `root/food-101/`.
    public init(root: URL) { self.root = root }
}
