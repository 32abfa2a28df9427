import Foundation
import Testing
import VLTestSupport
@testable import VLTensor

@Suite("losses, normalization and cosine similarity")
struct LossesSimilarityTests {
    static let labels = [2, 0, 4, 4]

    @Test("crossEntropy equals the Double definition", arguments: [0, 0.1, 0.5] as [Float])
    func crossEntropyForward(smoothing: Float) {
        let logits = Tensor.uniform([4, 5], in: -4...4, seed: 1)
        let loss = Tensor.crossEntropy(logits: logits, labels: Self.labels, labelSmoothing: smoothing)
        #expect(loss.shape == [])
        expectClose(loss.item, Self.naiveCrossEntropy(logits, Self.labels, Double(smoothing)), .forward)
    }

    @Test("crossEntropy pullback agrees with central differences", arguments: [0, 0.2] as [Float])
    func crossEntropyGradient(smoothing: Float) {
        let logits = Tensor.uniform([4, 5], in: -3...3, seed: 2)
        checkGradients(at: [logits]) {
            Tensor.crossEntropy(logits: $0[0], labels: Self.labels, labelSmoothing: smoothing)
        }
        let odd = Tensor.uniform([1, 7], in: -3...3, seed: 3)
        checkGradients(at: [odd]) { Tensor.crossEntropy(logits: $0[0], labels: [6], labelSmoothing: smoothing) }
    }

    @Test("klDivergence matches Σ p (log p − log q) for every target form and reduction")
    func klForward() {
        let logits = Tensor.uniform([3, 4], in: -2...2, seed: 4)
        let targetLogits = Tensor.uniform([3, 4], in: -2...2, seed: 5)
        let logQ = Self.logSoftmax(logits), logP = Self.logSoftmax(targetLogits)
        let total = zip(logP, logQ).reduce(0.0) { $0 + Foundation.exp($1.0) * ($1.0 - $1.1) }
        let q = Tensor(logQ.map(Float.init), shape: [3, 4])
        let pLog = Tensor(logP.map(Float.init), shape: [3, 4])
        let p = pLog.exp()
        let expected: [(LossReduction, Double)] = [(.sum, total), (.mean, total / 12), (.batchMean, total / 3)]
        for (reduction, value) in expected {
            expectClose(q.klDivergence(target: p, reduction: reduction).item, Float(value), .forward, "\(reduction)")
            expectClose(
                q.klDivergence(target: pLog, logTarget: true, reduction: reduction).item, Float(value),
                .forward, "\(reduction), log target")
            expectClose(
                Tensor.klDivergence(logits: logits, targetLogits: targetLogits, reduction: reduction).item,
                Float(value), .forward, "\(reduction), logits")
        }
        #expect(Tensor.klDivergence(logits: logits, targetLogits: logits).item.magnitude < 1e-6)
    }

    @Test("klDivergence treats zero target probabilities as contributing nothing")
    func klZeroTarget() {
        let logQ = Tensor([-1, -0.5], shape: [1, 2]).requiringGradient()
        let p = Tensor([0, 1], shape: [1, 2]).requiringGradient()
        let kl = logQ.klDivergence(target: p)
        #expect(kl.item == 0.5)
        let g = kl.gradients()
        #expect(g[logQ]?.array == [0, -1])
        #expect(g[p]?.array.allSatisfy { $0.isFinite } == true)
    }

    @Test("klDivergence pullbacks agree with central differences")
    func klGradient() {
        let logits = Tensor.uniform([3, 5], in: -2...2, seed: 6)
        let targetLogits = Tensor.uniform([3, 5], in: -2...2, seed: 7)
        checkGradients(at: [logits, targetLogits]) {
            Tensor.klDivergence(logits: $0[0], targetLogits: $0[1], temperature: 2)
        }
        checkGradients(at: [logits, targetLogits]) {
            Tensor.klDivergence(logits: $0[0], targetLogits: $0[1], reduction: .mean)
        }
        let p = Tensor.uniform([3, 5], in: 0.1...1, seed: 8)
        checkGradients(at: [logits, p]) { $0[0].klDivergence(target: $0[1], reduction: .sum) }
    }

