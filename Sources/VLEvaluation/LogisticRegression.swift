// L2-regularized logistic regression on feature vectors with scikit-learn's conventions
// (`LogisticRegression(solver="lbfgs", penalty="l2", C=…)`): multinomial softmax for three or
// more classes, a single binary logistic model for two, unpenalized intercepts, solved in Double.

import Foundation
import VLKernels

/// Labelled feature vectors, `[count, width]` row-major.
public struct LabeledFeatures: Sendable {
    /// The features, `[count, width]` row-major.
    public var values: [Float]
    /// Features per example.
    public var width: Int
    /// One label per example.
    public var labels: [Int]

    /// Wraps flat features; `values.count` must be `labels.count × width`.
    public init(values: [Float], width: Int, labels: [Int]) throws {
        guard width > 0, values.count == labels.count * width else {
            throw EvaluationError.invalidArgument(
                "\(values.count) feature values do not form [\(labels.count), \(width)]")
        }
        self.values = values
        self.width = width
        self.labels = labels
    }

    /// Wraps one array per example; all must have the same width.
    public init(rows: [[Float]], labels: [Int]) throws {
        guard let width = rows.first?.count, rows.allSatisfy({ $0.count == width }),
            rows.count == labels.count
        else {
            throw EvaluationError.invalidArgument(
                "feature rows must be non-empty, of equal width, one per label")
        }
        try self.init(values: rows.flatMap { $0 }, width: width, labels: labels)
    }

    /// The number of examples.
    public var count: Int { labels.count }
}

/// A fitted linear classifier: `logits = W·x + b`.
public struct LogisticRegression: Sendable {
    /// Fitting options.
    public struct Options: Sendable, Equatable {
        /// Inverse regularization strength: the objective is C·Σᵢ CEᵢ + ½‖W‖² (scikit-learn's `C`).
        public var inverseRegularization: Double
        /// Iteration cap (scikit-learn's `max_iter`, 1000 in CoOp's linear probe).
        public var maxIterations: Int
        /// Stop when every gradient component of the per-example objective is below this.
        /// Far tighter than scikit-learn's default 1e-4, so the optimum is reached.
        public var gradientTolerance: Double

        /// Creates options.
        public init(inverseRegularization: Double = 1, maxIterations: Int = 1000, gradientTolerance: Double = 1e-10) {
            self.inverseRegularization = inverseRegularization
            self.maxIterations = maxIterations
            self.gradientTolerance = gradientTolerance
        }
    }

    /// The number of classes.
    public let classes: Int
    /// Features per example.
    public let width: Int
    /// Weights, `[classes, width]` row-major. With two classes, row 0 is zero and row 1 is
    /// scikit-learn's single binary `coef_` row.
    public private(set) var weights: [Double]
    /// Intercepts, `[classes]` (summing to zero for three or more classes).
    public private(set) var intercepts: [Double]
    /// L-BFGS iterations used.
    public private(set) var iterations: Int
    /// Whether the solver stopped before its iteration cap.
    public private(set) var converged: Bool

    /// Fits a classifier to `data` with labels in `0..<classes`.
    public static func fit(
        _ data: LabeledFeatures, classes: Int, options: Options = Options()
    ) throws -> LogisticRegression {
        guard classes >= 2 else {
            throw EvaluationError.invalidArgument("logistic regression needs at least 2 classes")
        }
        guard data.count > 0 else { throw EvaluationError.empty }
        guard options.inverseRegularization > 0 else {
            throw EvaluationError.invalidArgument("C must be positive, got \(options.inverseRegularization)")
        }
        for label in data.labels where !(0..<classes).contains(label) {
            throw EvaluationError.labelOutOfRange(label, classes: classes)
        }
        let problem = LogisticProblem(
            data: data, classes: classes, inverseRegularization: options.inverseRegularization)
        let solver = LBFGS(
            options: .init(gradientTolerance: options.gradientTolerance, maxIterations: options.maxIterations))
        let result = solver.minimize(from: problem.zeroParameters, problem.valueAndGradient)
        let (weights, intercepts) = problem.unpack(result.point)
        return LogisticRegression(
            classes: classes, width: data.width, weights: weights, intercepts: intercepts,
            iterations: result.iterations, converged: result.converged)
    }

    /// Class scores, `[count, classes]` row-major.
    public func decisionFunction(_ values: [Float]) -> [Double] {
        let count = values.count / width
        var logits = [Double](repeating: 0, count: count * classes)
        for row in 0..<count {
            for k in 0..<classes {
                var sum = intercepts[k]
                for j in 0..<width { sum += weights[k * width + j] * Double(values[row * width + j]) }
                logits[row * classes + k] = sum
            }
        }
        return logits
    }

    /// Class probabilities (softmax of ``decisionFunction(_:)``), `[count, classes]`.
    public func probabilities(_ values: [Float]) -> [Double] {
        var logits = decisionFunction(values)
        for row in 0..<(logits.count / classes) {
            softmaxInPlace(&logits, offset: row * classes, count: classes)
        }
        return logits
    }

    /// The first highest-scoring class of each example.
    public func predict(_ values: [Float]) -> [Int] {
        let logits = decisionFunction(values)
        return (0..<(logits.count / classes)).map { row in
            var best = 0
            for k in 1..<classes where logits[row * classes + k] > logits[row * classes + best] { best = k }
            return best
        }
    }

    /// The fraction of `data` predicted correctly (0–1).
    public func accuracy(on data: LabeledFeatures) -> Double {
        let predictions = predict(data.values)
        let correct = zip(predictions, data.labels).filter { $0 == $1 }.count
        return Double(correct) / Double(max(1, data.count))
    }
}

/// Turns `logits[offset..<offset+count]` into probabilities (max subtracted so `exp` cannot
/// overflow).
func softmaxInPlace(_ logits: inout [Double], offset: Int, count: Int) {
    var maximum = -Double.infinity
    for k in 0..<count { maximum = max(maximum, logits[offset + k]) }
    var sum = 0.0
    for k in 0..<count {
        logits[offset + k] = exp(logits[offset + k] - maximum)
        sum += logits[offset + k]
    }
    for k in 0..<count { logits[offset + k] /= sum }
}
