// Turns a `--dataset` string into a source: a CoOp benchmark name, `folder:PATH`, `list:FILE`,
// or `SCHEME:NAME` for procedural sources registered by other modules (e.g. `world:shapes`).

import Foundation

/// Resolves dataset names. Procedural sources plug in by scheme, so a module above this one
/// can add `world:NAME` without VLData knowing about it.
public struct DatasetCatalog: Sendable {
    /// Makes a procedural source from the part after `scheme:`.
    public typealias Provider = @Sendable (_ name: String) throws -> any DatasetSource

    /// Procedural providers by scheme, e.g. `["world": { try WorldDataset(named: $0) }]`.
    public var providers: [String: Provider]

    /// Creates a catalog with the given procedural providers.
    public init(providers: [String: Provider] = [:]) {
        self.providers = providers
    }

    /// The source named by `text`.
    ///
    /// - `EuroSAT`, `eurosat`, …: a CoOp benchmark under `root/<dir>/` (needs `root`);
    /// - `folder:PATH`: an image folder with one subfolder per class (``ImageFolderDataset``);
    /// - `list:FILE`: a CSV or JSON list of images and labels (``ListDataset``);
    /// - `SCHEME:NAME`: a registered procedural source.
    public func source(named text: String, root: URL?) throws -> any DatasetSource {
        if let colon = text.firstIndex(of: ":") {
            let scheme = String(text[..<colon]), rest = String(text[text.index(after: colon)...])
            switch scheme {
            case "folder": return ImageFolderDataset(directory: URL(fileURLWithPath: rest))
            case "list": return ListDataset(file: URL(fileURLWithPath: rest))
            default:
                if let provider = providers[scheme] { return try provider(rest) }
            }
            throw DataError.unknownDataset(text, valid: validSpellings)
        }
        guard let name = try? DatasetName(parsing: text) else {
            throw DataError.unknownDataset(text, valid: validSpellings)
        }
        guard let root else {
            throw DataError.invalidArgument(
                "dataset \(name.rawValue) needs a data root (--root DATA holding \(name.directory)/)")
        }
        return name.source(root: root)
    }

    /// Every accepted spelling, for error messages and help text.
    public var validSpellings: [String] {
        DatasetName.validSpellings + ["folder:PATH", "list:FILE.csv|FILE.json"]
            + providers.keys.sorted().map { "\($0):NAME" }
    }
}