    @Test("l1Loss and mseLoss are means and differentiate both sides")
    func regressionLosses() {
        let a = Tensor([1, -2, 3, 0.5], shape: [2, 2]), b = Tensor([0, 1, 1, 2], shape: [2, 2])
        let meanAbsolute: Float = 7.5 / 4, meanSquare: Float = 16.25 / 4
        #expect(a.l1Loss(b).item == meanAbsolute)
        #expect(a.mseLoss(b).item == meanSquare)
        checkGradients(at: [a, b]) { $0[0].l1Loss($0[1]) }
        let x = Tensor.uniform([3, 5], seed: 9), y = Tensor.uniform([3, 5], seed: 10)
        checkGradients(at: [x, y]) { $0[0].mseLoss($0[1]) }
    }

    @Test("normalized gives unit rows and its pullback agrees", arguments: [0, 1, -1])
    func normalized(axis: Int) {
        let x = Tensor.uniform([3, 4], in: -2...2, seed: 11)
        let norms = x.normalized(alongAxis: axis).squared().sum(alongAxis: axis).array
        #expect(norms.allSatisfy { Swift.abs($0 - 1) < 1e-6 })
        let w = BasicOpInputs.weights([3, 4])
        checkGradients(at: [x]) { ($0[0].normalized(alongAxis: axis) * w).sum() }
    }

    @Test("normalized leaves a zero row at zero with a zero gradient")
    func normalizedZero() {
        let x = Tensor([0, 0, 3, 4], shape: [2, 2]).requiringGradient()
        let y = x.normalized()
        #expect(y.array == [0, 0, 0.6, 0.8])
        let g = (y * Tensor([1, 2, 3, 4], shape: [2, 2])).sum().gradients()[x]!.array
        #expect(g.allSatisfy { $0.isFinite })
    }

    @Test("cosineSimilarity equals the definition and broadcasts")
    func cosineSimilarity() {
        let a = Tensor.uniform([3, 1, 4], in: -1...1, seed: 12)
        let b = Tensor.uniform([5, 4], in: -1...1, seed: 13)
        let s = a.cosineSimilarity(b)
        #expect(s.shape == [3, 5])
        let av = a.array, bv = b.array
        for i in 0..<3 {
            for j in 0..<5 {
                let x = av[(i * 4)..<(i * 4 + 4)].map(Double.init), y = bv[(j * 4)..<(j * 4 + 4)].map(Double.init)
                let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
                let norms = x.reduce(0) { $0 + $1 * $1 }.squareRoot() * y.reduce(0) { $0 + $1 * $1 }.squareRoot()
                expectClose(s.array[i * 5 + j], Float(dot / norms), .forward)
            }
        }
        let w = BasicOpInputs.weights([3, 5])
        checkGradients(at: [a, b]) { ($0[0].cosineSimilarity($0[1]) * w).sum() }
    }

    // MARK: - Naive definitions

    static func logSoftmax(_ x: Tensor) -> [Double] {
        let width = x.shape[1]
        return (0..<x.shape[0]).flatMap { row in
            let values = x.array[(row * width)..<((row + 1) * width)].map(Double.init)
            let lse = Foundation.log(values.reduce(0) { $0 + Foundation.exp($1) })
            return values.map { $0 - lse }
        }
    }

    static func naiveCrossEntropy(_ logits: Tensor, _ labels: [Int], _ smoothing: Double) -> Float {
        let classes = logits.shape[1]
        let logP = logSoftmax(logits)
        let perExample = labels.enumerated().map { row, label in
            let rowLogP = logP[(row * classes)..<((row + 1) * classes)]
            let nll = -rowLogP[row * classes + label]
            let uniform = -rowLogP.reduce(0, +) / Double(classes)
            return (1 - smoothing) * nll + smoothing * uniform
        }
        return Float(perExample.reduce(0, +) / Double(labels.count))
    }
}
