// Tensor comparison for tests: shape first, then every element, with a report that names
// the worst elements the way llm.c's check_tensor prints them.

import Testing
import VLTensor

/// The outcome of comparing two tensors elementwise.
public struct ComparisonReport: Sendable, CustomStringConvertible {
    public var mismatches: [(index: Int, actual: Float, expected: Float)] = []
    public var maximumError: Double = 0
    public var count = 0
    public var shapeMismatch: String?

    public var passed: Bool { shapeMismatch == nil && mismatches.isEmpty }

    public var description: String {
        if let shapeMismatch { return shapeMismatch }
        let first = mismatches.prefix(5).map { "[\($0.index)] \($0.actual) vs \($0.expected)" }
        return "\(mismatches.count) of \(count) differ (max error \(maximumError)): "
            + first.joined(separator: ", ")
    }
}

/// Compares `actual` to `expected` under `tolerance`.
///
/// With `magnitude` (shaped like `expected`), the relative part of the bound scales with it
/// instead of with `|expected|`: a sum is only as accurate as its terms, so a sum whose terms
/// cancel is judged against `Σ |terms|`.
public func compare(
    _ actual: Tensor, _ expected: Tensor, _ tolerance: Tolerance, magnitude: Tensor? = nil
) -> ComparisonReport {
    var report = ComparisonReport()
    guard actual.shape == expected.shape, magnitude.map({ $0.shape == expected.shape }) ?? true else {
        report.shapeMismatch = "shape \(actual.shape) differs from expected \(expected.shape)"
        return report
    }
    report.count = actual.scalarCount
    for i in 0..<actual.scalarCount {
        let a = Double(actual.scalars[i]), e = Double(expected.scalars[i])
        let error = abs(a - e)
        report.maximumError = max(report.maximumError, error.isNaN ? .infinity : error)
        let scale = magnitude.map { Double($0.scalars[i]) } ?? e
        if !(error <= tolerance.absolute + tolerance.relative * abs(scale)) {
            report.mismatches.append((i, actual.scalars[i], expected.scalars[i]))
        }
    }
    return report
}

/// Records a test issue unless `actual` matches `expected` within `tolerance` (relative to
/// `magnitude` where given; see ``compare(_:_:_:magnitude:)``).
public func expectClose(
    _ actual: Tensor, _ expected: Tensor, _ tolerance: Tolerance, _ label: String = "",
    magnitude: Tensor? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    let report = compare(actual, expected, tolerance, magnitude: magnitude)
    if !report.passed {
        Issue.record(
            "\(label.isEmpty ? "" : label + ": ")\(report) (\(tolerance))",
            sourceLocation: sourceLocation)
    }
}

/// Records a test issue unless the scalars are close.
public func expectClose(
    _ actual: Float, _ expected: Float, _ tolerance: Tolerance, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if !tolerance.accepts(Double(actual), Double(expected)) {
        Issue.record(
            "\(label.isEmpty ? "" : label + ": ")\(actual) vs expected \(expected) (\(tolerance))",
            sourceLocation: sourceLocation)
    }
}

/// The relative error `‖actual − expected‖₂ / ‖expected‖₂` (accumulated in `Double`), or
/// `nil` when the shapes differ.
public func relativeError(_ actual: Tensor, _ expected: Tensor) -> Double? {
    guard actual.shape == expected.shape else { return nil }
    var difference = 0.0, reference = 0.0
    for i in 0..<actual.scalarCount {
        let a = Double(actual.scalars[i]), e = Double(expected.scalars[i])
        difference += (a - e) * (a - e)
        reference += e * e
    }
    return reference == 0 ? (difference == 0 ? 0 : .infinity) : (difference / reference).squareRoot()
}

/// Records a test issue unless `actual`'s relative error against `expected` is within `bound`.
public func expectClose(
    _ actual: Tensor, _ expected: Tensor, _ bound: RelativeErrorBound, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let prefix = label.isEmpty ? "" : label + ": "
    guard let error = relativeError(actual, expected) else {
        Issue.record(
            "\(prefix)shape \(actual.shape) differs from expected \(expected.shape)", sourceLocation: sourceLocation)
        return
    }
    if !(error <= bound.bound) {
        Issue.record("\(prefix)relative error \(error) exceeds \(bound.bound)", sourceLocation: sourceLocation)
    }
}

/// Records a test issue unless `|actual − expected| ≤ bound · |expected|`.
public func expectClose(
    _ actual: Float, _ expected: Float, _ bound: RelativeErrorBound, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = abs(Double(actual) - Double(expected))
    if !(error <= bound.bound * abs(Double(expected))) {
        Issue.record(
            "\(label.isEmpty ? "" : label + ": ")\(actual) vs expected \(expected) (\(bound))",
            sourceLocation: sourceLocation)
    }
}
