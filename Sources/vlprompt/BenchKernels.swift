// `vlprompt bench kernels`: throughput of each fused kernel on the shapes of the ViT-B/16 block
// benchmark (GB/s for memory-bound kernels, GFLOP/s for attention and patch embedding).

import ArgumentParser
import Foundation
import VLKernels
import VLTensor

struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels", abstract: "Time each fused kernel on ViT-B/16 block shapes.")

    @OptionGroup var options: BenchmarkOptions

    /// One kernel's timing. Memory-bound kernels report `gbps` (bytes read + written once),
    /// compute-bound ones `gflops`.
    struct Measurement: Encodable {
        var name: String
        var shape: [Int]
        var ms: Double
        var gbps: Double?
        var gflops: Double?
    }

    struct Record: Encodable {
        var benchmark = "kernels"
        var threads: Int
        var kernels: [Measurement]
    }

    func run() throws {
        let threads = try options.threading.apply()
        let kernels = layerNorm() + softmax() + attention() + patchEmbedding() + quickGELU()
        try options.report(Record(threads: threads, kernels: kernels)) {
            kernels.map { k in
                let rate =
                    k.gbps.map { String(format: "%.1f GB/s", $0) }
                    ?? k.gflops.map { String(format: "%.1f GFLOP/s", $0) } ?? ""
                return k.name.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + String(format: "%9.3f ms  ", k.ms) + rate
            }.joined(separator: "\n")
        }
    }

    /// Times `body` and reports `bytes` moved per call.
    private func memoryBound(_ name: String, _ shape: [Int], bytes: Int, _ body: () -> Void) -> Measurement {
        let ms = options.medianMilliseconds(body)
        return Measurement(name: name, shape: shape, ms: ms, gbps: Double(bytes) / (ms * 1e6))
    }

    /// Times `body` and reports `flops` useful operations per call.
    private func computeBound(_ name: String, _ shape: [Int], flops: Double, _ body: () -> Void)
        -> Measurement
    {
        let ms = options.medianMilliseconds(body)
        return Measurement(name: name, shape: shape, ms: ms, gflops: gigaflopsPerSecond(flops, ms))
    }

    /// Layer norm over the block's `[32·50, 768]` activations.
    private func layerNorm() -> [Measurement] {
        let (rows, width) = (32 * 50, 768)
        let x = Tensor.normal([rows, width], seed: 1)
        let dy = Tensor.normal([rows, width], seed: 2)
        let w = Tensor.ones([width])
        let b = Tensor.zeros([width])
        let y = Buffer(rows * width)
        let dx = Buffer(rows * width)
        let mean = Buffer(rows)
        let rstd = Buffer(rows)
        let dw = Buffer(width)
        let db = Buffer(width)
        let bytes = 4 * rows * width
        return [
            memoryBound("layer_norm_forward", [rows, width], bytes: 2 * bytes) {
                Kernels.layerNorm(
                    x.pointer, weight: w.pointer, bias: b.pointer, into: y.base, mean: mean.base,
                    rstd: rstd.base, rows: rows, width: width, epsilon: 1e-5)
            },
            memoryBound("layer_norm_backward", [rows, width], bytes: 3 * bytes) {
                Kernels.layerNormBackward(
                    x.pointer, weight: w.pointer, mean: mean.base, rstd: rstd.base,
                    outputGradient: dy.pointer, into: dx.base, weightGradient: dw.base,
                    biasGradient: db.base, rows: rows, width: width)
            },
        ]
    }

    /// Softmax rows of the block's attention scores, `[32·12·50, 50]`.
    private func softmax() -> [Measurement] {
        let (rows, width) = (32 * 12 * 50, 50)
        let x = Tensor.normal([rows, width], seed: 3)
        let dy = Tensor.normal([rows, width], seed: 4)
        let y = Buffer(rows * width)
        let dx = Buffer(rows * width)
        let bytes = 4 * rows * width
        return [
            memoryBound("softmax_forward", [rows, width], bytes: 2 * bytes) {
                Kernels.softmax(x.pointer, into: y.base, rows: rows, width: width)
            },
            memoryBound("softmax_backward", [rows, width], bytes: 3 * bytes) {
                Kernels.softmaxBackward(
                    output: y.base, outputGradient: dy.pointer, into: dx.base, rows: rows, width: width)
            },
            memoryBound("log_softmax_forward", [rows, width], bytes: 2 * bytes) {
                Kernels.logSoftmax(x.pointer, into: y.base, rows: rows, width: width)
            },
            memoryBound("log_softmax_backward", [rows, width], bytes: 3 * bytes) {
                Kernels.logSoftmaxBackward(
                    output: y.base, outputGradient: dy.pointer, into: dx.base, rows: rows, width: width)
            },
        ]
    }

    /// Packed self-attention of the block: 32 sequences, 12 heads, 50 tokens, head width 64.
    private func attention() -> [Measurement] {
        let (batch, heads, tokens, headWidth) = (32, 12, 50, 64)
        let width = heads * headWidth
        let shape = AttentionShape(
            batch: batch, heads: heads, queryTokens: tokens, keyTokens: tokens, headWidth: headWidth,
            scale: 1 / Float(headWidth).squareRoot(), causal: false)
        let packed = Tensor.normal([batch, tokens, 3 * width], seed: 5)
        let dOut = Tensor.normal([batch, tokens, width], seed: 6)
        let out = Buffer(batch * tokens * width)
        let dPacked = Buffer(batch * tokens * 3 * width)
        let probabilities = Buffer(batch * heads * tokens * tokens)
        let input = HeadLayout.interleaved(tokens: tokens, rowWidth: 3 * width, headWidth: headWidth)
        let output = HeadLayout.interleaved(tokens: tokens, rowWidth: width, headWidth: headWidth)
        let q = packed.pointer
        let k = q + width
        let v = q + 2 * width
        let products = Double(batch * heads) * 2 * Double(tokens * tokens * headWidth)
        return [
            computeBound("attention_forward", [batch, heads, tokens, headWidth], flops: 2 * products) {
                Kernels.attention(
                    query: q, input, key: k, input, value: v, input, into: out.base, output,
                    probabilities: probabilities.base, shape: shape)
            },
            computeBound("attention_backward", [batch, heads, tokens, headWidth], flops: 4 * products) {
                Kernels.attentionBackward(
                    query: q, input, key: k, input, value: v, input,
                    probabilities: probabilities.base, outputGradient: dOut.pointer, output,
                    queryGradient: dPacked.base, keyGradient: dPacked.base + width,
                    valueGradient: dPacked.base + 2 * width, shape: shape)
            },
        ]
    }

    /// ViT-B/16's patch embedding on 32 images of 224 × 224 (im2col + GEMM), and the
    /// rearrangement alone.
    private func patchEmbedding() -> [Measurement] {
        let geometry = PatchGeometry(batch: 32, channels: 3, height: 224, width: 224, size: 16)
        let width = 768
        let images = Tensor.normal([32, 3, 224, 224], seed: 7)
        let weight = Tensor.normal([width, 3, 16, 16], seed: 8)
        let patches = Buffer(geometry.batch * geometry.patches * geometry.patchLength)
        let seed = Tensor.normal([geometry.batch, geometry.patches, width], seed: 11)
        let flops = 2 * Double(geometry.batch * geometry.patches * geometry.patchLength * width)
        return [
            memoryBound("patch_extract", [32, 3, 224, 224], bytes: 8 * images.scalarCount) {
                Kernels.extractPatches(images.pointer, into: patches.base, geometry: geometry)
            },
            computeBound("patch_embedding_forward", [32, 3, 224, 224], flops: flops) {
                _ = images.patchEmbedding(weight: weight, patchSize: 16)
            },
            // Weight and input gradients: two GEMMs of the forward's size, plus the scatter.
            computeBound("patch_embedding_backward", [32, 3, 224, 224], flops: 2 * flops) {
                let x = images.requiringGradient()
                let w = weight.requiringGradient()
                let gradients = x.patchEmbedding(weight: w, patchSize: 16).gradients(seed: seed)
                precondition(gradients.count == 2)
            },
        ]
    }

    /// `Tensor.quickGELU` on the block's `[32·50, 3072]` MLP activations, through the graph
    /// (allocation included).
    private func quickGELU() -> [Measurement] {
        let x = Tensor.normal([32 * 50, 3072], seed: 9)
        let dy = Tensor.normal([32 * 50, 3072], seed: 10)
        let bytes = 4 * x.scalarCount
        return [
            memoryBound("quick_gelu_forward", x.shape, bytes: 2 * bytes) { _ = x.quickGELU() },
            memoryBound("quick_gelu_forward_backward", x.shape, bytes: 5 * bytes) {
                _ = x.requiringGradient().quickGELU().gradients(seed: dy)
            },
        ]
    }
}

/// A scratch buffer that outlives the closures timing it.
private final class Buffer {
    let base: UnsafeMutablePointer<Float>
    init(_ count: Int) {
        base = .allocate(capacity: count)
        base.initialize(repeating: 0, count: count)
    }
    deinit { base.deallocate() }
}
