// Named comparison tolerances: |actual − expected| ≤ absolute + relative · |expected|
// (the allclose rule numpy, MLX and tinygrad share). Each constant says why it is that wide.

/// An absolute and relative error bound.
public struct Tolerance: Sendable, CustomStringConvertible {
    public var absolute: Double
    public var relative: Double

    public init(absolute: Double, relative: Double) {
        self.absolute = absolute
        self.relative = relative
    }

    /// Whether `actual` is within bounds of `expected`. NaN never is.
    public func accepts(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= absolute + relative * abs(expected)
    }

    public var description: String { "atol \(absolute), rtol \(relative)" }

    /// A kernel against its naive loop in the same precision: only summation order differs.
    public static let kernel = Tolerance(absolute: 1e-6, relative: 1e-5)
    /// An op's forward against PyTorch in fp32 on small shapes.
    public static let forward = Tolerance(absolute: 1e-6, relative: 1e-5)
    /// An op's gradients against PyTorch: one more reduction than the forward.
    public static let gradient = Tolerance(absolute: 1e-5, relative: 1e-4)
    /// Analytic gradients against Float32 central differences with step
    /// ``FiniteDifferences/defaultStep``: truncation error O(h²) plus rounding ~1e-7·|f|/h.
    public static let finiteDifference = Tolerance(absolute: 1e-3, relative: 1e-2)
    /// A whole tower (patchify, blocks, pooling, projection) against PyTorch in fp32: rounding
    /// accumulates over a few hundred dependent sums; observed ≤ 1.5e-6 on the tiny CLIP.
    public static let model = Tolerance(absolute: 4e-6, relative: 1e-5)
    /// Two computations of the same math in a different order (a fused kernel against its
    /// composed oracle, an optimized path against the plain one).
    public static let reordered = Tolerance(absolute: 1e-6, relative: 1e-5)
    /// Gradients of a fused op against its composed oracle: like ``reordered``, but through
    /// one more reduction (row sums over up to ~1000 terms, parameter sums over rows).
    public static let reorderedGradient = Tolerance(absolute: 1e-5, relative: 1e-4)
    /// Parameters after a few optimizer steps against PyTorch or a `Double` reference: each
    /// step rounds a handful of Float32 operations per element (PyTorch fuses some into FMAs),
    /// each within half an ulp (6e-8 relative) of the O(1) values; the absolute part covers
    /// elements that pass near 0, where that rounding of their O(1) neighbours dominates.
    public static let optimizerStep = Tolerance(absolute: 1e-7, relative: 1e-6)
    /// The losses of a short training run against PyTorch (10 SGD steps on the tiny CLIP):
    /// forward rounding (``model``) plus the small parameter differences earlier steps leave.
    public static let trajectoryLoss = Tolerance(absolute: 1e-5, relative: 1e-5)
    /// A `Double` result against an oracle stored as Float32 (a learning rate from PyTorch):
    /// rounding the oracle to Float32 moves it by at most half an ulp, 2⁻²⁴ ≈ 6e-8 relative.
    public static let storedFloat32 = Tolerance(absolute: 1e-12, relative: 6e-8)
    /// The same `Double` formula evaluated in another order: a few ulps (2.2e-16 relative).
    public static let doublePrecision = Tolerance(absolute: 1e-18, relative: 1e-14)
    /// A logistic-regression fit against scikit-learn's Newton-solved optimum: our L-BFGS stops
    /// at gradient components ≤ 1e-10 of the per-example objective, whose curvature is at least
    /// 1/(C·n), so coefficients may sit 1e-10·C·n away (≈ 2e-7 for C = 10, n = 180).
    public static let linearProbe = Tolerance(absolute: 2e-7, relative: 1e-6)
}

/// A bound on the relative error of a whole tensor: `‖actual − expected‖₂ ≤ bound · ‖expected‖₂`.
///
/// Elementwise bounds suit comparisons against an oracle computed the same way; a computation
/// reorganized as a whole (a different matrix size changes OpenBLAS's summation order in every
/// product) moves each element by rounding noise proportional to the tensor's scale, not to the
/// element, so it is judged as a whole.
public struct RelativeErrorBound: Sendable, CustomStringConvertible {
    public var bound: Double

    public init(_ bound: Double) { self.bound = bound }

    public var description: String { "relative error ≤ \(bound)" }

    /// An exact shortcut against the plain computation it replaces (prompts cut after their
    /// end-of-text token, a shared prefix encoded once, cached image features): the issue's
    /// bound of 1e-5 on losses and gradients. Observed ≤ 6e-7 on the tiny CLIP, the same as
    /// cutting the padding alone (the same code on a smaller matrix).
    public static let exactShortcut = RelativeErrorBound(1e-5)
    /// Learned tensors after 10 SGD steps (lr 0.5, momentum 0.9) against PyTorch: each step's
    /// gradient carries rounding of about 1e-6 relative, which momentum accumulates and the
    /// large learning rate turns into parameter changes of up to lr / (1 − μ) = 5 times it.
    public static let trajectoryParameters = RelativeErrorBound(1e-4)
}
