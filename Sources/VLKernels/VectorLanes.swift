// Eight-lane Float vectors over raw pointers: the loads, stores and reductions the fused
// kernels share. Float sums are not reassociated by the optimizer, so kernels vectorize by hand.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// `c + a · b` lane by lane: one rounding where the build has fused multiply-adds
    /// (`VLPROMPT_FMA`, Package.swift), two otherwise (a portable x86-64 build would call a
    /// library `fmaf` per lane).
    @inline(__always)
    static func multiplyAdd(_ a: Float, _ b: Vector, _ c: Vector) -> Vector {
        #if VLPROMPT_FMA
            c.addingProduct(a, b)
        #else
            c + a * b
        #endif
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

    /// `max x[i]` (`-∞` for an empty row), with four independent running maxima.
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var m0 = -Float.infinity
        var m1 = m0
        var m2 = m0
        var m3 = m0
        var i = 0
        while i + 4 <= count {
            m0 = Swift.max(m0, x[i])
            m1 = Swift.max(m1, x[i + 1])
            m2 = Swift.max(m2, x[i + 2])
            m3 = Swift.max(m3, x[i + 3])
            i += 4
        }
        while i < count {
            m0 = Swift.max(m0, x[i])
            i += 1
        }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }
}

extension VectorLanes {
    /// `eˣ` per lane, within a few ulp of `expf` (Cephes `expf`: `n = round(x / ln 2)` by the
    /// 1.5·2²³ rounding trick, a degree-6 polynomial on `[-ln2/2, ln2/2]`, then `2ⁿ` written into
    /// the exponent bits). Lanes outside `[-87.3, 88.3]` (including ±∞) take the scalar `expf`
    /// path, so subnormal, zero and infinite results are exact; NaN propagates.
    ///
    /// The range test uses sign bits and an integer reduction because Swift's float SIMD
    /// comparisons and `pointwiseMin` do not compile to vector instructions.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let outside =
            unsafeBitCast(x - -87.336_54, to: SIMD8<Int32>.self)
            | unsafeBitCast(88.376_26 - x, to: SIMD8<Int32>.self)
        guard outside.min() >= 0 else {
            var y = Vector()
            for lane in 0..<width { y[lane] = expf(x[lane]) }
            return y
        }
        let magic: Float = 12_582_912  // 1.5 · 2²³: adding it rounds to an integer
        let t = x * 1.442_695_04 + magic
        let n = t - magic
        let r = x - n * 0.693_359_375 - n * -2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * (r * r) + r + 1
        // The low bits of t hold n; move n + 127 into the exponent field.
        let bits = (unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: Vector.self)
    }
}
