// `vlprompt bench block`: forward and backward of one ViT-B/16 transformer block (OpenAI CLIP's
// ResidualAttentionBlock: pre-LN, packed in-projection, QuickGELU MLP) on 32 sequences of 50
// tokens, reported as useful GFLOP/s against the sgemm ceiling measured in the same run.

import ArgumentParser
import Foundation
import VLKernels
import VLTensor

struct BenchBlock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Time forward + backward of one ViT-B transformer block (batch 32 × 50 tokens).")

    @OptionGroup var options: BenchmarkOptions

    struct Record: Encodable {
        var benchmark = "block"
        var threads: Int
        var batch: Int, tokens: Int, width: Int, heads: Int, mlpWidth: Int
        var ms: Double
        var forwardMs: Double
        var gflops: Double
        var usefulGflop: Double
        var sgemmGflops: Double
        var ratio: Double

        enum CodingKeys: String, CodingKey {
            case benchmark, threads, batch, tokens, width, heads, ms, gflops, ratio
            case mlpWidth = "mlp_width"
            case forwardMs = "forward_ms"
            case usefulGflop = "useful_gflop"
            case sgemmGflops = "sgemm_gflops"
        }
    }

    func run() throws {
        let threads = try options.threading.apply()
        let block = TransformerBlock(width: 768, heads: 12, mlpWidth: 3072, seed: 1)
        let (batch, tokens) = (32, 50)
        let x = Tensor.normal([batch, tokens, block.width], seed: 2).requiringGradient()
        let seed = Tensor.normal([batch, tokens, block.width], seed: 3)
        let parameters = block.parameters

        let forwardMs = options.medianMilliseconds { _ = block(x.detached()) }
        // Block and sgemm runs alternate, so both medians see the same machine load.
        let ceiling = SgemmCeiling()
        let step = {
            let gradients = block(x).gradients(seed: seed)
            precondition(gradients.count == parameters.count + 1, "every gradient must be computed")
        }
        for _ in 0..<options.warmups {
            step()
            ceiling.run()
        }
        var blockTimes: [Double] = []
        var sgemmTimes: [Double] = []
        for _ in 0..<options.repetitions {
            blockTimes.append(Stopwatch.milliseconds(step))
            for _ in 0..<3 { sgemmTimes.append(Stopwatch.milliseconds(ceiling.run)) }
        }
        let ms = Stopwatch.median(blockTimes)
        let sgemmGflops = gigaflopsPerSecond(ceiling.flops, Stopwatch.median(sgemmTimes))
        let flops = block.usefulFlops(batch: batch, tokens: tokens)
        let gflops = gigaflopsPerSecond(flops, ms)
        let record = Record(
            threads: threads, batch: batch, tokens: tokens, width: block.width, heads: block.heads,
            mlpWidth: block.mlpWidth, ms: ms, forwardMs: forwardMs, gflops: gflops,
            usefulGflop: flops / 1e9, sgemmGflops: sgemmGflops, ratio: gflops / sgemmGflops)
        try options.report(record) {
            String(
                format:
                    "block fwd+bwd %.1f ms (fwd %.1f ms): %.1f GFLOP/s = %.0f%% of sgemm %.1f GFLOP/s, threads: %d",
                ms, forwardMs, gflops, 100 * gflops / sgemmGflops, sgemmGflops, threads)
        }
    }
}

/// One pre-LN transformer block with CLIP's parameter shapes (PyTorch `[out, in]` weights):
/// `x + attn(ln_1(x))`, then `+ mlp(ln_2(·))` with `mlp = c_proj(QuickGELU(c_fc(·)))`.
struct TransformerBlock {
    let width: Int, heads: Int, mlpWidth: Int
    let norm1Weight: Tensor, norm1Bias: Tensor
    let inWeight: Tensor, inBias: Tensor  // [3·width, width], [3·width]
    let outWeight: Tensor, outBias: Tensor  // [width, width], [width]
    let norm2Weight: Tensor, norm2Bias: Tensor
    let fcWeight: Tensor, fcBias: Tensor  // [mlpWidth, width], [mlpWidth]
    let projectionWeight: Tensor, projectionBias: Tensor  // [width, mlpWidth], [width]

    init(width: Int, heads: Int, mlpWidth: Int, seed: UInt64) {
        self.width = width
        self.heads = heads
        self.mlpWidth = mlpWidth
        func weight(_ shape: [Int], _ stream: UInt64) -> Tensor {
            Tensor.normal(shape, standardDeviation: 1 / Float(shape[1]).squareRoot(), seed: seed &+ stream)
                .requiringGradient()
        }
        func vector(_ count: Int, _ value: Float, _ stream: UInt64) -> Tensor {
            (Tensor.normal([count], standardDeviation: 0.02, seed: seed &+ stream) + value).detached()
                .requiringGradient()
        }
        norm1Weight = vector(width, 1, 1)
        norm1Bias = vector(width, 0, 2)
        inWeight = weight([3 * width, width], 3)
        inBias = vector(3 * width, 0, 4)
        outWeight = weight([width, width], 5)
        outBias = vector(width, 0, 6)
        norm2Weight = vector(width, 1, 7)
        norm2Bias = vector(width, 0, 8)
        fcWeight = weight([mlpWidth, width], 9)
        fcBias = vector(mlpWidth, 0, 10)
        projectionWeight = weight([width, mlpWidth], 11)
        projectionBias = vector(width, 0, 12)
    }

    var parameters: [Tensor] {
        [
            norm1Weight, norm1Bias, inWeight, inBias, outWeight, outBias, norm2Weight, norm2Bias,
            fcWeight, fcBias, projectionWeight, projectionBias,
        ]
    }

    /// `[batch, tokens, width]` → `[batch, tokens, width]`.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let packed = linear(x.layerNorm(weight: norm1Weight, bias: norm1Bias), inWeight, inBias)
        let attended = x + linear(Tensor.attention(packed: packed, heads: heads), outWeight, outBias)
        let hidden = linear(attended.layerNorm(weight: norm2Weight, bias: norm2Bias), fcWeight, fcBias)
        return attended + linear(hidden.quickGELU(), projectionWeight, projectionBias)
    }

    private func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor) -> Tensor {
        x.matmul(weight, transposeOther: true) + bias
    }

    /// Useful FLOPs of one forward + backward on `[batch, tokens, width]`.
    ///
    /// Each GEMM of `m × n × k` counts `2·m·n·k` forward and twice that backward (one GEMM for
    /// the input gradient, one for the weight gradient): the four projections per token, and
    /// per (sequence, head) the two attention products `q·kᵀ` and `P·v` (`2·tokens²·headWidth`
    /// each forward; `dv`, `dP`, `dq`, `dk` backward). Layer norms, softmax, QuickGELU, bias and
    /// residual additions are not counted: they are memory-bound overhead, not useful work.
    func usefulFlops(batch: Int, tokens: Int) -> Double {
        let rows = Double(batch * tokens)
        let w = Double(width)
        let hidden = Double(mlpWidth)
        let projections = 2 * rows * (w * 3 * w + w * w + w * hidden + hidden * w)
        let headWidth = Double(width / heads)
        let t = Double(tokens)
        let attention = Double(batch * heads) * 2 * (2 * t * t * headWidth)
        return 3 * (projections + attention)
    }
}
