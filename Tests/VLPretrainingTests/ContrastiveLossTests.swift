// The symmetric contrastive loss against a hand computation in Double and finite differences.

import Foundation
import Testing
import VLTensor
import VLTestSupport
@testable import VLPretraining

@Suite("Contrastive loss")
struct ContrastiveLossTests {
    static let image: [Double] = [3, 4, 1, -2, 0.5, 2, -1, 1, 2, 0, 1, -1]
    static let text: [Double] = [1, 2, 0, 1, -1, 1, 3, -2, 0.5, 1, 1, 1]

    /// The loss written out: normalize rows, scaled cosine logits, both cross-entropies.
    static func reference(image: [Double], text: [Double], batch: Int, scale: Double) -> Double {
        let width = image.count / batch
        func rows(_ x: [Double]) -> [[Double]] {
            (0..<batch).map { row in
                let values = Array(x[row * width..<(row + 1) * width])
                let norm = values.map { $0 * $0 }.reduce(0, +).squareRoot()
                return values.map { $0 / norm }
            }
        }
        let (a, b) = (rows(image), rows(text))
        let logits = a.map { u in b.map { v in exp(scale) * zip(u, v).map(*).reduce(0, +) } }
        func crossEntropy(_ l: [[Double]]) -> Double {
            l.indices.map { i in log(l[i].map(exp).reduce(0, +)) - l[i][i] }.reduce(0, +) / Double(batch)
        }
        let transposed = (0..<batch).map { j in (0..<batch).map { i in logits[i][j] } }
        return (crossEntropy(logits) + crossEntropy(transposed)) / 2
    }

    @Test("equals the hand computation for batch 3, width 4")
    func handComputation() {
        let scale = 1.3
        let loss = contrastiveLoss(
            imageFeatures: Tensor(Self.image.map(Float.init), shape: [3, 4]),
            textFeatures: Tensor(Self.text.map(Float.init), shape: [3, 4]),
            logitScale: Tensor(scalar: Float(scale)))
        let expected = Self.reference(image: Self.image, text: Self.text, batch: 3, scale: scale)
        #expect(loss.shape == [])
        #expect(abs(Double(loss.item) - expected) <= 1e-5 * max(1, abs(expected)))
    }

    @Test("is ln(batch) when all features are equal, whatever the scale")
    func uniform() {
        let features = Tensor.ones([5, 3])
        let loss = contrastiveLoss(imageFeatures: features, textFeatures: features, logitScale: Tensor(scalar: 2))
        #expect(abs(loss.item - Float(log(5.0))) < 1e-5)
    }

    @Test("gradients of features and logit scale match finite differences")
    func gradients() {
        let inputs = [
            Tensor(Self.image.map(Float.init), shape: [3, 4]), Tensor(Self.text.map(Float.init), shape: [3, 4]),
            Tensor(scalar: 0.7),
        ]
        checkGradients(at: inputs) { x in
            contrastiveLoss(imageFeatures: x[0], textFeatures: x[1], logitScale: x[2])
        }
    }
}
