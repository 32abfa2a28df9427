// Limited-memory BFGS (Nocedal 1980; Nocedal & Wright, "Numerical Optimization", Alg. 7.4–7.5)
// with a strong-Wolfe line search (Alg. 3.5–3.6, cubic interpolation), in Double.

import Foundation

/// Minimizes a smooth function given its value and gradient.
struct LBFGS {
    /// Stopping rules and sizes.
    struct Options {
        /// Stop when the largest gradient component is at most this.
        var gradientTolerance = 1e-10
        /// Stop when an iteration lowers f by at most this relative amount. scikit-learn sets
        /// scipy's `ftol` to 64·ε, which stops while the gradient is still ~1e-8; the default
        /// here is 0, so only the gradient test or a failed line search (no representable
        /// decrease left) ends a fit.
        var relativeDecreaseTolerance = 0.0
        /// Iteration cap (scikit-learn's `max_iter`).
        var maxIterations = 1000
        /// Corrections kept (scipy's `maxcor`).
        var memory = 10
        /// Function evaluations per line search (scikit-learn's `maxls`).
        var maxLineSearchEvaluations = 50
    }

    /// The outcome.
    struct Result {
        var point: [Double]
        var value: Double
        var gradientNorm: Double
        var iterations: Int
        var converged: Bool
    }

    /// `objective(x)` returns `(f(x), ∇f(x))`.
    typealias Objective = ([Double]) -> (value: Double, gradient: [Double])

    let options: Options

    func minimize(from start: [Double], _ objective: Objective) -> Result {
        var x = start
        var (f, g) = objective(x)
        var corrections: [(s: [Double], y: [Double], rho: Double)] = []
        var iteration = 0
        while iteration < options.maxIterations {
            if maxAbs(g) <= options.gradientTolerance { break }
            var direction = searchDirection(g, corrections)
            if dot(direction, g) >= 0 { direction = g.map { -$0 } ; corrections.removeAll() }
            let initial = iteration == 0 ? min(1, 1 / max(maxAbs(g), 1e-300)) : 1
            guard let step = lineSearch(x, f, g, direction, initial: initial, objective) else {
                break
            }
            iteration += 1
            let s = direction.map { $0 * step.alpha }
            let y = zip(step.gradient, g).map { $0 - $1 }
            let sy = dot(s, y)
            if sy > 1e-12 * sqrt(dot(s, s) * dot(y, y)) {
                corrections.append((s, y, 1 / sy))
                if corrections.count > options.memory { corrections.removeFirst() }
            }
            let decrease = f - step.value
            x = zip(x, s).map { $0 + $1 }
            (f, g) = (step.value, step.gradient)
            if decrease <= options.relativeDecreaseTolerance * max(abs(f), abs(f + decrease), 1)
                && options.relativeDecreaseTolerance > 0
            {
                break
            }
        }
        let norm = maxAbs(g)
        return Result(
            point: x, value: f, gradientNorm: norm, iterations: iteration,
            converged: norm <= options.gradientTolerance
                || iteration < options.maxIterations)
    }

    /// The two-loop recursion: −H·g for the implicit inverse Hessian H.
    private func searchDirection(
        _ g: [Double], _ corrections: [(s: [Double], y: [Double], rho: Double)]
    ) -> [Double] {
        var q = g
        var alphas = [Double](repeating: 0, count: corrections.count)
        for index in corrections.indices.reversed() {
            let (s, y, rho) = corrections[index]
            alphas[index] = rho * dot(s, q)
            axpy(-alphas[index], y, &q)
        }
        if let last = corrections.last {
            let gamma = dot(last.s, last.y) / dot(last.y, last.y)
            for i in q.indices { q[i] *= gamma }
        }
        for index in corrections.indices {
            let (s, y, rho) = corrections[index]
            let beta = rho * dot(y, q)
            axpy(alphas[index] - beta, s, &q)
        }
        return q.map { -$0 }
    }

    private struct Step {
        var alpha: Double
        var value: Double
        var gradient: [Double]
        var slope: Double
    }

