// UCF101 (Soomro et al., 2012) middle frames in CoOp's layout:
// `ucf101/UCF-101-midframes/<Action_Name>/…` and `split_zhou_UCF101.json`.

import Foundation

/// Human actions (one middle frame per video), 101 classes.
public struct UCF101: ZhouSplitDataset {
    /// The folder under the data root.
    public static let directory = "ucf101"
    static let layout = ZhouSplitLayout(
        dataset: .ucf101, imageDirectory: "UCF-101-midframes", splitFile: "split_zhou_UCF101.json")

    /// The data root holding `ucf101/`.
    public let root: URL

    /// A loader for `root/ucf101/`.
    public init(root: URL) { self.root = root }
}
