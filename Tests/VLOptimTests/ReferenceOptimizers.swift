// Double-precision oracles for the optimizers: the textbook update rules written plainly, in a
// different operation order from the Float kernels, for one flat parameter at a time.

import Foundation
import VLTensor

/// SGD as in the torch.optim.SGD documentation, in `Double`.
struct ReferenceSGD {
    var momentum = 0.0, dampening = 0.0, weightDecay = 0.0, nesterov = false
    var buffer: [Double]? = nil

    mutating func step(_ p: [Double], _ g: [Double], learningRate: Double) -> [Double] {
        var d = zip(g, p).map { $0 + weightDecay * $1 }
        if momentum != 0 {
            let b = buffer.map { zip($0, d).map { momentum * $0 + (1 - dampening) * $1 } } ?? d
            buffer = b
            d = nesterov ? zip(d, b).map { $0 + momentum * $1 } : b
        }
        return zip(p, d).map { $0 - learningRate * $1 }
    }
}

/// Adam / AdamW as in the torch.optim.Adam(W) documentation, in `Double`.
struct ReferenceAdam {
    var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0.0, decoupled = false
    var m: [Double] = [], v: [Double] = [], t = 0

    mutating func step(_ p: [Double], _ g: [Double], learningRate: Double) -> [Double] {
        if t == 0 { m = Array(repeating: 0, count: p.count); v = m }
        t += 1
        var p = p, g = g
        if decoupled {
            p = p.map { $0 - learningRate * weightDecay * $0 }
        } else {
            g = zip(g, p).map { $0 + weightDecay * $1 }
        }
        m = zip(m, g).map { beta1 * $0 + (1 - beta1) * $1 }
        v = zip(v, g).map { beta2 * $0 + (1 - beta2) * $1 * $1 }
        let firstCorrection = 1 - pow(beta1, Double(t)), secondCorrection = 1 - pow(beta2, Double(t))
        return p.indices.map { i in
            let mHat = m[i] / firstCorrection, vHat = v[i] / secondCorrection
            return p[i] - learningRate * mHat / (vHat.squareRoot() + epsilon)
        }
    }
}

/// `x` as `Double`s.
func doubles(_ x: Tensor) -> [Double] { x.array.map(Double.init) }

/// `x` rounded back into a tensor of `shape`.
func tensor(_ x: [Double], shape: [Int]) -> Tensor { Tensor(x.map(Float.init), shape: shape) }

/// The two odd-shaped parameters most tests use, and a reproducible gradient for each at `step`.
enum Problem {
    static let shapes = ["bias": [7], "weight": [3, 5]]

    static var parameters: [String: Tensor] {
        ["bias": Tensor.uniform([7], in: -1...1, seed: 1),
         "weight": Tensor.uniform([3, 5], in: -1...1, seed: 2)]
    }

    static func gradients(step: Int) -> [String: Tensor] {
        ["bias": Tensor.uniform([7], in: -1...1, seed: 100 + UInt64(step)),
         "weight": Tensor.uniform([3, 5], in: -1...1, seed: 200 + UInt64(step))]
    }
}
