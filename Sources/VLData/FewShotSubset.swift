// The portable few-shot subset file: which train and validation items a run used, by path
// relative to the dataset's image root. A run records it; `--subset FILE` replays it.

import Foundation
import VLFormats

/// A few-shot subset: dataset, shots, seed, class names and the chosen items.
///
/// On disk (JSON, version 1):
/// `{"format": "vlprompt-fewshot-subset", "version": 1, "dataset": "EuroSAT", "shots": 16,
///   "validationShots": 4, "seed": 1, "classNames": [...],
///   "train": [["AnnualCrop/AnnualCrop_1.jpg", 0, "Annual Crop Land"], ...], "validation": [...]}`
/// — entries in the same `[path, label, class name]` form as CoOp's split files.
public struct FewShotSubset: Sendable, Equatable, Codable {
    /// The `format` tag of every subset file.
    public static let formatName = "vlprompt-fewshot-subset"
    /// The version this code writes and reads.
    public static let currentVersion = 1

    /// One chosen item.
    public struct Entry: Sendable, Hashable, Codable {
        /// The item's path relative to the image root, as the split file gives it.
        public var path: String
        /// Its label.
        public var label: Int
        /// Its class name.
        public var className: String

        /// Creates an entry.
        public init(path: String, label: Int, className: String) {
            self.path = path
            self.label = label
            self.className = className
        }

        /// The entry for `item`.
        public init(_ item: LabeledItem) {
            self.init(path: item.path, label: item.label, className: item.className)
        }

        public init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            path = try container.decode(String.self)
            label = try container.decode(Int.self)
            className = try container.decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            try container.encode(path)
            try container.encode(label)
            try container.encode(className)
        }
    }

    /// Always ``formatName``.
    public var format: String
    /// The file format version.
    public var version: Int
    /// The dataset identifier (``DatasetSource/identifier``).
    public var dataset: String
    /// Training shots per class.
    public var shots: Int
    /// Validation shots per class.
    public var validationShots: Int
    /// The sampling seed.
    public var seed: UInt64
    /// Class names in label order.
    public var classNames: [String]
    /// Chosen training items.
    public var train: [Entry]
    /// Chosen validation items (empty when validation is the test set, as for ImageNet).
    public var validation: [Entry]

    /// Creates a subset.
    public init(
        dataset: String, shots: Int, seed: UInt64, classNames: [String], train: [Entry],
        validation: [Entry]
    ) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.dataset = dataset
        self.shots = shots
        self.validationShots = FewShotSampler.validationShots(for: shots)
        self.seed = seed
        self.classNames = classNames
        self.train = train
        self.validation = validation
    }

    /// Writes the subset as pretty-printed JSON, atomically (temporary file, then rename).
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(encoder.encode(self), to: url)
    }

    /// Reads a subset file, checking its format tag and version.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DataError.missing(url, expected: "a few-shot subset file (JSON)")
        }
        let decoded: FewShotSubset
        do {
            decoded = try JSONDecoder().decode(FewShotSubset.self, from: data)
        } catch {
            throw DataError.malformed(
                url, detail: "not a vlprompt few-shot subset file (\(describe(error)))")
        }
        guard decoded.format == Self.formatName else {
            throw DataError.malformed(url, detail: "format is '\(decoded.format)', expected '\(Self.formatName)'")
        }
        guard decoded.version == Self.currentVersion else {
            throw DataError.malformed(
                url, detail: "version \(decoded.version); this vlprompt reads version \(Self.currentVersion)")
        }
        self = decoded
    }
}

extension DatasetSplits {
    /// These splits with train and validation replaced by `subset`'s items (test unchanged).
    ///
    /// Every entry must name an item of this dataset with the same label and class name;
    /// `file` names the subset file in errors.
    public func applying(_ subset: FewShotSubset, from file: URL) throws -> DatasetSplits {
        guard subset.dataset == dataset else {
            throw DataError.subsetMismatch(
                file, detail: "made for \(subset.dataset), not \(dataset)")
        }
        guard subset.classNames == classNames else {
            throw DataError.subsetMismatch(
                file, detail: "its \(subset.classNames.count) class names differ from "
                    + "\(dataset)'s \(classCount)")
        }
        var result = self
        result.train = try resolve(subset.train, in: train, split: "train", file: file)
        if !validationIsTest {
            result.validation = try resolve(subset.validation, in: validation, split: "validation", file: file)
        }
        return result
    }

    private func resolve(
        _ entries: [FewShotSubset.Entry], in items: [LabeledItem], split: String, file: URL
    ) throws -> [LabeledItem] {
        let byPath = Dictionary(items.map { ($0.path, $0) }) { first, _ in first }
        return try entries.enumerated().map { index, entry in
            guard let item = byPath[entry.path] else {
                throw DataError.subsetMismatch(
                    file, detail: "\(split)[\(index)] names \(entry.path), which is not in "
                        + "\(dataset)'s \(split) split")
            }
            guard item.label == entry.label, item.className == entry.className else {
                throw DataError.subsetMismatch(
                    file, detail: "\(split)[\(index)] gives \(entry.path) label \(entry.label) "
                        + "('\(entry.className)'), but the dataset says \(item.label) ('\(item.className)')")
            }
            return item
        }
    }
}

/// A short description of a decoding error, naming the key path.
func describe(_ error: any Error) -> String {
    guard let decodingError = error as? DecodingError else { return String(describing: error) }
    switch decodingError {
    case .keyNotFound(let key, let context):
        return "missing key '\(key.stringValue)' at \(path(context))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        return "\(context.debugDescription) at \(path(context))"
    @unknown default:
        return String(describing: decodingError)
    }
}

private func path(_ context: DecodingError.Context) -> String {
    let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
    return parts.isEmpty ? "the top level" : parts.joined()
}
