import Foundation
import Testing
import VLTestSupport
@testable import VLTensor

@Suite("dropout")
struct DropoutTests {
    @Test("the mask is the counter-based definition, element by element, on the parallel path")
    func maskDefinition() {
        let x = Tensor.ones([5, 20_011])
        let y = x.dropout(probability: 0.3, seed: 42).array
        for i in stride(from: 0, to: y.count, by: 7) {
            let dropped = RandomGenerator.uniform(seed: 42, counter: UInt64(i)) < 0.3
            #expect(y[i] == (dropped ? 0 : 1 / Float(0.7)), "element \(i)")
        }
        #expect(y == x.dropout(probability: 0.3, seed: 42).array)
        #expect(y != x.dropout(probability: 0.3, seed: 43).array)
    }

    @Test("about p of the values drop and the mean is kept")
    func statistics() {
        let y = Tensor.ones([100_000]).dropout(probability: 0.25, seed: 7).array
        let dropped = Float(y.filter { $0 == 0 }.count) / Float(y.count)
        #expect(Swift.abs(dropped - 0.25) < 0.01)
        #expect(Swift.abs(y.reduce(0, +) / Float(y.count) - 1) < 0.02)
    }

    @Test("probability 0 is the identity and 1 gives zeros")
    func extremes() {
        let x = Tensor.uniform([10], seed: 1)
        #expect(x.dropout(probability: 0, seed: 1).array == x.array)
        #expect(x.dropout(probability: 1, seed: 1).array == [Float](repeating: 0, count: 10))
    }

    @Test("the pullback is the same mask", arguments: [[7], [3, 5]])
    func gradient(shape: [Int]) {
        let x = Tensor.uniform(shape, in: -1...1, seed: 2)
        let w = BasicOpInputs.weights(shape)
        checkGradients(at: [x]) { ($0[0].dropout(probability: 0.4, seed: 9) * w).sum() }
    }
}

@Suite("Sinkhorn transport plans")
struct SinkhornTests {
    /// PLOT-like costs: 1 − cosine similarity, so values lie in [0, 2].
    static func costs(_ shape: [Int], seed: UInt64) -> Tensor {
        Tensor.uniform(shape, in: 0.2...1.2, seed: seed)
    }

    @Test("plans equal the official standard-domain iteration computed in Double")
    func matchesReferenceIteration() {
        for (shape, seed) in [([3, 49, 4], 1), ([2, 5, 3], 2), ([1, 1, 1], 3)] as [([Int], UInt64)] {
            let cost = Self.costs(shape, seed: seed)
            let plan = Tensor.sinkhorn(cost: cost)
            let expected = Self.referencePlan(cost, epsilon: 0.1, maximumIterations: 100, threshold: 0.01)
            expectClose(plan, expected, .forward, "\(shape)")
        }
    }

    @Test("column marginals are exact after the last update and rows are close")
    func marginals() {
        let cost = Self.costs([4, 7, 3], seed: 4)
        let plan = Tensor.sinkhorn(cost: cost, epsilon: 0.1, maximumIterations: 200, threshold: 1e-6)
        let columns = plan.sum(alongAxis: 1).array, rows = plan.sum(alongAxis: 2).array
        #expect(columns.allSatisfy { Swift.abs($0 - 1.0 / 3) < 1e-6 })
        #expect(rows.allSatisfy { Swift.abs($0 - 1.0 / 7) < 1e-4 })
        #expect(plan.sum(alongAxes: [1, 2]).array.allSatisfy { Swift.abs($0 - 1) < 1e-5 })
    }

    @Test("tiny epsilon stays finite thanks to the log domain")
    func tinyEpsilon() {
        let cost = Self.costs([2, 6, 4], seed: 5) * 10
        let plan = Tensor.sinkhorn(cost: cost, epsilon: 0.01)
        #expect(plan.array.allSatisfy { $0.isFinite })
    }

    @Test("gradients flow through the unrolled iterations when the cost requires them")
    func gradient() {
        let cost = Self.costs([2, 4, 3], seed: 6)
        let w = BasicOpInputs.weights([2, 4, 3])
        checkGradients(at: [cost]) {
            (Tensor.sinkhorn(cost: $0[0], epsilon: 0.5, maximumIterations: 15, threshold: 0) * w).sum()
        }
    }

    @Test("a detached cost records no graph, as PLOT computes T under no_grad")
    func detached() {
        let cost = Self.costs([2, 4, 3], seed: 7).requiringGradient()
        #expect(!Tensor.sinkhorn(cost: cost.detached()).requiresGradient)
        #expect(Tensor.sinkhorn(cost: cost).requiresGradient)
    }

    /// The official loop (`r ← u/(Kc)`, `c ← v/(Kᵀr)`, stop on mean |Δr| over the batch) in Double.
    static func referencePlan(
        _ cost: Tensor, epsilon: Double, maximumIterations: Int, threshold: Double
    ) -> Tensor {
        let (batch, rows, columns) = (cost.shape[0], cost.shape[1], cost.shape[2])
        let kernel = cost.array.map { Foundation.exp(-Double($0) / epsilon) }
        func k(_ b: Int, _ i: Int, _ j: Int) -> Double { kernel[(b * rows + i) * columns + j] }
        var r = [Double](repeating: 1, count: batch * rows)
        var c = [Double](repeating: 1, count: batch * columns)
        for _ in 0..<maximumIterations {
            let previous = r
            for b in 0..<batch {
                for i in 0..<rows {
                    let kc = (0..<columns).reduce(0.0) { $0 + k(b, i, $1) * c[b * columns + $1] }
                    r[b * rows + i] = 1 / Double(rows) / kc
                }
                for j in 0..<columns {
                    let kr = (0..<rows).reduce(0.0) { $0 + k(b, $1, j) * r[b * rows + $1] }
                    c[b * columns + j] = 1 / Double(columns) / kr
                }
            }
            let change = zip(r, previous).reduce(0.0) { $0 + Swift.abs($1.0 - $1.1) } / Double(r.count)
            if change < threshold { break }
        }
        let plan = (0..<(batch * rows * columns)).map { index in
            let b = index / (rows * columns), i = (index / columns) % rows, j = index % columns
            return Float(r[b * rows + i] * k(b, i, j) * c[b * columns + j])
        }
        return Tensor(plan, shape: cost.shape)
    }
}
