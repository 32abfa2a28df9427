// Counts of (true label, predicted label) pairs, the table every classification metric here
// is read from (sklearn's `confusion_matrix` without normalization).

import Foundation

/// A `[classes, classes]` table of counts: row = true label, column = predicted label.
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// The number of classes.
    public let classes: Int
    /// Counts, row-major `[classes, classes]`.
    public private(set) var counts: [Int]

    /// An empty matrix.
    public init(classes: Int) {
        precondition(classes > 0, "a confusion matrix needs at least one class")
        self.classes = classes
        self.counts = Array(repeating: 0, count: classes * classes)
    }

    /// The matrix of `labels` against `predictions`.
    public init(labels: [Int], predictions: [Int], classes: Int) throws {
        guard labels.count == predictions.count else {
            throw EvaluationError.countMismatch(labels: labels.count, predictions: predictions.count)
        }
        self.init(classes: classes)
        for (label, prediction) in zip(labels, predictions) {
            try add(label: label, prediction: prediction)
        }
    }

    /// Counts one example.
    public mutating func add(label: Int, prediction: Int) throws {
        guard (0..<classes).contains(label) else {
            throw EvaluationError.labelOutOfRange(label, classes: classes)
        }
        guard (0..<classes).contains(prediction) else {
            throw EvaluationError.labelOutOfRange(prediction, classes: classes)
        }
        counts[label * classes + prediction] += 1
    }

    /// The count of examples of class `label` predicted as `prediction`.
    public subscript(label: Int, prediction: Int) -> Int {
        counts[label * classes + prediction]
    }

    /// All counted examples.
    public var total: Int { counts.reduce(0, +) }

    /// Examples on the diagonal.
    public var correct: Int { (0..<classes).reduce(0) { $0 + self[$1, $1] } }

    /// Examples whose true label is `label` (the row sum).
    public func support(_ label: Int) -> Int {
        (0..<classes).reduce(0) { $0 + self[label, $1] }
    }

    /// Examples predicted as `label` (the column sum).
    public func predicted(_ label: Int) -> Int {
        (0..<classes).reduce(0) { $0 + self[$1, label] }
    }

    /// Labels with at least one true example (the classes Dassl's per-class and macro
    /// averages run over: `np.unique(y_true)`).
    public var presentLabels: [Int] { (0..<classes).filter { support($0) > 0 } }

    /// Recall of `label`: correct / support, in percent.
    public func recall(_ label: Int) -> Double {
        100 * Double(self[label, label]) / Double(support(label))
    }

    /// F1 of `label` in percent: 2·TP / (2·TP + FP + FN), which is 0 when TP = 0, as sklearn's
    /// `zero_division=0`.
    public func f1(_ label: Int) -> Double {
        let truePositive = self[label, label]
        let falseNegative = support(label) - truePositive
        let falsePositive = predicted(label) - truePositive
        let denominator = 2 * truePositive + falsePositive + falseNegative
        return denominator == 0 ? 0 : 100 * Double(2 * truePositive) / Double(denominator)
    }
}

/// Bad input to an evaluation.
public enum EvaluationError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// Labels and predictions (or logits rows) differ in number.
    case countMismatch(labels: Int, predictions: Int)
    /// A label or prediction outside `0..<classes`.
    case labelOutOfRange(Int, classes: Int)
    /// Logits whose size is not `batch × classes`.
    case logitsShape(count: Int, batch: Int, classes: Int)
    /// Nothing was evaluated.
    case empty
    /// A bad argument, e.g. an empty training set for logistic regression.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .countMismatch(let labels, let predictions):
            "\(labels) labels but \(predictions) predictions"
        case .labelOutOfRange(let label, let classes):
            "label \(label) is outside 0..<\(classes)"
        case .logitsShape(let count, let batch, let classes):
            "\(count) logits do not form [\(batch) examples, \(classes) classes]"
        case .empty:
            "no examples were evaluated"
        case .invalidArgument(let detail):
            detail
        }
    }

    public var errorDescription: String? { description }
}
