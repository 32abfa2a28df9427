// The base-to-novel split of CoCoOp (methods-text §3.3; CoOp's `subsample_classes`): sort the
// training labels, the first ceil(n/2) are base, the rest novel, each relabelled to 0..<m.

import Foundation

/// Which classes to keep.
public enum ClassSubsample: String, Sendable, CaseIterable, Codable {
    /// Every class, labels unchanged.
    case all
    /// The first ceil(n/2) sorted labels.
    case base
    /// The remaining labels (CoOp calls this `new`).
    case novel

    /// Parses `all`, `base`, `novel` or CoOp's `new`.
    public init(parsing text: String) throws {
        if text == "new" {
            self = .novel
        } else if let value = ClassSubsample(rawValue: text) {
            self = value
        } else {
            throw DataError.invalidArgument("subsample must be base, novel (or new) or all; got '\(text)'")
        }
    }
}

/// The labels a ``ClassSubsample`` keeps, and their new numbering.
public struct ClassPartition: Sendable, Equatable {
    /// Kept original labels, ascending; new label `i` is `kept[i]`.
    public var kept: [Int]
    /// Original label → new label.
    public var newLabel: [Int: Int]

    /// The partition of `labels` (the distinct labels of the training set).
    public init(labels: some Sequence<Int>, subsample: ClassSubsample) {
        let sorted = Array(Set(labels)).sorted()
        let baseCount = (sorted.count + 1) / 2
        switch subsample {
        case .all: kept = sorted
        case .base: kept = Array(sorted[..<baseCount])
        case .novel: kept = Array(sorted[baseCount...])
        }
        newLabel = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
    }
}

extension DatasetSplits {
    /// The splits restricted to `subsample`'s classes and relabelled, train, validation and
    /// test alike. Labels come from the train set (or all classes for a test-only dataset).
    ///
    /// `.all` returns the splits unchanged, as CoOp does.
    public func subsampled(_ subsample: ClassSubsample) -> DatasetSplits {
        guard subsample != .all else { return self }
        let labels = isTestOnly ? Array(classNames.indices) : train.map(\.label)
        let partition = ClassPartition(labels: labels, subsample: subsample)
        func relabel(_ items: [LabeledItem]) -> [LabeledItem] {
            items.compactMap { item in
                guard let label = partition.newLabel[item.label] else { return nil }
                var item = item
                item.label = label
                return item
            }
        }
        var result = self
        result.classNames = partition.kept.map { classNames[$0] }
        result.train = relabel(train)
        result.validation = relabel(validation)
        result.test = relabel(test)
        return result
    }
}
