// The internal gradient oracle: analytic pullbacks against central differences
// (PyTorch gradcheck per element for small inputs, JAX check_grads directions for large ones).

import Testing
import VLTensor

/// Central-difference gradient checking for functions of tensors.
public enum FiniteDifferences {
    /// Step for Float32 central differences: large enough that rounding (~1e-7·|f|/h) stays
    /// below truncation error on the smooth functions tested, as ggml checks in fp32.
    public static let defaultStep: Float = 1e-2
    /// Inputs up to this many elements are checked element by element; larger ones along
    /// ``directionCount`` random unit directions.
    public static let elementwiseLimit = 4096
    public static let directionCount = 6

    /// One disagreement between the analytic and numeric derivative.
    public struct Mismatch: Sendable, CustomStringConvertible {
        public var input: Int
        public var element: Int?  // nil for a random direction
        public var analytic: Double
        public var numeric: Double
        public var description: String {
            let at = element.map { "element \($0)" } ?? "a random direction"
            return "input \(input) at \(at): analytic \(analytic), numeric \(numeric)"
        }
    }

    /// Compares ∂f/∂inputs from the gradient graph with central differences and returns every
    /// disagreement. `f` must return a scalar (one-element) tensor.
    public static func mismatches(
        at inputs: [Tensor], step: Float = defaultStep, tolerance: Tolerance = .finiteDifference,
        seed: UInt64 = 7, _ f: ([Tensor]) -> Tensor
    ) -> [Mismatch] {
        let leaves = inputs.map { $0.requiringGradient() }
        let output = f(leaves)
        precondition(output.scalarCount == 1, "checkGradients needs a scalar function")
        let gradients = output.gradients()
        var random = SplitMix64(seed: seed)
        var found: [Mismatch] = []
        for (index, input) in inputs.enumerated() {
            let analytic = gradients.gradient(for: leaves[index]).array.map(Double.init)
            let directions = probeDirections(count: input.scalarCount, random: &random)
            for (element, direction) in directions {
                let numeric = centralDifference(f, inputs, index, direction, step)
                let projected = zip(analytic, direction).reduce(0) { $0 + $1.0 * Double($1.1) }
                if !tolerance.accepts(projected, numeric) {
                    found.append(Mismatch(input: index, element: element, analytic: projected, numeric: numeric))
                }
            }
        }
        return found
    }

    /// Basis vectors for small inputs, random unit vectors for large ones.
    static func probeDirections(
        count: Int, random: inout SplitMix64
    ) -> [(element: Int?, direction: [Float])] {
        if count <= elementwiseLimit {
            return (0..<count).map { element in
                var basis = [Float](repeating: 0, count: count)
                basis[element] = 1
                return (element, basis)
            }
        }
        return (0..<directionCount).map { _ in
            var v = (0..<count).map { _ in Float(random.nextUniform() * 2 - 1) }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in v.indices { v[i] /= norm }
            return (nil, v)
        }
    }

    /// `(f(x + h·v) − f(x − h·v)) / 2h` for input `index`, the others held fixed.
    static func centralDifference(
        _ f: ([Tensor]) -> Tensor, _ inputs: [Tensor], _ index: Int, _ direction: [Float],
        _ step: Float
    ) -> Double {
        func evaluate(_ sign: Float) -> Double {
            var moved = inputs
            let x = inputs[index].array
            let shifted = zip(x, direction).map { $0 + sign * step * $1 }
            moved[index] = Tensor(shifted, shape: inputs[index].shape)
            return Double(f(moved).item)
        }
        return (evaluate(1) - evaluate(-1)) / (2 * Double(step))
    }
}

/// Records a test issue for each gradient that disagrees with central differences.
public func checkGradients(
    at inputs: [Tensor], step: Float = FiniteDifferences.defaultStep,
    tolerance: Tolerance = .finiteDifference,
    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor
) {
    let found = FiniteDifferences.mismatches(at: inputs, step: step, tolerance: tolerance, f)
    if !found.isEmpty {
        let shown = found.prefix(5).map(\.description).joined(separator: "; ")
        Issue.record(
            "\(found.count) gradient mismatches (\(tolerance)): \(shown)",
            sourceLocation: sourceLocation)
    }
}

/// A small deterministic generator for test directions (no dependency on the tensor RNG).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
