// SUN397 (Xiao et al., 2010) in CoOp's layout: `sun397/SUN397/a/abbey/…` and
// `split_zhou_SUN397.json`; names are the path parts after the letter, reversed and space-joined.

import Foundation

/// Scene categories, 397 classes.
public struct SUN397: ZhouSplitDataset {
    /// The folder under the data root.
    public static let directory = "sun397"
    static let layout = ZhouSplitLayout(
        dataset: .sun397, imageDirectory: "SUN397", splitFile: "split_zhou_SUN397.json")

    /// The data root holding `sun397/`.
    public let root: URL

    /// A loader for `root/sun397/`.
    public init(root: URL) { self.root = root }
}
