// The shared-prefix text path against the plain full-length forward on the tiny CLIP: same
// features, same gradients for prefix and suffix embeddings.

import Testing
import VLTensor
import VLTestSupport

@testable import VLCLIP

@Suite("shared-prefix text encoding")
struct SharedPrefixTests {
    /// Two groups of 3 prefix tokens; four sequences of 2, 4, 1 and 3 own tokens.
    static let suffixes: [SharedPrefixTokens.Suffix] = [
        .init(group: 0, tokens: 2), .init(group: 1, tokens: 4), .init(group: 1, tokens: 1), .init(group: 0, tokens: 3),
    ]

    /// The same sequences laid out in full (`contextLength` tokens, random padding after the
    /// pooled token) with their pooling positions.
    static func fullSequences(prefixes: Tensor, suffixTokens: Tensor, contextLength: Int) -> (Tensor, [Int]) {
        var rows: [Tensor] = []
        var pooled: [Int] = []
        var start = 0
        for (index, suffix) in suffixes.enumerated() {
            let prefix = prefixes.slice(alongAxis: 0, suffix.group..<(suffix.group + 1)).reshaped([3, -1])
            let own = suffixTokens.slice(alongAxis: 0, start..<(start + suffix.tokens))
            let padding = Tensor.uniform(
                [contextLength - 3 - suffix.tokens, prefixes.shape[2]], in: -1...1, seed: 100 + UInt64(index))
            rows.append(Tensor.concatenated([prefix, own, padding], alongAxis: 0))
            pooled.append(3 + suffix.tokens - 1)
            start += suffix.tokens
        }
        return (Tensor.stacked(rows), pooled)
    }

    @Test("features and gradients equal the full causal forward")
    func equalsFullForward() throws {
        let clip = try TinyCLIP.model()
        let width = clip.configuration.text.width
        let prefixes = Tensor.uniform([2, 3, width], in: -0.5...0.5, seed: 1).requiringGradient()
        let suffixTokens = Tensor.uniform([10, width], in: -0.5...0.5, seed: 2).requiringGradient()
        let weights = Tensor.uniform([4, clip.configuration.embeddingWidth], in: -1...1, seed: 3)

        let shared = clip.encodeText(
            SharedPrefixTokens(prefixes: prefixes, suffixTokens: suffixTokens, suffixes: Self.suffixes))
        let (full, pooled) = Self.fullSequences(
            prefixes: prefixes, suffixTokens: suffixTokens, contextLength: clip.configuration.text.contextLength)
        let reference = clip.encodeText(embeddings: full, endOfText: pooled)
        expectClose(shared, reference, .exactShortcut, "features")

        let sharedGradients = (shared * weights).sum().gradients()
        let referenceGradients = (reference * weights).sum().gradients()
        expectClose(
            sharedGradients.gradient(for: prefixes), referenceGradients.gradient(for: prefixes), .exactShortcut,
            "prefixes")
        expectClose(
            sharedGradients.gradient(for: suffixTokens), referenceGradients.gradient(for: suffixTokens),
            .exactShortcut, "suffix tokens")
    }

    @Test("gradients agree with central differences")
    func finiteDifferences() throws {
        let clip = try TinyCLIP.model()
        let width = clip.configuration.text.width
        let weights = Tensor.uniform([4, clip.configuration.embeddingWidth], in: -1...1, seed: 4)
        checkGradients(
            at: [
                Tensor.uniform([2, 3, width], in: -0.5...0.5, seed: 5),
                Tensor.uniform([10, width], in: -0.5...0.5, seed: 6),
            ]
        ) { inputs in
            let tokens = SharedPrefixTokens(prefixes: inputs[0], suffixTokens: inputs[1], suffixes: Self.suffixes)
            return (clip.encodeText(tokens) * weights).sum()
        }
    }
}
