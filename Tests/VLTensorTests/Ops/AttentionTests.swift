import Testing
import VLTestSupport

@testable import VLTensor

@Suite("attention")
struct AttentionTests {
    /// `[batch, heads, tokens, headWidth]` inputs in [-1, 1].
    static func inputs(_ shape: [Int], keyTokens: Int? = nil) -> [Tensor] {
        var keyShape = shape
        keyShape[2] = keyTokens ?? shape[2]
        return [
            Tensor.uniform(shape, in: -1...1, seed: 1), Tensor.uniform(keyShape, in: -1...1, seed: 2),
            Tensor.uniform(keyShape, in: -1...1, seed: 3),
        ]
    }

    @Test("pullback agrees with central differences", arguments: [false, true])
    func gradients(causal: Bool) {
        // Head width 9 and 11 tokens exercise both the 4×8 register block and its tails.
        for shape in [[2, 3, 5, 4], [1, 2, 11, 9]] {
            let inputs = Self.inputs(shape)
            let seed = Tensor.uniform(shape, in: -1...1, seed: 4)
            checkGradients(at: inputs) {
                (Tensor.attention(query: $0[0], key: $0[1], value: $0[2], causal: causal) * seed).sum()
            }
        }
    }

    @Test("cross-attention pullback with fewer queries than keys")
    func crossGradients() {
        let inputs = Self.inputs([2, 1, 3, 4], keyTokens: 6)
        let seed = Tensor.uniform([2, 1, 3, 4], in: -1...1, seed: 5)
        checkGradients(at: inputs) { (Tensor.attention(query: $0[0], key: $0[1], value: $0[2]) * seed).sum() }
    }

    @Test(
        "fused kernel matches batched matmul, mask and softmax",
        arguments: [false, true], [[2, 3, 13, 16], [1, 2, 50, 64], [3, 1, 7, 5]])
    func matchesComposed(causal: Bool, shape: [Int]) {
        let inputs = Self.inputs(shape)
        let seed = Tensor.uniform(shape, in: -1...1, seed: 6)
        expectClose(
            Tensor.attention(query: inputs[0], key: inputs[1], value: inputs[2], causal: causal),
            Oracle.attention(inputs[0], inputs[1], inputs[2], causal: causal), .reordered, "forward")
        let fused = weightedGradients(
            of: { Tensor.attention(query: $0[0], key: $0[1], value: $0[2], causal: causal) },
            at: inputs, seed: seed)
        let composed = weightedGradients(
            of: { Oracle.attention($0[0], $0[1], $0[2], causal: causal) }, at: inputs, seed: seed)
        for (index, name) in ["dq", "dk", "dv"].enumerated() {
            expectClose(fused[index], composed[index], .reorderedGradient, name)
        }
    }

    @Test("packed self-attention equals split heads, attention, merged heads", arguments: [false, true])
    func packedMatchesSplit(causal: Bool) {
        let (batch, tokens, heads, headWidth) = (2, 9, 3, 8)
        let width = heads * headWidth
        let packed = Tensor.uniform([batch, tokens, 3 * width], in: -1...1, seed: 7)
        let seed = Tensor.uniform([batch, tokens, width], in: -1...1, seed: 8)
        func split(_ x: Tensor) -> Tensor {
            let qkv = x.reshaped([batch, tokens, 3, width]).permuted([2, 0, 1, 3])
            return qkv.reshaped([3, batch, tokens, width])
        }
        func reference(_ x: Tensor) -> Tensor {
            // Select q, k, v by multiplying with one-hot weights over the packed axis.
            let parts = (0..<3).map { part in
                let pick = Tensor((0..<3).map { $0 == part ? 1 : 0 }, shape: [3, 1, 1, 1])
                return (split(x) * pick).sum(alongAxis: 0).splitHeads(heads)
            }
            return Tensor.attention(query: parts[0], key: parts[1], value: parts[2], causal: causal)
                .mergeHeads()
        }
        let fused = { (x: Tensor) in Tensor.attention(packed: x, heads: heads, causal: causal) }
        expectClose(fused(packed), reference(packed), .reordered, "forward")
        expectClose(
            weightedGradients(of: { fused($0[0]) }, at: [packed], seed: seed)[0],
            weightedGradients(of: { reference($0[0]) }, at: [packed], seed: seed)[0],
            .reorderedGradient, "gradient")
        checkGradients(at: [Tensor.uniform([1, 4, 12], in: -1...1, seed: 9)]) {
            (Tensor.attention(packed: $0[0], heads: 2, causal: causal) * Tensor.uniform([1, 4, 4], seed: 10))
                .sum()
        }
    }

    @Test("causal: the first query sees only the first key")
    func causalFirstRow() {
        let inputs = Self.inputs([1, 1, 4, 3])
        let y = Tensor.attention(query: inputs[0], key: inputs[1], value: inputs[2], causal: true)
        #expect(Array(y.array[0..<3]) == Array(inputs[2].array[0..<3]))
    }

    @Test("splitHeads and mergeHeads are inverse")
    func headsRoundTrip() {
        let x = Tensor.uniform([2, 5, 12], seed: 11)
        let split = x.splitHeads(3)
        #expect(split.shape == [2, 3, 5, 4])
        #expect(split.array[20..<24] == x.array[4..<8])  // token 0 of head 1
        #expect(split.mergeHeads().array == x.array)
    }
}
