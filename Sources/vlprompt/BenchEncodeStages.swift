// `vlprompt bench encode-image --stages`: where the image tower's time goes. Each stage of
// VisionTransformer.encodeTokens and of one ResidualAttentionBlock is timed on its own with
// inputs of the real shapes; block stages are multiplied by the number of layers (an upper
// bound: the last block computes its out-projection and MLP for the class tokens alone).

import VLCLIP
import VLTensor

extension BenchEncodeImage {
    /// One stage's share of a batch's encoding.
    struct Stage: Encodable {
        var name: String
        /// Median milliseconds per batch (block stages: one block's time × layers).
        var ms: Double
        /// Floating-point operations of the stage's matrix products per batch, in GFLOP (0 for
        /// memory-bound stages).
        var gflop: Double
    }

    /// Times every stage of `clip`'s image tower on `pixels` `[batch, 3, size, size]`.
    func stages(of clip: CLIP, pixels: Tensor) -> [Stage] {
        let vision = clip.vision
        let c = vision.configuration
        let block = vision.blocks[0]
        let (batch, tokens, width) = (pixels.shape[0], c.tokens, c.width)
        let rows = Double(batch * tokens)
        let layers = Double(c.layers)
        let headWidth = Double(width / c.heads)
        func gemm(_ m: Double, _ n: Int, _ k: Int) -> Double { 2 * m * Double(n) * Double(k) / 1e9 }
        func time(_ name: String, repeated: Double = 1, gflop: Double = 0, _ body: () -> Void) -> Stage {
            Stage(name: name, ms: repeated * options.medianMilliseconds(body), gflop: repeated * gflop)
        }

        let patches = pixels.patchEmbedding(weight: vision.patchWeight, patchSize: c.patchSize)
        let x = Tensor.normal([batch, tokens, width], seed: 7)
        let normalized = block.layerNorm1(x)
        let packed = normalized.linear(block.attention.inProjectionWeight, bias: block.attention.inProjectionBias)
        let attended = Tensor.attention(packed: packed, heads: c.heads)
        let hidden = block.mlpIn(normalized)
        let activated = block.activation(hidden)
        let mlpRows = Double(batch * tokens)
        let patchFlops = gemm(Double(batch * c.grid * c.grid), width, 3 * c.patchSize * c.patchSize)
        return [
            time("patch_embedding", gflop: patchFlops) {
                _ = pixels.patchEmbedding(weight: vision.patchWeight, patchSize: c.patchSize)
            },
            time("class_token_and_positions") {
                let classToken = vision.classEmbedding.reshaped([1, 1, width]).broadcasted(to: [batch, 1, width])
                _ = Tensor.concatenated([classToken, patches], alongAxis: 1) + vision.positionalEmbedding
            },
            time("ln_pre") { _ = vision.layerNormPre(x) },
            time("block.ln_1+ln_2", repeated: 2 * layers) { _ = block.layerNorm1(x) },
            time("block.in_proj", repeated: layers, gflop: gemm(rows, 3 * width, width)) {
                _ = normalized.linear(block.attention.inProjectionWeight, bias: block.attention.inProjectionBias)
            },
            time(
                "block.attention", repeated: layers,
                gflop: Double(batch * c.heads) * 4 * Double(tokens * tokens) * headWidth / 1e9
            ) {
                _ = Tensor.attention(packed: packed, heads: c.heads)
            },
            time("block.out_proj", repeated: layers, gflop: gemm(rows, width, width)) {
                _ = block.attention.outProjection(attended)
            },
            time("block.residual_adds", repeated: 2 * layers) { _ = x + attended },
            time("block.mlp_c_fc", repeated: layers, gflop: gemm(mlpRows, c.mlpWidth, width)) {
                _ = block.mlpIn(normalized)
            },
            time("block.mlp_activation", repeated: layers) { _ = block.activation(hidden) },
            time("block.mlp_c_proj", repeated: layers, gflop: gemm(mlpRows, width, c.mlpWidth)) {
                _ = block.mlpOut(activated)
            },
            time("ln_post_and_proj", gflop: gemm(Double(batch), clip.configuration.embeddingWidth, width)) {
                let classTokens = x.slice(alongAxis: 1, 0..<1).reshaped([batch, width])
                _ = vision.layerNormPost(classTokens).matmul(vision.projection)
            },
        ]
    }
}
