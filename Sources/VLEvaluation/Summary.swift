// Mean and standard deviation over seeds, as CoOp's `parse_test_res.py` reports them
// (`np.mean`, `np.std`: the population standard deviation, ddof = 0).

import Foundation

/// A mean with its spread over seeds (or, for average rows, over datasets without a spread).
public struct Summary: Sendable, Equatable, Codable {
    /// The mean.
    public var mean: Double
    /// The population standard deviation over seeds; `nil` for a single value and for averages
    /// of means.
    public var standardDeviation: Double?
    /// How many values the mean is over.
    public var count: Int

    /// Creates a summary.
    public init(mean: Double, standardDeviation: Double?, count: Int) {
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.count = count
    }

    /// Mean and population standard deviation of `values` (which must not be empty); no
    /// deviation for a single value, so one seed never shows a misleading `± 0.00`.
    public init(values: [Double]) {
        precondition(!values.isEmpty, "a summary needs at least one value")
        let count = Double(values.count)
        let mean = values.reduce(0, +) / count
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
        self.init(
            mean: mean, standardDeviation: values.count > 1 ? variance.squareRoot() : nil,
            count: values.count)
    }

    /// The plain mean of summaries' means (an "average over datasets" cell).
    public static func average(_ summaries: [Summary]) -> Summary? {
        guard !summaries.isEmpty else { return nil }
        let mean = summaries.map(\.mean).reduce(0, +) / Double(summaries.count)
        return Summary(mean: mean, standardDeviation: nil, count: summaries.count)
    }

    /// `71.23 ± 0.45`, or `71.23` without a spread.
    public var formatted: String {
        let mean = String(format: "%.2f", self.mean)
        guard let standardDeviation else { return mean }
        return mean + " ± " + String(format: "%.2f", standardDeviation)
    }
}
