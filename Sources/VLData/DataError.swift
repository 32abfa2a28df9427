// Errors and issues for bad dataset input. Every message names the file (or folder) and says
// what was expected, so a user can fix the data without reading code.

import Foundation

/// One bad item or class found while loading: a missing image, a label out of range, …
/// Under ``LoadOptions/skipBadItems`` these are collected into ``DatasetSplits/skipped``;
/// otherwise loading throws ``DataError/badItems(file:issues:)``.
public struct DataIssue: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Int, Sendable, CaseIterable, CustomStringConvertible {
        case missingImage
        case unreadableImage
        case labelOutOfRange
        case unknownClass
        case conflictingClassName
        case emptyClass
        case badRow

        public var description: String {
            switch self {
            case .missingImage: "missing image"
            case .unreadableImage: "unreadable image"
            case .labelOutOfRange: "label out of range"
            case .unknownClass: "unknown class"
            case .conflictingClassName: "conflicting class name"
            case .emptyClass: "empty class"
            case .badRow: "bad row"
            }
        }
    }

    /// What is wrong.
    public var kind: Kind
    /// The file or folder that holds the problem (a split file, list, or class folder).
    public var file: URL
    /// Where in that file, e.g. `train[12]` or `line 7`; empty when the whole file is meant.
    public var location: String
    /// The specifics, e.g. `2750/Forest/Forest_1.jpg does not exist under /data/eurosat/2750`.
    public var detail: String

    /// Creates an issue.
    public init(_ kind: Kind, file: URL, location: String = "", detail: String) {
        self.kind = kind
        self.file = file
        self.location = location
        self.detail = detail
    }

    public var description: String {
        "\(file.path)\(location.isEmpty ? "" : ", \(location)"): \(kind): \(detail)"
    }
}

/// Bad dataset input that stops loading.
public enum DataError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// A file or folder the layout requires is absent; `expected` says what should be there.
    case missing(URL, expected: String)
    /// A file exists but cannot be parsed; `detail` says what was expected.
    case malformed(URL, detail: String)
    /// Bad items or classes (see ``DataIssue``); pass `skipBadItems` to skip them instead.
    case badItems(file: URL, issues: [DataIssue])
    /// A dataset name that is not known; `valid` lists the accepted spellings.
    case unknownDataset(String, valid: [String])
    /// A parameter value that cannot work, e.g. zero shots or split fractions that do not sum to 1.
    case invalidArgument(String)
    /// A subset file that does not fit the dataset it is applied to.
    case subsetMismatch(URL, detail: String)

    public var description: String {
        switch self {
        case .missing(let url, let expected):
            return "\(url.path) not found: expected \(expected)"
        case .malformed(let url, let detail):
            return "\(url.path): \(detail)"
        case .badItems(let file, let issues):
            let shown = issues.prefix(5).map { "  \($0)" }.joined(separator: "\n")
            let more = issues.count > 5 ? "\n  … and \(issues.count - 5) more" : ""
            return "\(issues.count) bad item\(issues.count == 1 ? "" : "s") in \(file.path):\n"
                + shown + more + "\n(pass --skip-bad-images to skip them with a warning)"
        case .unknownDataset(let name, let valid):
            return "unknown dataset '\(name)'; valid names: \(valid.joined(separator: ", "))"
        case .invalidArgument(let detail):
            return detail
        case .subsetMismatch(let url, let detail):
            return "subset file \(url.path): \(detail)"
        }
    }

    public var errorDescription: String? { description }
}

/// Either throws the collected issues or, when skipping, returns them for ``DatasetSplits/skipped``.
func resolveIssues(_ issues: [DataIssue], in file: URL, options: LoadOptions) throws -> [DataIssue] {
    guard issues.isEmpty || options.skipBadItems else {
        throw DataError.badItems(file: file, issues: issues)
    }
    return issues
}
