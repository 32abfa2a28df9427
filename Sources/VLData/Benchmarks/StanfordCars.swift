// Stanford Cars (Krause et al., 2013) in CoOp's layout: paths in `split_zhou_StanfordCars.json`
// are relative to `stanford_cars/` itself (`cars_train/00001.jpg`, `cars_test/…`).

import Foundation

/// Car models, 196 classes (year moved to the front: `2012 Tesla Model S`).
public struct StanfordCars: ZhouSplitDataset {
    /// The folder under the data root.
    public static let directory = "stanford_cars"
    static let layout = ZhouSplitLayout(
        dataset: .stanfordCars, imageDirectory: nil, splitFile: "split_zhou_StanfordCars.json")

    /// The data root holding `stanford_cars/`.
    public let root: URL

    /// A loader for `root/stanford_cars/`.
    public init(root: URL) { self.root = root }
}
