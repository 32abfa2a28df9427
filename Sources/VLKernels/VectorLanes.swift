// Eight-lane Float vectors over raw pointers: the loads, stores and reductions the fused
// kernels share. Float sums are not reassociated by the optimizer, so kernels vectorize by hand.

/// Vector helpers for the fused kernels (layer norm, softmax, attention).
enum VectorLanes {
    typealias Vector = SIMD8<Float>
    static let width = 8

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// `Σ x[i]` over `count` values, eight partial sums at a time.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = Vector()
        var i = 0
        while i + width <= count {
            lanes += load(x + i)
            i += width
        }
        var total = lanes.sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    /// `Σ (x[i] − center)²`: the second pass of a two-pass variance, which cannot cancel
    /// catastrophically the way `E[x²] − E[x]²` can.
    @inline(__always)
    static func squaredDeviations(_ x: UnsafePointer<Float>, from center: Float, count: Int) -> Float {
        let c = Vector(repeating: center)
        var lanes = Vector()
        var i = 0
        while i + width <= count {
            let d = load(x + i) - c
            lanes += d * d
            i += width
        }
        var total = lanes.sum()
        while i < count {
            let d = x[i] - center
            total += d * d
            i += 1
        }
        return total
    }

    /// `Σ x[i] · y[i]`.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = Vector()
        var i = 0
        while i + width <= count {
            lanes += load(x + i) * load(y + i)
            i += width
        }
        var total = lanes.sum()
        while i < count {
            total += x[i] * y[i]
            i += 1
        }
        return total
    }

    /// `max x[i]` (`-∞` for an empty row).
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = Vector(repeating: -.infinity)
        var i = 0
        while i + width <= count {
            lanes = pointwiseMax(lanes, load(x + i))
            i += width
        }
        var result = lanes.max()
        while i < count {
            result = Swift.max(result, x[i])
            i += 1
        }
        return result
    }
}

extension VectorLanes {
    /// `eˣ` per lane, within 2 ulp of `expf` on `[-87.3, 88.3]` (Cephes `expf`: reduce by
    /// `n = round(x / ln 2)`, a degree-6 polynomial on `[-ln2/2, ln2/2]`, then scale by `2ⁿ`
    /// through the exponent bits). Below that range the result is 0 (where `expf` would return
    /// subnormals under 1.2e-38), so `exp(-∞) = 0`; above it, inputs are clamped.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let lowest: Float = -87.33654
        let clamped = pointwiseMin(
            pointwiseMax(x, Vector(repeating: lowest)), Vector(repeating: 88.37626))
        let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
        let r = clamped - n * 0.693_359_375 - n * -2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * (r * r) + r + 1
        let exponent = (SIMD8<Int32>(n, rounding: .towardZero) &+ 127) &<< 23
        return (p * unsafeBitCast(exponent, to: Vector.self)).replacing(with: 0, where: x .< lowest)
    }
}