    /// A step length meeting the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9), or `nil`
    /// when none is found (no further progress is possible in floating point).
    private func lineSearch(
        _ x: [Double], _ f0: Double, _ g0: [Double], _ d: [Double], initial: Double,
        _ objective: Objective
    ) -> Step? {
        let slope0 = dot(g0, d)
        let wolfe = Wolfe(f0: f0, slope0: slope0)
        var remaining = options.maxLineSearchEvaluations
        // Returns nil once the evaluation budget is spent.
        func evaluate(_ alpha: Double) -> Step? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let (value, gradient) = objective(zip(x, d).map { $0 + alpha * $1 })
            return Step(alpha: alpha, value: value, gradient: gradient, slope: dot(gradient, d))
        }
        var previous = Step(alpha: 0, value: f0, gradient: g0, slope: slope0)
        var alpha = initial, first = true
        while let current = evaluate(alpha) {
            if !current.value.isFinite {
                alpha = (previous.alpha + alpha) / 2
                continue
            }
            if wolfe.approximate(current) { return current }
            if !wolfe.sufficientDecrease(current) || (!first && current.value >= previous.value) {
                return zoom(low: previous, high: current, wolfe, evaluate)
            }
            if wolfe.curvature(current) { return current }
            if current.slope >= 0 { return zoom(low: current, high: previous, wolfe, evaluate) }
            previous = current
            alpha *= 2
            first = false
        }
        return previous.alpha > 0 ? previous : nil
    }

    /// The strong Wolfe conditions with c1 = 1e-4, c2 = 0.9 (Nocedal & Wright's defaults for
    /// quasi-Newton methods), and Hager & Zhang's approximate Wolfe conditions for the last
    /// iterations, where f changes less than its rounding error and only slopes are reliable.
    private struct Wolfe {
        let f0: Double, slope0: Double
        let c1 = 1e-4, c2 = 0.9
        /// f may rise by this relative amount (rounding noise) under the approximate test.
        let noise = 1e-12

        func sufficientDecrease(_ step: Step) -> Bool { step.value <= f0 + c1 * step.alpha * slope0 }
        func curvature(_ step: Step) -> Bool { abs(step.slope) <= -c2 * slope0 }
        /// (2·c1 − 1)·φ′(0) ≥ φ′(α) with |φ′(α)| ≤ −c2·φ′(0), and
        /// φ(α) ≤ φ(0) + noise·|φ(0)|.
        func approximate(_ step: Step) -> Bool {
            step.value <= f0 + noise * abs(f0) && (2 * c1 - 1) * slope0 >= step.slope && curvature(step)
        }
    }

    /// Narrows [low, high] (which brackets a Wolfe point) by safeguarded cubic interpolation.
    private func zoom(
        low lowStart: Step, high highStart: Step, _ wolfe: Wolfe, _ evaluate: (Double) -> Step?
    ) -> Step? {
        var low = lowStart, high = highStart
        while true {
            let width = high.alpha - low.alpha
            if abs(width) <= 1e-16 * max(abs(low.alpha), 1e-300) { break }
            var alpha = cubicMinimizer(low, high)
            let lower = min(low.alpha, high.alpha) + 0.1 * abs(width)
            let upper = max(low.alpha, high.alpha) - 0.1 * abs(width)
            if !alpha.isFinite || alpha < lower || alpha > upper { alpha = low.alpha + width / 2 }
            guard let current = evaluate(alpha) else { break }
            if wolfe.approximate(current) { return current }
            if !wolfe.sufficientDecrease(current) || current.value >= low.value {
                high = current
            } else {
                if wolfe.curvature(current) { return current }
                if current.slope * (high.alpha - low.alpha) >= 0 { high = low }
                low = current
            }
        }
        return low.alpha > 0 && low.value < wolfe.f0 ? low : nil
    }

    /// The minimizer of the cubic through two points with their values and slopes.
    private func cubicMinimizer(_ a: Step, _ b: Step) -> Double {
        let d1 = a.slope + b.slope - 3 * (a.value - b.value) / (a.alpha - b.alpha)
        let radicand = d1 * d1 - a.slope * b.slope
        guard radicand >= 0 else { return .nan }
        let d2 = (b.alpha > a.alpha ? 1.0 : -1.0) * radicand.squareRoot()
        return b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2)
    }
}

/// Σ aᵢbᵢ.
func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
}

/// y += a·x.
func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
    for i in y.indices { y[i] += a * x[i] }
}

/// max |vᵢ|.
func maxAbs(_ v: [Double]) -> Double {
    v.reduce(0) { max($0, abs($1)) }
}
