// Caltech101 (Fei-Fei et al., 2004) in CoOp's layout: `caltech-101/101_ObjectCategories/…` and
// `split_zhou_Caltech101.json` (100 classes: BACKGROUND_Google and Faces_easy are left out).

import Foundation

/// Object categories, 100 classes as CoOp uses them.
public struct Caltech101: ZhouSplitDataset {
    /// The folder under the data root.
    public static let directory = "caltech-101"
    /// Folder name → the name CoOp uses in prompts (`datasets/caltech101.py`).
    public static let renames = [
        "airplanes": "airplane",
        "Faces": "face",
        "Leopards": "leopard",
        "Motorbikes": "motorbike",
    ]
    static let layout = ZhouSplitLayout(
        dataset: .caltech101, imageDirectory: "101_ObjectCategories",
        splitFile: "split_zhou_Caltech101.json", renames: renames)

    /// The data root holding `caltech-101/`.
    public let root: URL

    /// A loader for `root/caltech-101/`.
    public init(root: URL) { self.root = root }
}
