// The objective scikit-learn's lbfgs solver minimizes, divided by C·n so values stay O(1):
// f = (1/n)·Σᵢ lossᵢ + ‖W‖²/(2·C·n), where the loss is softmax cross-entropy (≥ 3 classes) or
// the binary logistic loss (2 classes). Parameters: W row-major, then the intercepts.

import Foundation
import VLKernels

/// One logistic-regression objective over fixed data.
///
/// Features stay `Float` in memory (half the bandwidth of the two passes over them per
/// evaluation); every product and sum is in `Double`, and Float → Double is exact, so this is the
/// same arithmetic as scikit-learn's float64 copy.
struct LogisticProblem {
    let features: [Float]
    let labels: [Int]
    let count: Int
    let width: Int
    let classes: Int
    /// 1 for the binary model (one weight row), else `classes`.
    let rows: Int
    let penalty: Double

    init(data: LabeledFeatures, classes: Int, inverseRegularization: Double) {
        features = data.values
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
                                z[i * rows + k] = w[rows * width + k]
                                    + dotProduct(x.baseAddress! + i * width, w.baseAddress! + k * width, count: width)
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

    /// `Rᵀ·X + penalty·W`, `[rows, width]`. Each chunk owns a block of weight rows and walks
    /// the examples once, so a feature row is read from cache for every class in the block.
    private func weightGradient(_ residuals: [Double], _ parameters: [Double]) -> [Double] {
        var gradient = [Double](repeating: 0, count: rows * width)
        let perRow = max(1, count * width)
        features.withUnsafeBufferPointer { x in
            residuals.withUnsafeBufferPointer { r in
                gradient.withUnsafeMutableBufferPointer { g in
                    nonisolated(unsafe) let g = g
                    Kernels.parallelChunks(rows, minimumPerChunk: max(1, 32_768 / perRow)) { start, end in
                        for i in 0..<count {
                            let row = x.baseAddress! + i * width
                            for k in start..<end {
                                let scale = r[i * rows + k]
                                if scale == 0 { continue }
                                let out = g.baseAddress! + k * width
                                for j in 0..<width { out[j] += scale * Double(row[j]) }
                            }
                        }
                        for k in start..<end {
                            for j in 0..<width { g[k * width + j] += penalty * parameters[k * width + j] }
                        }
                    }
                }
            }
        }
        return gradient
    }
}

/// Σ aⱼbⱼ in Double with four SIMD4 accumulators (a fixed order, so results never depend on
/// threads); `a` is widened from Float exactly.
@inline(__always)
func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Double>, count: Int) -> Double {
    var accumulators = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
    let a4 = UnsafeRawPointer(a), b4 = UnsafeRawPointer(b)
    @inline(__always) func product(_ j: Int) -> SIMD4<Double> {
        SIMD4<Double>(a4.loadUnaligned(fromByteOffset: j * 4, as: SIMD4<Float>.self))
            * b4.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
    }
    var j = 0
    while j + 16 <= count {
        accumulators.0 += product(j)
        accumulators.1 += product(j + 4)
        accumulators.2 += product(j + 8)
        accumulators.3 += product(j + 12)
        j += 16
    }
    var sum = ((accumulators.0 + accumulators.1) + (accumulators.2 + accumulators.3)).sum()
    while j < count {
        sum += Double(a[j]) * b[j]
        j += 1
    }
    return sum
}
