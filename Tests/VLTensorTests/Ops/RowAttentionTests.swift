import Testing
import VLKernels
import VLTestSupport

@testable import VLTensor

@Suite("row attention")
struct RowAttentionTests {
    /// Each query's keys gathered, split into heads, scored with matmuls and the composed
    /// softmax, then merged: the definition, one query at a time.
    static func oracle(_ packed: Tensor, heads: Int, queries: [AttentionRows]) -> Tensor {
        let width = packed.shape[1] / 3
        let headWidth = width / heads
        let rows = queries.map { query in
            let keyRows = Array(query.first) + Array(query.second)
            let keys = packed.gatherRows(keyRows)
            func split(_ part: Tensor) -> Tensor {
                part.reshaped([part.shape[0], heads, headWidth]).permuted([1, 0, 2])
            }
            let q = split(packed.gatherRows([query.query]).slice(alongAxis: 1, 0..<width))
            let k = split(keys.slice(alongAxis: 1, width..<(2 * width)))
            let v = split(keys.slice(alongAxis: 1, (2 * width)..<(3 * width)))
            let scores = q.matmul(k, transposeOther: true) * (1 / Float(headWidth).squareRoot())
            return Oracle.softmax(scores).matmul(v).permuted([1, 0, 2]).reshaped([1, width])
        }
        return Tensor.concatenated(rows, alongAxis: 0)
    }

    /// Two prefixes of 3 rows, then suffixes of 2, 1 and 4 rows continuing groups 1, 0, 1.
    static let sharedPrefixQueries: [AttentionRows] = {
        var queries: [AttentionRows] = []
        for group in 0..<2 {
            for position in 0..<3 {
                queries.append(
                    AttentionRows(query: 3 * group + position, first: (3 * group)..<(3 * group + position + 1)))
            }
        }
        var row = 6
        for (group, length) in [(1, 2), (0, 1), (1, 4)] {
            let start = row
            for _ in 0..<length {
                queries.append(
                    AttentionRows(query: row, first: (3 * group)..<(3 * group + 3), second: start..<(row + 1)))
                row += 1
            }
        }
        return queries
    }()

    @Test("matches the per-query composed oracle, forward and backward")
    func matchesOracle() {
        // Head width 12 exercises the eight-lane loops and their tails.
        let (heads, width) = (2, 24)
        let queries = Self.sharedPrefixQueries
        let packed = Tensor.uniform([13, 3 * width], in: -1...1, seed: 1)
        let seed = Tensor.uniform([queries.count, width], in: -1...1, seed: 2)
        let fused = { (x: [Tensor]) in Tensor.attention(packed: x[0], heads: heads, queries: queries) }
        let composed = { (x: [Tensor]) in Self.oracle(x[0], heads: heads, queries: queries) }
        expectClose(fused([packed]), composed([packed]), .reordered, "forward")
        expectClose(
            weightedGradients(of: fused, at: [packed], seed: seed)[0],
            weightedGradients(of: composed, at: [packed], seed: seed)[0], .reorderedGradient, "gradient")
    }

    @Test("causal queries over packed sequences equal batched causal attention")
    func equalsBatchedCausal() {
        let (batch, tokens, heads, width) = (3, 7, 4, 32)
        let packed = Tensor.uniform([batch, tokens, 3 * width], in: -1...1, seed: 3)
        let queries = (0..<batch).flatMap { sequence in
            (0..<tokens).map { position in
                AttentionRows(
                    query: sequence * tokens + position, first: (sequence * tokens)..<(sequence * tokens + position + 1)
                )
            }
        }
        let rows = Tensor.attention(
            packed: packed.reshaped([batch * tokens, 3 * width]), heads: heads, queries: queries)
        let batched = Tensor.attention(packed: packed, heads: heads, causal: true)
        expectClose(rows, batched.reshaped([batch * tokens, width]), .reordered)
    }

    @Test("pullback agrees with central differences, including a subset of queries")
    func finiteDifferences() {
        let queries = Self.sharedPrefixQueries
        let subset = [queries[2], queries[7], queries[12]]
        for chosen in [queries, subset] {
            let seed = Tensor.uniform([chosen.count, 8], in: -1...1, seed: 4)
            checkGradients(at: [Tensor.uniform([13, 24], in: -1...1, seed: 5)]) {
                (Tensor.attention(packed: $0[0], heads: 2, queries: chosen) * seed).sum()
            }
        }
    }
}
