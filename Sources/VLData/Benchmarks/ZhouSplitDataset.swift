// The shared shape of the nine CoOp benchmarks that ship a `split_zhou_*.json`: a folder under
// the data root, an image root, a split file and optional class-name renames.

import Foundation

/// A CoOp benchmark read from its `split_zhou_<Name>.json`.
protocol ZhouSplitDataset: DatasetSource {
    /// Where the dataset lives and how to read it.
    static var layout: ZhouSplitLayout { get }
    /// The data root holding the dataset's folder.
    var root: URL { get }
}

extension ZhouSplitDataset {
    /// The CoOp registry name, e.g. `EuroSAT`.
    public var identifier: String { Self.layout.dataset.rawValue }

    /// Reads the split file and checks every image exists.
    public func load(_ options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
        try Self.layout.load(root: root, options: options)
    }
}
