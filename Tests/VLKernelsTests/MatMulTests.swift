import Testing
@testable import VLKernels

@Suite("matmul kernel")
struct MatMulKernelTests {
    /// Deterministic values in [-1, 1) without the tensor layer.
    static func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float(((($0 + 1) * 7919 + seed * 104_729) % 2001) - 1000) / 1000 }
    }

    @Test(
        "sgemm agrees with the naive loop for every transpose and odd shapes",
        arguments: [(1, 1, 1), (3, 5, 7), (17, 4, 33), (64, 65, 31)], [false, true])
    func agreesWithNaive(dims: (Int, Int, Int), transposeA: Bool) {
        let (m, n, k) = dims
        for transposeB in [false, true] {
            let a = Self.values(m * k, seed: 1), b = Self.values(k * n, seed: 2)
            let start = Self.values(m * n, seed: 3)
            var fast = start, naive = start
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    Kernels.matmul(
                        pa.baseAddress!, pb.baseAddress!, into: &fast, m: m, n: n, k: k,
                        transposeA: transposeA, transposeB: transposeB, alpha: 0.5, beta: 2)
                    Kernels.matmulNaive(
                        pa.baseAddress!, pb.baseAddress!, into: &naive, m: m, n: n, k: k,
                        transposeA: transposeA, transposeB: transposeB, alpha: 0.5, beta: 2)
                }
            }
            for i in 0..<(m * n) {
                #expect(abs(fast[i] - naive[i]) <= 1e-5 + 1e-5 * abs(naive[i]), "element \(i)")
            }
        }
    }

    @Test("parallel chunks cover every index exactly once")
    func chunksCoverRange() {
        for count in [0, 1, 5, 4096, 100_003] {
            var hits = [Int](repeating: 0, count: count)
            hits.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress
                Kernels.parallelChunks(count, minimumPerChunk: 1000) { start, end in
                    for i in start..<end { base![i] += 1 }
                }
            }
            #expect(hits.allSatisfy { $0 == 1 })
        }
    }
}
