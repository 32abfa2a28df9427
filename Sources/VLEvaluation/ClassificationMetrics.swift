// Top-1, top-5, mean per-class accuracy and macro-F1, as Dassl's `Classification` evaluator
// reports them (percent; per-class mean and macro-F1 over the classes present in the labels).

import Foundation

/// Scores of one evaluation, all in percent (0–100).
public struct ClassificationMetrics: Sendable, Equatable, Codable {
    /// Examples evaluated.
    public var count: Int
    /// Top-1 accuracy.
    public var top1: Double
    /// Top-5 accuracy; `nil` with fewer than 5 classes or when only predictions were given.
    public var top5: Double?
    /// Mean over present classes of each class's accuracy (recall).
    public var meanPerClassAccuracy: Double
    /// Mean over present classes of each class's F1.
    public var macroF1: Double

    /// Creates metrics from values.
    public init(count: Int, top1: Double, top5: Double?, meanPerClassAccuracy: Double, macroF1: Double) {
        self.count = count
        self.top1 = top1
        self.top5 = top5
        self.meanPerClassAccuracy = meanPerClassAccuracy
        self.macroF1 = macroF1
    }

    /// The metrics of `confusion`, with `top5Correct` examples whose label ranked in the top 5.
    public init(confusion: ConfusionMatrix, top5Correct: Int? = nil) throws {
        let total = confusion.total
        guard total > 0 else { throw EvaluationError.empty }
        let present = confusion.presentLabels
        count = total
        top1 = 100 * Double(confusion.correct) / Double(total)
        top5 = top5Correct.map { 100 * Double($0) / Double(total) }
        meanPerClassAccuracy = present.map(confusion.recall).reduce(0, +) / Double(present.count)
        macroF1 = present.map(confusion.f1).reduce(0, +) / Double(present.count)
    }

    /// Reads a named metric: `top1`, `top5`, `meanPerClassAccuracy` or `macroF1`.
    public func value(_ metric: Metric) -> Double? {
        switch metric {
        case .top1: top1
        case .top5: top5
        case .meanPerClassAccuracy: meanPerClassAccuracy
        case .macroF1: macroF1
        }
    }
}

/// A metric a report can tabulate.
public enum Metric: String, Sendable, CaseIterable, Codable {
    case top1
    case top5
    case meanPerClassAccuracy = "mean-per-class"
    case macroF1 = "macro-f1"

    /// A column title.
    public var title: String {
        switch self {
        case .top1: "top-1 accuracy (%)"
        case .top5: "top-5 accuracy (%)"
        case .meanPerClassAccuracy: "mean per-class accuracy (%)"
        case .macroF1: "macro-F1 (%)"
        }
    }
}

/// Accumulates batches of logits or predictions into a confusion matrix and top-5 count.
public struct ClassificationEvaluator: Sendable {
    /// The counts so far.
    public private(set) var confusion: ConfusionMatrix
    /// Examples whose label ranked in the top 5 (only counted from logits).
    public private(set) var top5Correct = 0
    private var examplesFromPredictions = 0

    /// An evaluator for `classes` classes.
    public init(classes: Int) throws {
        guard classes > 0 else { throw EvaluationError.invalidArgument("evaluation needs at least one class") }
        confusion = ConfusionMatrix(classes: classes)
    }

    /// The number of classes.
    public var classes: Int { confusion.classes }

    /// Adds a batch of logits, `[batch, classes]` row-major, and their labels.
    ///
    /// The prediction is the first highest logit (PyTorch's `max(1)`); NaN ranks lowest.
    public mutating func add(logits: [Float], labels: [Int]) throws {
        guard logits.count == labels.count * classes else {
            throw EvaluationError.logitsShape(count: logits.count, batch: labels.count, classes: classes)
        }
        for (row, label) in labels.enumerated() {
            let scores = logits[(row * classes)..<((row + 1) * classes)]
            let rank = Self.rank(of: label, in: scores)
            try confusion.add(label: label, prediction: Self.argmax(scores))
            if rank < 5 { top5Correct += 1 }
        }
    }

    /// Adds predicted labels (no top-5 from these).
    public mutating func add(predictions: [Int], labels: [Int]) throws {
        guard predictions.count == labels.count else {
            throw EvaluationError.countMismatch(labels: labels.count, predictions: predictions.count)
        }
        for (prediction, label) in zip(predictions, labels) {
            try confusion.add(label: label, prediction: prediction)
        }
        examplesFromPredictions += labels.count
    }

    /// The metrics so far; top-5 only when every example came with logits and there are at
    /// least 5 classes.
    public func metrics() throws -> ClassificationMetrics {
        let withTop5 = examplesFromPredictions == 0 && classes >= 5
        return try ClassificationMetrics(confusion: confusion, top5Correct: withTop5 ? top5Correct : nil)
    }

    /// The index of the first largest score (NaN never wins).
    static func argmax(_ scores: ArraySlice<Float>) -> Int {
        var best: Int?
        for index in scores.indices where !scores[index].isNaN {
            if best == nil || scores[index] > scores[best!] { best = index }
        }
        return (best ?? scores.startIndex) - scores.startIndex
    }

    /// How many classes rank above `label`: higher scores, or equal scores at lower indices
    /// (the tie rule ``argmax(_:)`` uses). NaN ranks below everything.
    static func rank(of label: Int, in scores: ArraySlice<Float>) -> Int {
        let start = scores.startIndex
        let own = scores[start + label]
        if own.isNaN { return scores.count }
        var rank = 0
        for (offset, score) in zip(0..., scores) where !score.isNaN {
            if score > own || (score == own && offset < label) { rank += 1 }
        }
        return rank
    }
}
