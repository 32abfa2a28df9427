// Inside tests for every shape, in local coordinates where the object spans [-1, 1]².
// Only +, −, ×, ÷ and comparisons: IEEE rounds these exactly, so every machine agrees.

extension ObjectShape {
    /// Whether the local point `(u, v)` (`v` grows downwards) lies inside the shape.
    @inline(__always)
    func contains(u: Float, v: Float) -> Bool {
        switch self {
        case .circle: return u * u + v * v <= 0.9
        case .square: return abs(u) <= 0.8 && abs(v) <= 0.8
        case .triangle: return v <= 0.75 && abs(u) <= (v + 0.95) * 0.57735
        case .star: return Geometry.star.contains(u: u, v: v)
        case .cross: return Geometry.crossContains(u: abs(u), v: abs(v))
        case .heart: return Geometry.heartContains(u: u, v: v)
        case .ring:
            let squared = u * u + v * v
            return squared <= 0.9 && squared >= 0.3
        case .diamond: return abs(u) * 1.25 + abs(v) <= 1
        case .moon: return Geometry.moonContains(u: u, v: v)
        case .arrow: return Geometry.arrowContains(u: u, v: v)
        }
    }
}

/// A closed polygon with an even–odd (crossing number) inside test.
struct Polygon: Sendable {
    let xs: [Float]
    let ys: [Float]

    /// Counts edges crossing the horizontal ray from `(u, v)` to the right.
    @inline(__always)
    func contains(u: Float, v: Float) -> Bool {
        var inside = false
        var previous = xs.count - 1
        for current in 0..<xs.count {
            let (x0, y0, x1, y1) = (xs[previous], ys[previous], xs[current], ys[current])
            if (y0 > v) != (y1 > v) && u < x0 + (v - y0) * (x1 - x0) / (y1 - y0) {
                inside.toggle()
            }
            previous = current
        }
        return inside
    }
}

/// Shape definitions that need more than one line.
enum Geometry {
    /// A five-pointed star, point up, inner radius 0.45 of the outer, nudged down to center it.
    /// Vertex coordinates are cos/sin of multiples of 36° written out, so no libm call is needed.
    static let star: Polygon = {
        let outer: [(Float, Float)] = [
            (0, -1), (0.951057, -0.309017), (0.587785, 0.809017),
            (-0.587785, 0.809017), (-0.951057, -0.309017),
        ]
        let inner: [(Float, Float)] = [
            (0.264503, -0.364058), (0.427976, 0.139058), (0, 0.45),
            (-0.427976, 0.139058), (-0.264503, -0.364058),
        ]
        var xs: [Float] = []
        var ys: [Float] = []
        for point in 0..<5 {
            for (x, y) in [outer[point], inner[point]] {
                xs.append(x * 1.04)
                ys.append((y + 0.095) * 1.04)
            }
        }
        return Polygon(xs: xs, ys: ys)
    }()

    /// A plus sign: two bars of half-width 0.3 (arguments are |u|, |v|).
    @inline(__always)
    static func crossContains(u: Float, v: Float) -> Bool {
        (u <= 0.3 && v <= 0.92) || (v <= 0.3 && u <= 0.92)
    }

    /// The algebraic heart (x² + y² − 1)³ ≤ x² y³, with y up, scaled to the unit square.
    @inline(__always)
    static func heartContains(u: Float, v: Float) -> Bool {
        let x = u * 1.2
        let y = 0.12 - v * 1.2
        let bulge = x * x + y * y - 1
        return bulge * bulge * bulge <= x * x * y * y * y
    }

    /// A crescent: a disc with an offset disc bitten out of its upper right.
    @inline(__always)
    static func moonContains(u: Float, v: Float) -> Bool {
        let (bitU, bitV) = (u - 0.45, v + 0.25)
        return u * u + v * v <= 0.9 && bitU * bitU + bitV * bitV > 0.5
    }

    /// An arrow pointing right: a shaft and a triangular head.
    @inline(__always)
    static func arrowContains(u: Float, v: Float) -> Bool {
        let shaft = u >= -0.95 && u <= 0.1 && abs(v) <= 0.26
        let head = u >= 0.0 && abs(v) <= (0.95 - u) * 0.9
        return shaft || head
    }
}
