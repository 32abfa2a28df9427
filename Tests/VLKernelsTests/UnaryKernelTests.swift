import Foundation
import Testing
@testable import VLKernels

/// A unary kernel with its Double definition and derivative.
struct UnaryKernelCase: Sendable, CustomStringConvertible {
    var operation: UnaryOperation
    var value: @Sendable (Double) -> Double
    var derivative: @Sendable (Double) -> Double
    var positiveOnly = false
    var description: String { "\(operation)" }

    static func normalCDF(_ x: Double) -> Double { 0.5 * (1 + Foundation.erf(x / 2.0.squareRoot())) }
    static func logistic(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    static let all: [UnaryKernelCase] = [
        .init(operation: .exp, value: { Foundation.exp($0) }, derivative: { Foundation.exp($0) }),
        .init(operation: .log, value: { Foundation.log($0) }, derivative: { 1 / $0 }, positiveOnly: true),
        .init(
            operation: .squareRoot, value: { $0.squareRoot() }, derivative: { 0.5 / $0.squareRoot() },
            positiveOnly: true),
        .init(
            operation: .tanh, value: { Foundation.tanh($0) },
            derivative: { 1 - Foundation.tanh($0) * Foundation.tanh($0) }),
        .init(operation: .sigmoid, value: logistic, derivative: { logistic($0) * (1 - logistic($0)) }),
        .init(operation: .relu, value: { Swift.max($0, 0) }, derivative: { $0 > 0 ? 1 : 0 }),
        .init(
            operation: .gelu, value: { $0 * normalCDF($0) },
            derivative: { normalCDF($0) + $0 * Foundation.exp(-$0 * $0 / 2) / (2 * Double.pi).squareRoot() }),
        .init(
            operation: .quickGELU, value: { $0 * logistic(1.702 * $0) },
            derivative: { logistic(1.702 * $0) + 1.702 * $0 * logistic(1.702 * $0) * (1 - logistic(1.702 * $0)) }),
        .init(operation: .squared, value: { $0 * $0 }, derivative: { 2 * $0 }),
        .init(operation: .abs, value: { Swift.abs($0) }, derivative: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }),
        .init(
            operation: .power(1.7), value: { Foundation.pow($0, 1.7) },
            derivative: { 1.7 * Foundation.pow($0, 0.7) }, positiveOnly: true),
        .init(
            operation: .clamp(lower: -0.25, upper: 0.5), value: { Swift.min(Swift.max($0, -0.25), 0.5) },
            derivative: { $0 >= -0.25 && $0 <= 0.5 ? 1 : 0 }),
    ]
}

@Suite("unary kernels")
struct UnaryKernelTests {
    @Test(
        "forward and backward agree with the Double definitions, serial and parallel",
        arguments: UnaryKernelCase.all, [1, 13, 2_100_003])
    func agreesWithDefinition(op: UnaryKernelCase, count: Int) {
        let raw = kernelTestValues(count, seed: 7, scale: 3)
        let x = op.positiveOnly ? raw.map { Swift.abs($0) + 0.1 } : raw
        let dy = kernelTestValues(count, seed: 8)
        var y = [Float](repeating: .nan, count: count), dx = y
        Kernels.unary(op.operation, x, into: &y, count: count)
        Kernels.unaryBackward(op.operation, x: x, y: y, dy: dy, into: &dx, count: count)
        var failures = 0
        for i in 0..<count {
            let value = op.value(Double(x[i])), slope = Double(dy[i]) * op.derivative(Double(x[i]))
            if !withinKernelTolerance(Double(y[i]), value) { failures += 1 }
            if !withinKernelTolerance(Double(dx[i]), slope) { failures += 1 }
        }
        #expect(failures == 0)
    }
}
