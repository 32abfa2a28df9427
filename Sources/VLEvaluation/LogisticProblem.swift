// The objective scikit-learn's lbfgs solver minimizes, divided by C·n so values stay O(1):
// f = (1/n)·Σᵢ lossᵢ + ‖W‖²/(2·C·n), where the loss is softmax cross-entropy (≥ 3 classes) or
// the binary logistic loss (2 classes). Parameters: W row-major, then the intercepts.

import Foundation
import VLKernels

/// One logistic-regression objective over fixed data.
struct LogisticProblem {
    let features: [Double]
    let labels: [Int]
    let count: Int
    let width: Int
    let classes: Int
    /// 1 for the binary model (one weight row), else `classes`.
    let rows: Int
    let penalty: Double

    init(data: LabeledFeatures, classes: Int, inverseRegularization: Double) {
        features = data.values.map(Double.init)
        labels = data.labels
        count = data.count
        width = data.width
        self.classes = classes
        rows = classes == 2 ? 1 : classes
        penalty = 1 / (inverseRegularization * Double(data.count))
    }

    var zeroParameters: [Double] { [Double](repeating: 0, count: rows * (width + 1)) }

    /// `(weights [classes, width], intercepts [classes])` from the solver's vector; the binary
    /// model becomes rows `[0, w]` so both cases predict with a softmax.
    func unpack(_ parameters: [Double]) -> ([Double], [Double]) {
        let weights = Array(parameters[..<(rows * width)])
        let intercepts = Array(parameters[(rows * width)...])
        guard rows == 1 else { return (weights, intercepts) }
        return ([Double](repeating: 0, count: width) + weights, [0] + intercepts)
    }

    /// The objective and its gradient at `parameters`.
    func valueAndGradient(_ parameters: [Double]) -> (value: Double, gradient: [Double]) {
        var residuals = logits(parameters)
        let losses = rows == 1 ? binaryResiduals(&residuals) : multinomialResiduals(&residuals)
        var gradient = weightGradient(residuals, parameters)
        var value = losses / Double(count)
        for i in 0..<(rows * width) {
            value += 0.5 * penalty * parameters[i] * parameters[i]
        }
        for k in 0..<rows {
            var sum = 0.0
            for i in 0..<count { sum += residuals[i * rows + k] }
            gradient.append(sum)
        }
        return (value, gradient)
    }

    /// `X·Wᵀ + b`, `[count, rows]`, rows computed in parallel (each by one chunk).
    private func logits(_ parameters: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: count * rows)
        let perRow = max(1, rows * width)
        features.withUnsafeBufferPointer { x in
            parameters.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { z in
                    nonisolated(unsafe) let z = z
                    Kernels.parallelChunks(count, minimumPerChunk: max(1, 32_768 / perRow)) { start, end in
                        for i in start..<end {
                            for k in 0..<rows {
                                var sum = w[rows * width + k]
                                for j in 0..<width { sum += x[i * width + j] * w[k * width + j] }
                                z[i * rows + k] = sum
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Replaces logits by (softmax − one-hot)/n and returns Σ cross-entropy.
    private func multinomialResiduals(_ z: inout [Double]) -> Double {
        var loss = 0.0
        for i in 0..<count {
            let offset = i * rows
            var maximum = -Double.infinity
            for k in 0..<rows { maximum = max(maximum, z[offset + k]) }
            var sum = 0.0
            for k in 0..<rows { sum += exp(z[offset + k] - maximum) }
            let logSum = maximum + log(sum)
            loss += logSum - z[offset + labels[i]]
            for k in 0..<rows { z[offset + k] = exp(z[offset + k] - logSum) / Double(count) }
            z[offset + labels[i]] -= 1 / Double(count)
        }
        return loss
    }

    /// Replaces the binary logit z by (σ(z) − y)/n and returns Σ log(1 + exp(−(2y−1)·z)).
    private func binaryResiduals(_ z: inout [Double]) -> Double {
        var loss = 0.0
        for i in 0..<count {
            let target = labels[i] == 1 ? 1.0 : 0.0
            let margin = (2 * target - 1) * z[i]
            // log(1 + e^−m) computed without overflow on either side.
            loss += margin > 0 ? log1p(exp(-margin)) : -margin + log1p(exp(margin))
            let probability = z[i] >= 0 ? 1 / (1 + exp(-z[i])) : exp(z[i]) / (1 + exp(z[i]))
            z[i] = (probability - target) / Double(count)
        }
        return loss
    }

    /// `Rᵀ·X + penalty·W`, `[rows, width]`, each weight row computed by one chunk.
    private func weightGradient(_ residuals: [Double], _ parameters: [Double]) -> [Double] {
        var gradient = [Double](repeating: 0, count: rows * width)
        let perRow = max(1, count * width)
        features.withUnsafeBufferPointer { x in
            residuals.withUnsafeBufferPointer { r in
                gradient.withUnsafeMutableBufferPointer { g in
                    nonisolated(unsafe) let g = g
                    Kernels.parallelChunks(rows, minimumPerChunk: max(1, 32_768 / perRow)) { start, end in
                        for k in start..<end {
                            for i in 0..<count {
                                let scale = r[i * rows + k]
                                if scale == 0 { continue }
                                for j in 0..<width { g[k * width + j] += scale * x[i * width + j] }
                            }
                            for j in 0..<width { g[k * width + j] += penalty * parameters[k * width + j] }
                        }
                    }
                }
            }
        }
        return gradient
    }
}
