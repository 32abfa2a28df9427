// Logistic regression and CoOp's C search against scikit-learn (tools/fixtures/linear_probe.py).

import Foundation
import Testing
import VLTestSupport
@testable import VLEvaluation

/// Two L-BFGS solutions of the same strictly convex problem, both stopped at gradient
/// components ≲ 1e-10 of a per-example objective whose curvature is at least 1/(C·n) ≳ 1e-3:
/// coefficients agree to ~1e-7, probabilities far better. Looser than `.reordered` because the
/// two solvers stop at different points near the optimum, not at the same arithmetic.
let linearProbeTolerance = Tolerance(absolute: 1e-6, relative: 1e-5)

/// `Fixtures/linear_probe/<name>.json`, decoded.
private struct Fixture: Decodable {
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

    static func load(_ name: String, file: String = #filePath) throws -> Fixture {
        var url = URL(fileURLWithPath: file)
        while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
        let data = try Data(contentsOf: url.appendingPathComponent("Fixtures/linear_probe/\(name).json"))
        return try JSONDecoder().decode(Fixture.self, from: data)
    }

    func features(_ split: Split) throws -> LabeledFeatures {
        try LabeledFeatures(rows: split.features, labels: split.labels)
    }
}

private func expectAllClose(_ actual: [Double], _ expected: [Double], _ label: String) {
    #expect(actual.count == expected.count, "\(label): count")
    let bad = zip(actual, expected).enumerated().filter { !linearProbeTolerance.accepts($0.element.0, $0.element.1) }
    #expect(bad.isEmpty, "\(label): \(bad.count) differ, first \(bad.first.map { "\($0.offset): \($0.element)" } ?? "")")
}

@Suite("logistic regression vs scikit-learn")
struct LogisticRegressionTests {
    @Test("coefficients, probabilities and predictions match sklearn", arguments: ["multinomial", "binary"])
    func matchesSklearn(name: String) throws {
        let fixture = try Fixture.load(name)
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
            expectAllClose(model.probabilities(test.values), fit.testProbabilities.flatMap { $0 }, "\(name) C=\(c) probabilities")
            #expect(model.predict(test.values) == fit.testPredictions, "C = \(c)")
            #expect(model.accuracy(on: test) == fit.testAccuracy)
        }
    }

    @Test("the C search follows CoOp's lpclip steps exactly", arguments: ["multinomial", "binary"])
    func searchMatchesLPCLIP(name: String) throws {
        let fixture = try Fixture.load(name)
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
        #expect(throws: EvaluationError.self) { try LogisticRegression.fit(data, classes: 2, options: .init(inverseRegularization: 0)) }
        let outOfRange = try LabeledFeatures(values: [0, 1], width: 2, labels: [2])
        #expect(throws: EvaluationError.self) { try LogisticRegression.fit(outOfRange, classes: 2) }
        #expect(throws: EvaluationError.self) { try LabeledFeatures(values: [0, 1, 2], width: 2, labels: [0]) }
    }
}
