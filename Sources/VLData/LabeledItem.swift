// One labelled example and the splits of a dataset: the data contract Dassl's `Datum` and
// `DatasetBase` define (image path, label, class name, optional domain), as Swift values.

import Foundation

/// Where an item's pixels come from.
public enum ItemLocation: Sendable, Hashable {
    /// An image file on disk.
    case file(URL)
    /// The `index`-th example of a procedural source, rendered on demand.
    case generated(index: Int)
}

/// One labelled example.
public struct LabeledItem: Sendable, Hashable {
    /// The path exactly as the split file or list gives it (relative to the image root), or
    /// the identifier of a generated item. Subset files record this string.
    public var path: String
    /// Where the pixels are.
    public var location: ItemLocation
    /// The 0-based class index.
    public var label: Int
    /// The raw class name (underscores kept; see ``DatasetSplits/promptClassNames``).
    public var className: String
    /// An optional domain name (domain generalization, custom lists with a `domain` column).
    public var domain: String?

    /// Creates an item.
    public init(
        path: String, location: ItemLocation, label: Int, className: String, domain: String? = nil
    ) {
        self.path = path
        self.location = location
        self.label = label
        self.className = className
        self.domain = domain
    }

    /// The image file, or `nil` for a generated item.
    public var url: URL? {
        if case .file(let url) = location { return url }
        return nil
    }
}
