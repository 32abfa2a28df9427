// Oxford-IIIT Pets (Parkhi et al., 2012) in CoOp's layout: `oxford_pets/images/…` and
// `split_zhou_OxfordPets.json`; class names are lower-case breeds (`american_bulldog`).

import Foundation

/// Cat and dog breeds, 37 classes.
public struct OxfordPets: ZhouSplitDataset {
    /// The folder under the data root.
    public static let directory = "oxford_pets"
    static let layout = ZhouSplitLayout(
        dataset: .oxfordPets, imageDirectory: "images", splitFile: "split_zhou_OxfordPets.json")

    /// The data root holding `oxford_pets/`.
    public let root: URL

    /// A loader for `root/oxford_pets/`.
    public init(root: URL) { self.root = root }
}
