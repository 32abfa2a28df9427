// Logistic regression and CoOp's C search against scikit-learn (tools/fixtures/linear_probe.py).

import Foundation
import Testing
import VLTestSupport
@testable import VLEvaluation

/// `Fixtures/linear_probe/<name>.json`, decoded.
private struct LinearProbeFixture: Decodable {
    struct Split: Decodable {
        var features: [[Float]]
        var labels: [Int]
    }

    struct Fit: Decodable {
        var C: Double
        var coefficients: [[Double]]
        var intercepts: [Double]
        var testPredictions: [Int]
        var testProbabilities: [[Double]]
        var testAccuracy: Double
    }

    struct Search: Decodable {
        var coarse: [Double]
        var steps: [LinearProbeSearch.Step]
    }

    var classes: Int
    var train: Split, validation: Split, test: Split
    var fits: [Fit]
    var search: Search

    static func load(_ name: String) throws -> LinearProbeFixture {
        let data = try Data(contentsOf: VLTestSupport.Fixture.url("linear_probe/\(name).json"))
        return try JSONDecoder().decode(LinearProbeFixture.self, from: data)
    }

    func features(_ split: Split) throws -> LabeledFeatures {
        try LabeledFeatures(rows: split.features, labels: split.labels)
    }
}

private func expectAllClose(_ actual: [Double], _ expected: [Double], _ label: String) {
    #expect(actual.count == expected.count, "\(label): count")
    let bad = zip(actual, expected).enumerated().filter { !Tolerance.linearProbe.accepts($0.element.0, $0.element.1) }
    let first = bad.first.map { "\($0.offset): \($0.element)" } ?? ""
    #expect(bad.isEmpty, "\(label): \(bad.count) differ, first \(first)")
}

@Suite("logistic regression vs scikit-learn")
struct LogisticRegressionTests {
    @Test("coefficients, probabilities and predictions match sklearn", arguments: ["multinomial", "binary", "wide"])
    func matchesSklearn(name: String) throws {
        let fixture = try LinearProbeFixture.load(name)
        let (train, test) = (try fixture.features(fixture.train), try fixture.features(fixture.test))
        for fit in fixture.fits {
            let c = fit.C
            let model = try LogisticRegression.fit(
                train, classes: fixture.classes, options: .init(inverseRegularization: c))
            #expect(model.converged, "C = \(c)")
            var weights = model.weights, intercepts = model.intercepts
            if fixture.classes == 2 {  // sklearn stores only the positive class's row
                weights = Array(weights[train.width...])
                intercepts = [intercepts[1]]
            }
            expectAllClose(weights, fit.coefficients.flatMap { $0 }, "\(name) C=\(c) weights")
            expectAllClose(intercepts, fit.intercepts, "\(name) C=\(c) intercepts")
            expectAllClose(
                model.probabilities(test.values), fit.testProbabilities.flatMap { $0 }, "\(name) C=\(c) probabilities")
            #expect(model.predict(test.values) == fit.testPredictions, "C = \(c)")
            #expect(model.accuracy(on: test) == fit.testAccuracy)
        }
    }

    @Test("the C search follows CoOp's lpclip steps exactly", arguments: ["multinomial", "binary", "wide"])
    func searchMatchesLPCLIP(name: String) throws {
        let fixture = try LinearProbeFixture.load(name)
        let result = try LinearProbeSearch.run(
            train: fixture.features(fixture.train), validation: fixture.features(fixture.validation),
            test: fixture.features(fixture.test), classes: fixture.classes)
        #expect(result.coarse.map(\.accuracy) == fixture.search.coarse)
        #expect(result.steps.count == fixture.search.steps.count)
        for (step, expected) in zip(result.steps, fixture.search.steps) {
            #expect(abs(step.left - expected.left) <= 1e-12 * expected.left)
            #expect(abs(step.right - expected.right) <= 1e-12 * expected.right)
            #expect(step.leftAccuracy == expected.leftAccuracy && step.rightAccuracy == expected.rightAccuracy)
            #expect(abs(step.chosen - expected.chosen) <= 1e-12 * expected.chosen)
            #expect(step.testAccuracy == expected.testAccuracy)
        }
        #expect(result.inverseRegularization == result.steps.last!.chosen)
    }

    @Test("bad arguments throw")
    func badArguments() throws {
        let data = try LabeledFeatures(values: [0, 1, 1, 0], width: 2, labels: [0, 1])
        #expect(throws: EvaluationError.self) { try LogisticRegression.fit(data, classes: 1) }
        #expect(throws: EvaluationError.self) {
            try LogisticRegression.fit(data, classes: 2, options: .init(inverseRegularization: 0))
        }
        let outOfRange = try LabeledFeatures(values: [0, 1], width: 2, labels: [2])
        #expect(throws: EvaluationError.self) { try LogisticRegression.fit(outOfRange, classes: 2) }
        #expect(throws: EvaluationError.self) { try LabeledFeatures(values: [0, 1, 2], width: 2, labels: [0]) }
    }
}

@Suite("logistic regression internals")
struct LogisticProblemTests {
    /// Deterministic pseudo-random features in [-1, 1).
    private func data(count: Int, width: Int, classes: Int) throws -> LabeledFeatures {
        let values = (0..<(count * width)).map { Float(sin(Double($0) * 12.9898) * 0.999) }
        return try LabeledFeatures(values: values, width: width, labels: (0..<count).map { ($0 * 7) % classes })
    }

    @Test("the SIMD dot product equals the plain sum up to reordering", arguments: [0, 1, 15, 16, 17, 40])
    func dot(count: Int) {
        let a = (0..<count).map { Float(sin(Double($0))) }, b = (0..<count).map { cos(Double($0) * 0.7) }
        let plain = zip(a, b).reduce(0) { $0 + Double($1.0) * $1.1 }
        let fast = dotProduct(a, b, count: count)
        #expect(Tolerance.reordered.accepts(fast, plain))
    }

    @Test("the analytic gradient matches central differences", arguments: [2, 3])
    func gradient(classes: Int) throws {
        let problem = LogisticProblem(
            data: try data(count: 30, width: 18, classes: classes), classes: classes, inverseRegularization: 0.7)
        let point = problem.zeroParameters.indices.map { 0.3 * sin(Double($0)) }
        let analytic = problem.valueAndGradient(point).gradient
        let step = 1e-6
        for index in point.indices {
            var plus = point, minus = point
            plus[index] += step
            minus[index] -= step
            let numeric = (problem.valueAndGradient(plus).value - problem.valueAndGradient(minus).value) / (2 * step)
            // Double central differences: truncation O(h²) ≈ 1e-12, rounding ≈ 1e-16/h ≈ 1e-10.
            #expect(abs(analytic[index] - numeric) <= 1e-8, "parameter \(index)")
        }
    }

    @Test("a fit stops at a point where the gradient vanishes")
    func optimality() throws {
        let features = try data(count: 60, width: 20, classes: 3)
        let model = try LogisticRegression.fit(features, classes: 3, options: .init(inverseRegularization: 2))
        let problem = LogisticProblem(data: features, classes: 3, inverseRegularization: 2)
        let gradient = problem.valueAndGradient(model.weights + model.intercepts).gradient
        #expect(gradient.allSatisfy { abs($0) < 1e-9 } && model.converged)
        #expect(abs(model.intercepts.reduce(0, +)) < 1e-9)
    }
}
