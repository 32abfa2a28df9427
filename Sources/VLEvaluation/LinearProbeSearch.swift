// The validation search over C that CoOp's `lpclip/linear_probe.py` runs (methods-text §2.6):
// a coarse grid {1e6, 1e4, 1e2, 1, 1e-2, 1e-4, 1e-6}, then 8 bisection steps in log10(C)
// starting from [0.1·C*, 10·C*], keeping the better end (the left one on ties).

import Foundation

/// CoOp's linear-probe C search.
public enum LinearProbeSearch {
    /// The coarse grid, in CoOp's order (ties go to the earlier entry, as `np.argmax`).
    public static let coarseGrid: [Double] = [1e6, 1e4, 1e2, 1, 1e-2, 1e-4, 1e-6]

    /// One bisection step.
    public struct Step: Sendable, Equatable, Codable {
        /// The bracket's ends.
        public var left: Double, right: Double
        /// Validation accuracy (0–1) at each end.
        public var leftAccuracy: Double, rightAccuracy: Double
        /// The end kept (`right` only when strictly better).
        public var chosen: Double
        /// Test accuracy (0–1) of the kept model, when a test set was given.
        public var testAccuracy: Double?
    }

    /// The outcome: the coarse scores, every step, and the last step's model.
    public struct Result: Sendable {
        /// `(C, validation accuracy)` for each grid value.
        public var coarse: [(inverseRegularization: Double, accuracy: Double)]
        /// The bisection steps.
        public var steps: [Step]
        /// The last step's kept C (CoOp reports this step's test accuracy).
        public var inverseRegularization: Double
        /// The classifier fitted at that C.
        public var model: LogisticRegression
    }

    /// Searches C on `validation`, fitting on `train`; `test`, if given, is scored at each step
    /// as CoOp logs it. Fits at the same C are reused (the log10/pow round trip CoOp performs
    /// moves C by at most a few ulps).
    public static func run(
        train: LabeledFeatures, validation: LabeledFeatures, test: LabeledFeatures? = nil,
        classes: Int, steps: Int = 8, options: LogisticRegression.Options = .init()
    ) throws -> Result {
        guard validation.count > 0 else {
            throw EvaluationError.invalidArgument("the C search needs validation examples")
        }
        var cache: [(inverseRegularization: Double, model: LogisticRegression)] = []
        func fitted(_ c: Double) throws -> LogisticRegression {
            if let hit = cache.first(where: { abs($0.inverseRegularization - c) <= 1e-9 * c }) {
                return hit.model
            }
            var fitOptions = options
            fitOptions.inverseRegularization = c
            let model = try LogisticRegression.fit(train, classes: classes, options: fitOptions)
            cache.append((c, model))
            return model
        }

        let coarse = try coarseGrid.map { c in (c, try fitted(c).accuracy(on: validation)) }
        var best = 0
        for index in coarse.indices where coarse[index].1 > coarse[best].1 { best = index }
        var (left, right) = (0.1 * coarseGrid[best], 10 * coarseGrid[best])
        var record: [Step] = []
        var kept = try fitted(left), keptC = left
        for _ in 0..<steps {
            let leftModel = try fitted(left), rightModel = try fitted(right)
            let leftAccuracy = leftModel.accuracy(on: validation)
            let rightAccuracy = rightModel.accuracy(on: validation)
            let middle = 0.5 * (log10(left) + log10(right))
            let keepRight = leftAccuracy < rightAccuracy
            (kept, keptC) = keepRight ? (rightModel, right) : (leftModel, left)
            record.append(Step(
                left: left, right: right, leftAccuracy: leftAccuracy, rightAccuracy: rightAccuracy,
                chosen: keptC, testAccuracy: test.map(kept.accuracy(on:))))
            (left, right) = keepRight
                ? (pow(10, middle), pow(10, log10(right)))
                : (pow(10, log10(left)), pow(10, middle))
        }
        return Result(
            coarse: coarse.map { ($0.0, $0.1) }, steps: record, inverseRegularization: keptC,
            model: kept)
    }
}
