// The base-to-novel summary of CoCoOp: harmonic mean HM = 2·B·N/(B+N); for "average over
// datasets" rows the HM is taken of the averaged base and novel accuracies (methods-text §3.3).

import Foundation

/// Base and novel accuracy with their harmonic mean.
public struct BaseNovelScore: Sendable, Equatable, Codable {
    /// Accuracy on base classes (percent).
    public var base: Double
    /// Accuracy on novel classes (percent).
    public var novel: Double

    /// Creates a score.
    public init(base: Double, novel: Double) {
        self.base = base
        self.novel = novel
    }

    /// 2·B·N/(B+N); 0 when both are 0.
    public var harmonicMean: Double { harmonicMeanOf(base, novel) }

    /// The "average over datasets" row: mean base, mean novel, and HM of those means (not the
    /// mean of per-dataset HMs, as CoCoOp, KgCoOp and TCP report it).
    public static func average(_ scores: [BaseNovelScore]) -> BaseNovelScore? {
        guard !scores.isEmpty else { return nil }
        let count = Double(scores.count)
        return BaseNovelScore(
            base: scores.map(\.base).reduce(0, +) / count,
            novel: scores.map(\.novel).reduce(0, +) / count)
    }
}

/// The harmonic mean of two non-negative values; 0 when both are 0.
public func harmonicMeanOf(_ a: Double, _ b: Double) -> Double {
    a + b == 0 ? 0 : 2 * a * b / (a + b)
}
