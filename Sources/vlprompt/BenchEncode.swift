// `vlprompt bench encode-image`: inference speed of CLIP's image tower on a batch of random
// pixels, as the PyTorch peer (shared/peers/coop_torch.py, `image_encode_ms_per_image`) measures it.

import ArgumentParser
import Foundation
import VLCLIP
import VLTensor

struct BenchEncodeImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode-image",
        abstract: "Time CLIP image encoding (inference) of one batch.",
        discussion: """
            Loads --model, or builds randomly initialized weights of --arch when no --model is given, \
            and encodes --batch images of random pixels. Reports the median over --repetitions of the \
            batch time divided by the batch size.
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
        var stages: [Stage]?
        var sgemmGflops: Double?

        enum CodingKeys: String, CodingKey {
            case benchmark, model, threads, batch, stages
            case imageSize = "image_size"
            case msPerImage = "ms_per_image"
            case imagesPerSecond = "images_per_second"
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
        let (name, clip) = try model()
        let size = clip.configuration.vision.imageSize
        let pixels = Tensor.normal([batch, 3, size, size], seed: seed &+ 1)
        let ms = options.medianMilliseconds { _ = clip.encodeImage(pixels) }
        var record = Record(
            model: name, threads: threads, batch: batch, imageSize: size, msPerImage: ms / Double(batch),
            imagesPerSecond: Double(batch) * 1e3 / ms)
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
                    record.msPerImage, record.imagesPerSecond, record.batch, record.threads)
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

    /// The loaded model, or random weights of the `--arch` preset.
    private func model() throws -> (String, CLIP) {
        if let argument = modelOptions.model {
            return (argument, try ModelResolver().loadModel(modelOptions).clip)
        }
        let arch = modelOptions.arch!
        return (arch, CLIP(configuration: modelOptions.architecture!, seed: seed))
    }
}
