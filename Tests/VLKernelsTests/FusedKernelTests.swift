import Foundation
import Testing

@testable import VLKernels

@Suite("fused kernel helpers")
struct FusedKernelTests {
    @Test("vector exp stays within a few ulp of expf, and is 0 below its range")
    func vectorExp() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let lanes = VectorLanes.exp(VectorLanes.Vector((0..<8).map { x + Float($0) * 1e-3 }))
            for lane in 0..<8 {
                let expected = Foundation.exp(x + Float(lane) * 1e-3)
                worst = max(worst, abs(lanes[lane] - expected) / expected.ulp)
            }
            x += 0.0731
        }
        #expect(worst <= 4, "worst error \(worst) ulp")
        let below = VectorLanes.exp(VectorLanes.Vector(repeating: -.infinity))
        #expect(below == VectorLanes.Vector())
    }

    @Test(
        "small matmul agrees with the naive loop on strided odd blocks and writes only its columns",
        arguments: [(1, 1, 1), (4, 8, 3), (11, 50, 64), (50, 9, 13), (6, 3, 1), (5, 16, 7)])
    func smallMatmul(dims: (Int, Int, Int)) {
        let (m, n, k) = dims
        let lda = k + 3
        let ldb = n + 2
        let ldc = n + 5
        let a = (0..<(m * lda)).map { Float(($0 * 37) % 17) / 8 - 1 }
        let b = (0..<(k * ldb)).map { Float(($0 * 29) % 13) / 6 - 1 }
        var c = [Float](repeating: .nan, count: m * ldc)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                Kernels.smallMatmul(
                    pa.baseAddress!, lda: lda, pb.baseAddress!, ldb: ldb, into: &c, ldc: ldc,
                    m: m, n: n, k: k, alpha: 0.5)
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                let expected =
                    0.5 * (0..<k).reduce(0.0) { $0 + Double(a[i * lda + $1]) * Double(b[$1 * ldb + j]) }
                #expect(
                    abs(Double(c[i * ldc + j]) - expected) <= 1e-5 + 1e-5 * abs(expected), "c[\(i), \(j)]")
            }
            for j in n..<ldc {
                #expect(c[i * ldc + j].isNaN, "c[\(i), \(j)] lies outside the product and must stay untouched")
            }
        }
    }
}
