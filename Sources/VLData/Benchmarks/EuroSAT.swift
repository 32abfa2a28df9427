// EuroSAT (Helber et al., 2019) in CoOp's layout: `eurosat/2750/<Class>/…` and
// `split_zhou_EuroSAT.json`, with the class names CoOp's `datasets/eurosat.py` renames.

import Foundation

/// Sentinel-2 land-use patches, 10 classes.
public struct EuroSAT: ZhouSplitDataset {
    /// The folder under the data root.
    public static let directory = "eurosat"
    /// Folder name → the name CoOp uses in prompts.
    public static let renames = [
        "AnnualCrop": "Annual Crop Land",
        "Forest": "Forest",
        "HerbaceousVegetation": "Herbaceous Vegetation Land",
        "Highway": "Highway or Road",
        "Industrial": "Industrial Buildings",
        "Pasture": "Pasture Land",
        "PermanentCrop": "Permanent Crop Land",
        "Residential": "Residential Buildings",
        "River": "River",
        "SeaLake": "Sea or Lake",
    ]
    static let layout = ZhouSplitLayout(
        dataset: .euroSAT, imageDirectory: "2750", splitFile: "split_zhou_EuroSAT.json",
        renames: renames)

    /// The data root holding `eurosat/`.
    public let root: URL

    /// A loader for `root/eurosat/`.
    public init(root: URL) { self.root = root }
}
