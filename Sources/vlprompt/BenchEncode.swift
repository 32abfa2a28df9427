// `vlprompt bench encode-image`: inference speed of CLIP's image tower on a batch of random
// pixels, as the PyTorch peer (shared/peers/coop_torch.py, `image_encode_ms_per_image`) measures it.

import ArgumentParser
import Foundation
import VLCLIP
import VLKernels
import VLTensor

struct BenchEncodeImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode-image",
        abstract: "Time CLIP image encoding (inference) of one batch.",
        discussion: """
            Loads --model, or builds randomly initialized weights of --arch when no --model is given, \
            and encodes --batch images of random pixels. Reports the median over --repetitions of the \
            batch time divided by the batch size; the matrix-product work per image; this machine's \
            float32 multiply-add peak on the same threads; and the time that work takes at that peak, \
            which no float32 implementation can beat.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Images per encoded batch.")
    var batch = 32

    @Option(help: "Seed of the random pixels (and of the weights when only --arch is given).")
    var seed: UInt64 = 0

    @Flag(name: .customLong("stages"), help: "Also time each stage of the image tower, and the sgemm ceiling.")
    var perStage = false

    struct Record: Encodable {
        var benchmark = "encode-image"
        var model: String
        var threads: Int
        var batch: Int
        var imageSize: Int
        var msPerImage: Double
        var imagesPerSecond: Double
        /// Multiply-add work of the tower's products per image (an FMA counts as two).
        var gflopPerImage: Double
        /// This machine's float32 multiply-add peak on `threads` threads.
        var peakGflops: Double
        /// `gflopPerImage` at `peakGflops`: the floor under any float32 implementation's time.
        var peakBoundMsPerImage: Double
        var stages: [Stage]?
        var sgemmGflops: Double?

        enum CodingKeys: String, CodingKey {
            case benchmark, model, threads, batch, stages
            case imageSize = "image_size"
            case msPerImage = "ms_per_image"
            case imagesPerSecond = "images_per_second"
            case gflopPerImage = "gflop_per_image"
            case peakGflops = "fp32_peak_gflops"
            case peakBoundMsPerImage = "peak_bound_ms_per_image"
            case sgemmGflops = "sgemm_gflops"
        }
    }

    func validate() throws {
        if modelOptions.model == nil && modelOptions.arch == nil {
            throw ValidationError("Give --model, or --arch for randomly initialized weights.")
        }
        if batch <= 0 { throw ValidationError("--batch must be positive, got \(batch)") }
    }

    func run() throws {
        let threads = try options.threading.apply()
        // Before any BLAS call: OpenBLAS's workers spin for a while after each product and
        // would take a core from the measurement.
        let peak = Kernels.multiplyAddPeak(repetitions: 5)
        let (name, clip) = try model()
        let size = clip.configuration.vision.imageSize
        let pixels = Tensor.normal([batch, 3, size, size], seed: seed &+ 1)
        let ms = options.medianMilliseconds { _ = clip.encodeImage(pixels) }
        let work = Self.gflopPerImage(clip.configuration)
        var record = Record(
            model: name, threads: threads, batch: batch, imageSize: size, msPerImage: ms / Double(batch),
            imagesPerSecond: Double(batch) * 1e3 / ms, gflopPerImage: work, peakGflops: peak,
            peakBoundMsPerImage: work / peak * 1e3)
        if perStage {
            record.stages = stages(of: clip, pixels: pixels)
            let ceiling = SgemmCeiling()
            let ms = Stopwatch.median(warmups: max(options.warmups, 2), repetitions: max(options.repetitions, 10)) {
                ceiling.run()
            }
            record.sgemmGflops = ceiling.flops / (ms * 1e6)
        }
        try options.report(record) { Self.text(record) }
    }

    static func text(_ record: Record) -> String {
        var lines = [
            "encode-image \(record.model): "
                + String(
                    format: "%.2f ms per image, %.1f images/s (batch %d, %d threads)",
                    record.msPerImage, record.imagesPerSecond, record.batch, record.threads),
            String(
                format: "%.2f GFLOP per image; float32 peak %.1f GFLOP/s, so at least %.2f ms per image",
                record.gflopPerImage, record.peakGflops, record.peakBoundMsPerImage),
        ]
        for stage in record.stages ?? [] {
            let rate = stage.gflop > 0 ? String(format: "  %6.1f GFLOP/s", stage.gflop / stage.ms * 1e3) : ""
            lines.append(
                stage.name.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%9.1f ms", stage.ms)
                    + rate)
        }
        if let ceiling = record.sgemmGflops { lines.append(String(format: "sgemm ceiling %.1f GFLOP/s", ceiling)) }
        return lines.joined(separator: "\n")
    }

    /// GFLOP of the image tower's matrix products for one image, as VLPrompt computes them:
    /// patch embedding; per block the in-projection, `q·kᵀ` and `p·v`, out-projection and MLP,
    /// the last block's attention, out-projection and MLP for the class token alone; the
    /// projection. (Layer norms, softmax and activations add under 1%.)
    static func gflopPerImage(_ configuration: CLIPConfiguration) -> Double {
        let c = configuration.vision
        let (t, w, m) = (Double(c.tokens), Double(c.width), Double(c.mlpWidth))
        let patches = 2 * Double(c.grid * c.grid) * w * Double(3 * c.patchSize * c.patchSize)
        let inProjection = 2 * t * w * 3 * w
        func rest(queries q: Double) -> Double { 4 * q * t * w + 2 * q * w * w + 4 * q * w * m }
        let blocks = Double(c.layers) * inProjection + Double(c.layers - 1) * rest(queries: t) + rest(queries: 1)
        return (patches + blocks + 2 * w * Double(configuration.embeddingWidth)) / 1e9
    }

    /// The loaded model, or random weights of the `--arch` preset.
    private func model() throws -> (String, CLIP) {
        if let argument = modelOptions.model {
            return (argument, try ModelResolver().loadModel(modelOptions).clip)
        }
        let arch = modelOptions.arch!
        return (arch, CLIP(configuration: modelOptions.architecture!, seed: seed))
    }
}
