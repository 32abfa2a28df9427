// A loaded dataset: ordered class names and the train, validation and test item lists,
// plus what loading skipped or noticed. Dassl's `DatasetBase` with `classnames` made explicit.

import Foundation

/// The classes and splits of one dataset, as every consumer (encoders, training,
/// evaluation, few-shot sampling) sees it.
public struct DatasetSplits: Sendable {
    /// The source's identifier (``DatasetSource/identifier``), recorded in runs and subset files.
    public var dataset: String
    /// Class names in label order (raw, as the dataset spells them).
    public var classNames: [String]
    /// Labelled training items (empty for test-only datasets).
    public var train: [LabeledItem]
    /// Validation items.
    public var validation: [LabeledItem]
    /// Test items.
    public var test: [LabeledItem]
    /// Whether ``validation`` is the test set itself (CoOp's ImageNet: "val = test"); few-shot
    /// sampling then leaves it untouched, as CoOp does.
    public var validationIsTest: Bool
    /// Items dropped because of bad input when ``LoadOptions/skipBadItems`` was set.
    public var skipped: [DataIssue]
    /// Other things the user should hear about (unexpected counts, ignored files).
    public var notes: [String]

    /// Creates splits.
    public init(
        dataset: String, classNames: [String], train: [LabeledItem], validation: [LabeledItem],
        test: [LabeledItem], validationIsTest: Bool = false, skipped: [DataIssue] = [],
        notes: [String] = []
    ) {
        self.dataset = dataset
        self.classNames = classNames
        self.train = train
        self.validation = validation
        self.test = test
        self.validationIsTest = validationIsTest
        self.skipped = skipped
        self.notes = notes
    }

    /// The number of classes.
    public var classCount: Int { classNames.count }

    /// Class names as prompts use them: underscores become spaces, as CoOp's prompt learners do.
    public var promptClassNames: [String] {
        classNames.map { $0.replacingOccurrences(of: "_", with: " ") }
    }

    /// Whether the dataset has no training items (ImageNet-V2, -Sketch, -A, -R).
    public var isTestOnly: Bool { train.isEmpty }

    /// The items of `split`.
    public func items(_ split: Split) -> [LabeledItem] {
        switch split {
        case .train: train
        case .validation: validation
        case .test: test
        }
    }

    /// One warning line per kind of skipped item, e.g.
    /// `skipped 3 items: 2 missing image, 1 label out of range (first: …)`; empty when none.
    public var skippedSummary: String? {
        guard let first = skipped.first else { return nil }
        var counts: [DataIssue.Kind: Int] = [:]
        for issue in skipped { counts[issue.kind, default: 0] += 1 }
        let kinds = DataIssue.Kind.allCases.compactMap { kind in
            counts[kind].map { "\($0) \(kind.description)" }
        }
        return "\(dataset): skipped \(skipped.count) item\(skipped.count == 1 ? "" : "s") ("
            + kinds.joined(separator: ", ") + "); first: \(first)"
    }
}

/// One of the three splits.
public enum Split: String, Sendable, CaseIterable, Codable {
    case train
    case validation = "val"
    case test
}
