// The text tower on many sequences that share their leading tokens, computed exactly as the
// full causal forward computes them but with every shared token encoded once and no padding.
//
// Why it is exact: with the causal mask, token t's activations depend only on tokens ≤ t, so
// (1) tokens after a sequence's end-of-text never reach its pooled feature, and (2) a prefix
// shared by several sequences has the same activations in all of them; its keys and values
// can be computed once and attended to by every sequence's remaining tokens.

import VLKernels
import VLNN
import VLTensor

/// Token embeddings of sequences `[prefix of their group; own suffix]`, laid out so each group's
/// prefix is encoded once (prompt learners: the start token and a shared context; per image in
/// CoCoOp).
///
/// Sequence `s` is `prefixes[suffixes[s].group]` followed by its own `suffixes[s].tokens` rows
/// of `suffixTokens`, and its **last** token is the one pooled (its end-of-text token: callers
/// cut each sequence right after it, which the causal mask makes exact).
public struct SharedPrefixTokens: Sendable {
    /// One sequence's own part.
    public struct Suffix: Sendable, Hashable {
        /// Which prefix (group) the sequence continues.
        public var group: Int
        /// Number of its own tokens, ending with the pooled end-of-text token (at least 1).
        public var tokens: Int

        /// The sequence continues prefix `group` with `tokens` tokens of its own.
        public init(group: Int, tokens: Int) {
            self.group = group
            self.tokens = tokens
        }
    }

    /// `[groups, prefixTokens, width]` token embeddings, before positions.
    public var prefixes: Tensor
    /// `[Σ tokens, width]`: every sequence's own token embeddings, back to back in order.
    public var suffixTokens: Tensor
    /// One entry per sequence, in output order.
    public var suffixes: [Suffix]

    /// Checks that the suffix rows add up and every group exists.
    public init(prefixes: Tensor, suffixTokens: Tensor, suffixes: [Suffix]) {
        precondition(prefixes.rank == 3 && suffixTokens.rank == 2, "prefixes [g, p, w], suffix tokens [n, w]")
        precondition(prefixes.shape[2] == suffixTokens.shape[1], "prefix and suffix widths differ")
        precondition(
            suffixes.reduce(0) { $0 + $1.tokens } == suffixTokens.shape[0],
            "suffix lengths do not add up to the \(suffixTokens.shape[0]) suffix rows")
        precondition(
            suffixes.allSatisfy { $0.tokens >= 1 && (0..<prefixes.shape[0]).contains($0.group) },
            "every suffix needs a token and an existing group")
        self.prefixes = prefixes
        self.suffixTokens = suffixTokens
        self.suffixes = suffixes
    }

    /// Number of groups (distinct prefixes).
    public var groups: Int { prefixes.shape[0] }
    /// Tokens of each prefix.
    public var prefixLength: Int { prefixes.shape[1] }
    /// The longest full sequence, prefix included.
    public var longestSequence: Int { prefixLength + (suffixes.map(\.tokens).max() ?? 0) }
}

/// Row bookkeeping for ``SharedPrefixTokens``: the packed matrix holds every prefix row
/// (group-major), then every suffix row.
struct SharedPrefixRows {
    /// Queries of every row: prefix rows causally within their prefix, suffix rows over their
    /// whole prefix and their own rows up to themselves.
    var all: [AttentionRows] = []
    /// Queries of the pooled (last) row of each sequence.
    var pooled: [AttentionRows] = []
    /// Positional-embedding index of each suffix row.
    var suffixPositions: [Int] = []

    init(_ tokens: SharedPrefixTokens) {
        let prefixLength = tokens.prefixLength
        for group in 0..<tokens.groups {
            let start = group * prefixLength
            for position in 0..<prefixLength {
                all.append(AttentionRows(query: start + position, first: start..<(start + position + 1)))
            }
        }
        var row = tokens.groups * prefixLength
        for suffix in tokens.suffixes {
            let prefix = (suffix.group * prefixLength)..<((suffix.group + 1) * prefixLength)
            let start = row
            for position in 0..<suffix.tokens {
                all.append(AttentionRows(query: row, first: prefix, second: start..<(row + 1)))
                suffixPositions.append(prefixLength + position)
                row += 1
            }
            pooled.append(all[all.count - 1])
        }
    }
}

extension TextTransformer {
    /// Text features `[sequences, embeddingWidth]` of prefix-sharing sequences, equal to
    /// ``callAsFunction(embeddings:endOfText:hooks:)`` on the full sequences pooled at their
    /// last token, with gradients flowing to both `prefixes` and `suffixTokens`.
    ///
    /// Each prefix is encoded once; the last block computes attention and MLP only for the
    /// pooled rows, since no other row of its output is read. Text hooks are not applied: a
    /// method with deep text prompts uses the full path.
    public func callAsFunction(_ tokens: SharedPrefixTokens) -> Tensor {
        precondition(
            tokens.longestSequence <= configuration.contextLength,
            "a \(tokens.longestSequence)-token sequence exceeds the context length \(configuration.contextLength)")
        precondition(!blocks.isEmpty && !tokens.suffixes.isEmpty, "nothing to encode")
        let rows = SharedPrefixRows(tokens)
        let width = configuration.width
        let prefixPositions = positionalEmbedding.slice(alongAxis: 0, 0..<tokens.prefixLength)
        let prefixRows = (tokens.prefixes + prefixPositions).reshaped([-1, width])
        let suffixRows = tokens.suffixTokens + positionalEmbedding.gatherRows(rows.suffixPositions)
        var x = Tensor.concatenated([prefixRows, suffixRows], alongAxis: 0)
        for block in blocks.dropLast() {
            x = block(rows: x, queries: rows.all)
        }
        let pooled = blocks[blocks.count - 1](rows: x, queries: rows.pooled)
        return layerNormFinal(pooled).matmul(projection)
    }
}

extension ResidualAttentionBlock {
    /// The block on a packed token matrix `[rows, width]`, computed for the rows `queries`
    /// name (each attending to its listed key rows): `[queries.count, width]`.
    func callAsFunction(rows x: Tensor, queries: [AttentionRows]) -> Tensor {
        // Each projection is one GEMM accumulated onto its bias (`Tensor.linear`).
        let projected = layerNorm1(x).linear(attention.inProjectionWeight, bias: attention.inProjectionBias)
        let attended = Tensor.attention(packed: projected, heads: attention.heads, queries: queries)
        let isEveryRow = queries.count == x.shape[0] && queries.indices.allSatisfy { queries[$0].query == $0 }
        let residual = isEveryRow ? x : x.gatherRows(queries.map(\.query))
        let out = attention.outProjection
        let h = residual + attended.linear(out.weight, bias: out.bias)
        let hidden = activation(layerNorm2(h).linear(mlpIn.weight, bias: mlpIn.bias))
        return h + hidden.linear(mlpOut.weight, bias: mlpOut.bias)
    }
}

extension CLIP {
    /// Text features `[sequences, embeddingWidth]` (projected, not normalized) of sequences
    /// that share leading tokens: the same values and gradients as
    /// ``encodeText(embeddings:endOfText:hooks:)`` on the full sequences, computed once per
    /// shared prefix and without padding.
    public func encodeText(_ tokens: SharedPrefixTokens) -> Tensor {
        text(tokens)
    }
}
