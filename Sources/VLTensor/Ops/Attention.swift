// Scaled dot-product attention (Vaswani et al. 2017) with CLIP's conventions: scale 1/√headWidth
// and, for text, a causal mask (OpenAI CLIP's `build_attention_mask`). One fused kernel per
// direction, parallel over batch × heads; the packed form reads q, k and v straight out of the
// in-projection's `[batch, tokens, 3 · width]` output, so heads are never copied apart.

import VLKernels

extension Tensor {
    /// `softmax(scale · query · keyᵀ) · value` per batch item and head.
    ///
    /// - Parameters:
    ///   - query: `[batch, heads, queryTokens, headWidth]`.
    ///   - key: `[batch, heads, keyTokens, headWidth]`.
    ///   - value: `[batch, heads, keyTokens, headWidth]`.
    ///   - causal: query `i` sees only keys `j ≤ i` (CLIP's text mask).
    ///   - scale: defaults to `1/√headWidth`.
    /// - Returns: `[batch, heads, queryTokens, headWidth]`.
    public static func attention(
        query: Tensor, key: Tensor, value: Tensor, causal: Bool = false, scale: Float? = nil
    ) -> Tensor {
        precondition(
            query.rank == 4 && key.rank == 4 && key.shape == value.shape
                && Array(query.shape[0..<2]) == Array(key.shape[0..<2]) && query.shape[3] == key.shape[3],
            "attention needs query [b, h, tq, d] and key, value [b, h, tk, d]; "
                + "got \(query.shape), \(key.shape), \(value.shape)")
        let (batch, heads, queryTokens, headWidth) = (
            query.shape[0], query.shape[1], query.shape[2], query.shape[3]
        )
        let keyTokens = key.shape[2]
        let attentionShape = AttentionShape(
            batch: batch, heads: heads, queryTokens: queryTokens, keyTokens: keyTokens,
            headWidth: headWidth, scale: scale ?? 1 / Float(headWidth).squareRoot(), causal: causal)
        let queryLayout = HeadLayout.contiguous(heads: heads, tokens: queryTokens, headWidth: headWidth)
        let keyLayout = HeadLayout.contiguous(heads: heads, tokens: keyTokens, headWidth: headWidth)
        let probabilities = TensorStorage(uninitializedCount: batch * heads * queryTokens * keyTokens)
        let output = Tensor.computed(shape: query.shape) { out in
            Kernels.attention(
                query: query.pointer, queryLayout, key: key.pointer, keyLayout,
                value: value.pointer, keyLayout, into: out.baseAddress!, queryLayout,
                probabilities: probabilities.base, shape: attentionShape)
        }
        return output.withPullback(inputs: [query, key, value]) { dOut in
            let dq = TensorStorage(uninitializedCount: query.scalarCount)
            let dk = TensorStorage(uninitializedCount: key.scalarCount)
            let dv = TensorStorage(uninitializedCount: value.scalarCount)
            Kernels.attentionBackward(
                query: query.pointer, queryLayout, key: key.pointer, keyLayout,
                value: value.pointer, keyLayout, probabilities: probabilities.base,
                outputGradient: dOut.pointer, queryLayout, queryGradient: dq.base,
                keyGradient: dk.base, valueGradient: dv.base, shape: attentionShape)
            return [
                Tensor(shape: query.shape, storage: dq), Tensor(shape: key.shape, storage: dk),
                Tensor(shape: value.shape, storage: dv),
            ]
        }
    }

    /// Multi-head self-attention on a packed in-projection output, with heads merged back.
    ///
    /// `packed` is `[batch, tokens, 3 · width]`: queries, keys and values side by side, each
    /// split into `heads` consecutive groups of `width / heads` columns, which is how
    /// `nn.MultiheadAttention`'s `in_proj_weight` lays them out. The result is
    /// `[batch, tokens, width]`, heads concatenated in order, ready for the output projection.
    /// Equals `attention(query:key:value:)` on the split heads followed by ``mergeHeads()``.
    public static func attention(
        packed: Tensor, heads: Int, causal: Bool = false, scale: Float? = nil
    ) -> Tensor {
        precondition(
            packed.rank == 3 && heads > 0 && packed.shape[2] % (3 * heads) == 0,
            "packed attention needs [batch, tokens, 3 · width] with width divisible by \(heads) "
                + "heads, got \(packed.shape)")
        let (batch, tokens) = (packed.shape[0], packed.shape[1])
        let width = packed.shape[2] / 3
        let headWidth = width / heads
        let attentionShape = AttentionShape(
            batch: batch, heads: heads, queryTokens: tokens, keyTokens: tokens,
            headWidth: headWidth, scale: scale ?? 1 / Float(headWidth).squareRoot(), causal: causal)
        let inputLayout = HeadLayout.interleaved(tokens: tokens, rowWidth: 3 * width, headWidth: headWidth)
        let outputLayout = HeadLayout.interleaved(tokens: tokens, rowWidth: width, headWidth: headWidth)
        let probabilities = TensorStorage(uninitializedCount: batch * heads * tokens * tokens)
        let q = packed.pointer
        let k = q + width
        let v = q + 2 * width
        let output = Tensor.computed(shape: [batch, tokens, width]) { out in
            Kernels.attention(
                query: q, inputLayout, key: k, inputLayout, value: v, inputLayout,
                into: out.baseAddress!, outputLayout, probabilities: probabilities.base,
                shape: attentionShape)
        }
        return output.withPullback(inputs: [packed]) { dOut in
            let q = packed.pointer
            let k = q + width
            let v = q + 2 * width
            return [
                Tensor.computed(shape: packed.shape) { dPacked in
                    let dq = dPacked.baseAddress!
                    Kernels.attentionBackward(
                        query: q, inputLayout, key: k, inputLayout, value: v, inputLayout,
                        probabilities: probabilities.base, outputGradient: dOut.pointer, outputLayout,
                        queryGradient: dq, keyGradient: dq + width, valueGradient: dq + 2 * width,
                        shape: attentionShape)
                }
            ]
        }
    }

    /// `[batch, tokens, heads · headWidth]` → `[batch, heads, tokens, headWidth]`.
    public func splitHeads(_ heads: Int) -> Tensor {
        precondition(
            rank == 3 && heads > 0 && shape[2] % heads == 0, "cannot split \(shape) into \(heads) heads")
        return reshaped([shape[0], shape[1], heads, shape[2] / heads]).permuted([0, 2, 1, 3])
    }

    /// `[batch, heads, tokens, headWidth]` → `[batch, tokens, heads · headWidth]`, the inverse
    /// of ``splitHeads(_:)``.
    public func mergeHeads() -> Tensor {
        precondition(rank == 4, "mergeHeads needs [batch, heads, tokens, headWidth], got \(shape)")
        return permuted([0, 2, 1, 3]).reshaped([shape[0], shape[2], shape[1] * shape[3]])
    }
}
