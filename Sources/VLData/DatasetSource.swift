// The one protocol every dataset conforms to: CoOp benchmarks, custom folders and lists, and
// procedural sources (`world:NAME`, added by another module) alike.

import Foundation

/// How strictly to load.
public struct LoadOptions: Sendable, Equatable {
    /// Drop bad items (missing images, labels out of range, bad rows) and report them in
    /// ``DatasetSplits/skipped`` instead of throwing (`--skip-bad-images`).
    public var skipBadItems: Bool
    /// Check that every file a split file names exists (one directory listing per folder,
    /// so tens of thousands of files cost milliseconds).
    public var checkFiles: Bool

    /// Creates options; the defaults are strict.
    public init(skipBadItems: Bool = false, checkFiles: Bool = true) {
        self.skipBadItems = skipBadItems
        self.checkFiles = checkFiles
    }
}

/// A dataset: something that yields classes and train/validation/test items.
///
/// A file-backed source returns items located at ``ItemLocation/file(_:)``; a procedural
/// source returns ``ItemLocation/generated(index:)`` items and renders them itself.
public protocol DatasetSource: Sendable {
    /// A stable name recorded in runs and subset files, e.g. `EuroSAT`, `folder:pets`,
    /// `world:shapes`.
    var identifier: String { get }

    /// Reads (or generates) the classes and splits.
    func load(_ options: LoadOptions) throws -> DatasetSplits
}
