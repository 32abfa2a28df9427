// Metrics against hand-computed values: top-1, top-5 with ties, mean per-class accuracy,
// macro-F1 over present classes (Dassl/sklearn), confusion matrix, harmonic means.

import Foundation
import Testing
@testable import VLEvaluation

@Suite("classification metrics")
struct MetricsTests {
    /// labels  0 0 0 1 1 2 ; predictions 0 0 1 1 0 1 (class 3 exists but never occurs).
    private let labels = [0, 0, 0, 1, 1, 2]
    private let predictions = [0, 0, 1, 1, 0, 1]

    @Test("confusion matrix, accuracy, per-class accuracy and macro-F1 by hand")
    func handComputed() throws {
        let confusion = try ConfusionMatrix(labels: labels, predictions: predictions, classes: 4)
        #expect(confusion[0, 0] == 2 && confusion[0, 1] == 1 && confusion[1, 0] == 1 && confusion[1, 1] == 1)
        #expect(confusion[2, 1] == 1 && confusion.total == 6 && confusion.correct == 3)
        #expect(confusion.presentLabels == [0, 1, 2])
        let metrics = try ClassificationMetrics(confusion: confusion)
        #expect(metrics.top1 == 50)
        // recalls: 2/3, 1/2, 0 → mean 7/18.
        #expect(abs(metrics.meanPerClassAccuracy - 100 * 7.0 / 18.0) < 1e-12)
        // F1: class 0: 2·2/(4+1+1) = 2/3; class 1: 2·1/(2+2+1) = 2/5; class 2: 0 → mean 16/45.
        #expect(abs(metrics.macroF1 - 100 * 16.0 / 45.0) < 1e-12)
        #expect(metrics.top5 == nil)
    }

    @Test("logits: argmax takes the first maximum; top-5 counts ties by index; NaN ranks last")
    func logits() throws {
        var evaluator = try ClassificationEvaluator(classes: 6)
        let rows: [[Float]] = [
            [1, 5, 5, 0, 0, 0],  // label 2: tie with class 1 → predicted 1; rank 1 → top-5 hit
            [9, 8, 7, 6, 5, 4],  // label 5: rank 5 → top-5 miss
            [0, 1, 2, 3, 4, 5],  // label 1: rank 4 → top-5 hit
            [.nan, 0, 0, 0, 0, 1],  // label 5: predicted 5
            [3, 3, 3, 3, 3, 3],  // label 4: all tied → predicted 0, rank 4 → hit
            [3, 3, 3, 3, 3, 3],  // label 5: rank 5 → miss
        ]
        try evaluator.add(logits: rows.flatMap { $0 }, labels: [2, 5, 1, 5, 4, 5])
        let metrics = try evaluator.metrics()
        #expect(evaluator.confusion[2, 1] == 1 && evaluator.confusion[5, 5] == 1 && evaluator.confusion[4, 0] == 1)
        #expect(metrics.top1 == 100.0 / 6)
        #expect(metrics.top5 == 100.0 * 4 / 6)
        #expect(ClassificationEvaluator.argmax([Float.nan, 2, 2][...]) == 1)
    }

    @Test("bad input throws instead of crashing")
    func badInput() throws {
        var evaluator = try ClassificationEvaluator(classes: 3)
        #expect(throws: EvaluationError.self) { try evaluator.add(logits: [1, 2], labels: [0]) }
        #expect(throws: EvaluationError.self) { try evaluator.add(predictions: [0], labels: [3]) }
        #expect(throws: EvaluationError.self) { try evaluator.metrics() }
        #expect(throws: EvaluationError.self) { try ClassificationEvaluator(classes: 0) }
    }

    @Test("harmonic mean and the HM of averaged base and novel (methods-text §3.3 checks)")
    func harmonicMeans() throws {
        #expect(String(format: "%.2f", harmonicMeanOf(80.47, 71.69)) == "75.83")
        #expect(String(format: "%.2f", harmonicMeanOf(69.34, 74.22)) == "71.70")
        #expect(harmonicMeanOf(0, 0) == 0)
        let average = try #require(BaseNovelScore.average([.init(base: 90, novel: 10), .init(base: 70, novel: 50)]))
        #expect(average.base == 80 && average.novel == 30)
        #expect(abs(average.harmonicMean - 2 * 80 * 30 / 110.0) < 1e-12)
        // Not the mean of the per-dataset HMs (18 and 58.33…).
        #expect(abs(average.harmonicMean - (18 + 175.0 / 3) / 2) > 1)
    }
}
